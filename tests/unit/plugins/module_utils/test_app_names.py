# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How application names compare (the device's rule) and how name lists are cleaned."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._app_names import application_key, clean_names, same_application


@pytest.mark.parametrize("first, second, same", [
    ("vmd", "vmd", True),
    ("vmd", "VMD", True),
    (" vmd", "vmd ", True),
    ("Straße", "STRASSE", True),  # casefold, as Python compares case-insensitively
    ("hello", "hello_world", False),
    ("vmd", "vmd4", False),
])
def test_names_compare_ignoring_letter_case_and_surrounding_blanks(first, second, same):
    assert same_application(first, second) is same
    assert (application_key(first) == application_key(second)) is same


@pytest.mark.parametrize("written, cleaned", [
    (None, []),
    ([], []),
    (["partner_app", " vmd"], ["partner_app", "vmd"]),  # what Ansible makes of "partner_app, vmd"
    (["a", "", "  ", "b "], ["a", "b"]),
])
def test_name_lists_are_trimmed_and_empty_names_dropped(written, cleaned):
    assert clean_names(written) == cleaned
