# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._versions import (
    compare_versions,
    parse_version,
    version_at_least,
    version_in_range,
)


@pytest.mark.parametrize(
    "left, right",
    [
        ("4.15-2", "4.15.2"),  # list.cgi spelling of a package.conf version vs dotted
        ("1.0", "1.0.0"),
        ("1.3-438", "1.3.438"),
        ("1.5.0-LTS", "1.5.0-lts"),
        (" 2.1 ", "2.1"),
    ],
)
def test_equal_spellings(left, right):
    assert compare_versions(left, right) == 0
    assert hash(parse_version(left)) == hash(parse_version(right))


@pytest.mark.parametrize(
    "older, newer",
    [
        ("1.9.9", "1.10.0"),  # numeric, not lexical
        ("1.0.0", "1.0.1"),
        ("4.15", "4.15-2"),
        ("1.5.0-beta", "1.5.0"),  # pre-release before the release
        ("1.5.0-rc1", "1.5.0-rc2"),
        ("1.5.0", "1.5.0-LTS"),  # a label after the release it labels
        ("1.5.0-LTS", "1.5.1"),
        ("11.11.73", "12.0.1"),
    ],
)
def test_ordering(older, newer):
    assert compare_versions(older, newer) == -1
    assert compare_versions(newer, older) == 1
    assert parse_version(older) < parse_version(newer)


def test_version_at_least_for_firmware_rules():
    assert version_at_least("11.2.0", "11.2")
    assert version_at_least("12.6.1", "11.2")
    assert not version_at_least("11.1.99", "11.2")


@pytest.mark.parametrize(
    "firmware, expected",
    [("11.4.63", False), ("11.5", True), ("11.8.1", True), ("11.11.73", True), ("12.0.0", False)],
)
def test_version_in_range_includes_whole_last_release_line(firmware, expected):
    assert version_in_range(firmware, "11.5", "11.11") is expected


@pytest.mark.parametrize("text", ["", "   ", "LTS", "beta-2"])
def test_rejects_text_without_a_version(text):
    with pytest.raises(ValueError):
        parse_version(text)


def test_keeps_original_text():
    assert str(parse_version("4.15-2")) == "4.15-2"
