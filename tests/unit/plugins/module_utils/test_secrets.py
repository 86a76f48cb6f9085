# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Redaction of a run's secrets: whole, in a reply's spellings, and cut by an excerpt."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._secrets import MASK, Secrets

SECRET = "Kx9 q7Zt/SECRET&key"


@pytest.mark.parametrize("text, shown", [
    ("value %s here" % SECRET, "value %s here" % MASK),
    ("folded Kx9 q7Zt/SECRET&key", "folded %s" % MASK),
    ("url Kx9%20q7Zt%2FSECRET%26key", "url %s" % MASK),
    ("form Kx9+q7Zt%2FSECRET%26key", "form %s" % MASK),
    ("cut at the excerpt's end: 'Kx9 q7Zt/SE...", "cut at the excerpt's end: '%s..." % MASK),
    ("a short beginning is kept: 'Kx9...", "a short beginning is kept: 'Kx9..."),
    ("no secret here", "no secret here"),
])
def test_text_is_redacted(text, shown):
    assert Secrets([SECRET]).redact(text) == shown


def test_results_are_redacted_in_depth_and_other_values_kept():
    secrets = Secrets([SECRET, None, "", "  "])
    result = {"changed": True, "msg": SECRET, "resources": [{"after": (SECRET, 3)}], "count": 2}
    assert secrets.redact(result) == {"changed": True, "msg": MASK, "resources": [{"after": (MASK, 3)}], "count": 2}


def test_no_secret_leaves_everything_as_it_is():
    result = {"msg": "anything"}
    assert Secrets([None]).redact(result) is result
