# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The architecture table: families, aliases and how a package's word meets a device's."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils import _architecture as arch

DEVICE_WORDS = ("aarch64", "armv7hf", "mips", "armv7l", "armv6l", "armv5tejl", "crisv32")


@pytest.mark.parametrize(
    "package, device, expected",
    [
        ("aarch64", "aarch64", arch.SAME),
        ("AArch64", "aarch64", arch.SAME),
        ("armv7hf", "armv7hf", arch.SAME),
        ("mipsisa32r2el", "mips", arch.SAME),
        ("mips", "mips", arch.SAME),
        ("mips", "mipsisa32r2el", arch.SAME),
        ("crisv32", "crisv32", arch.SAME),
        ("armv5tejl", "armv5tejl", arch.SAME),
        ("armv6l", "armv6l", arch.SAME),
        ("all", "mips", arch.UNIVERSAL),
        ("all", None, arch.UNIVERSAL),
        ("ALL", "crisv32", arch.UNIVERSAL),
        ("armv7hf", "aarch64", arch.OTHER),
        ("mipsisa32r2el", "armv7hf", arch.OTHER),
        ("aarch64", "mips", arch.OTHER),
        ("armv6l", "armv5tejl", arch.OTHER),
        ("armv7hf", "armv7l", arch.UNKNOWN),  # an unsure pair: the device judges
        ("armv7l", "armv7hf", arch.UNKNOWN),
        (None, "aarch64", arch.UNKNOWN),  # the package names none
        ("", "aarch64", arch.UNKNOWN),
        ("ARTPEC-4", "mips", arch.UNKNOWN),  # not in the table
        ("ARTPEC-4", "artpec-4", arch.SAME),  # an unknown word still equals itself
        ("aarch64", "riscv64", arch.UNKNOWN),  # a device word not in the table
        ("aarch64", None, arch.UNKNOWN),
    ],
)
def test_fit(package, device, expected):
    assert arch.fit(package, device) == expected
    assert arch.fits(package, device) is (expected in (arch.SAME, arch.UNIVERSAL))


def test_every_device_word_is_its_family():
    for word in DEVICE_WORDS:
        assert arch.family(word) == word
        assert arch.aliases(word)[0] == word
    assert arch.family("mipsisa32r2el") == "mips"
    assert arch.aliases("mipsisa32r2el") == ("mips", "mipsisa32r2el")
    assert arch.family(" All ") == "all"
    assert arch.family("ARTPEC-4") is None and arch.aliases("ARTPEC-4") == ()
    assert not arch.is_known(None) and arch.is_known("MIPSISA32R2EL")


def test_one_word_one_family():
    words = [word for row in arch.FAMILIES for word in row]
    assert len(words) == len(set(words))
    for pair in arch.UNSURE:
        assert all(word in words for word in pair)


@pytest.mark.parametrize(
    "device, words",
    [
        ("mips", ["mips", "mipsisa32r2el", "all"]),
        ("MIPS", ["mips", "mipsisa32r2el", "all"]),
        ("aarch64", ["aarch64", "all"]),
        ("crisv32", ["crisv32", "all"]),
        ("riscv64", ["riscv64", "all"]),  # not in the table: its own word
        (None, ["all"]),
        ("", ["all"]),
    ],
)
def test_package_words_for_reports(device, words):
    assert arch.package_words(device) == words
