# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._error_codes import (
    ERROR_CODES,
    describe_error_code,
    lookup_error_code,
)

# Every code the VAPIX Application API page documents, per endpoint (plus control.cgi 8, seen in the wild).
DOCUMENTED = {
    "upload.cgi": {1, 2, 3, 5, 10, 12, 13, 14, 15, 29},
    "control.cgi": {1, 4, 6, 7, 8, 9, 10, 15},
    "config.cgi": {1},
    "license.cgi": {21, 22, 23, 24, 25, 26, 30, 31},
}


def test_catalog_covers_exactly_the_documented_codes():
    assert {endpoint: set(codes) for endpoint, codes in ERROR_CODES.items()} == DOCUMENTED


@pytest.mark.parametrize(
    "endpoint, code", [(endpoint, code) for endpoint, codes in sorted(DOCUMENTED.items()) for code in sorted(codes)]
)
def test_every_code_has_a_cause_and_a_remedy(endpoint, code):
    info = lookup_error_code(endpoint, code)
    assert info is not None
    assert len(info.cause) > 10 and len(info.remedy) > 10
    message = describe_error_code(endpoint, code)
    assert message.startswith("%s answered Error: %d: " % (endpoint, code))
    assert info.cause in message and info.remedy in message


def test_upload_2_names_allow_unsigned_and_signing():
    message = describe_error_code("upload.cgi", 2)
    assert "unsigned" in message
    assert "allow_unsigned" in message and "vapix.acap.axis_acap_config" in message
    assert "signed" in message


def test_control_9_mentions_the_firmware_that_removed_the_limit():
    assert "12.6" in describe_error_code("control.cgi", 9)


def test_unknown_code_says_it_is_undocumented():
    message = describe_error_code("upload.cgi", 99)
    assert message.startswith("upload.cgi answered Error: 99, a code")
    assert "does not document" in message
    assert lookup_error_code("upload.cgi", 99) is None
    assert lookup_error_code("nosuch.cgi", 1) is None
