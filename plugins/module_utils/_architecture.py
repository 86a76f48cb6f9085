# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one table of CPU architecture words, and how a package's word meets a device's.

Devices report their architecture in param.cgi ``Properties.System.Architecture``
(or basicdeviceinfo.cgi ``Architecture``); packages name theirs in manifest.json
``architecture`` or package.conf ``APPTYPE``. The two do not always use the same
word: MIPS cameras report ``mips`` while their packages say ``mipsisa32r2el``.
Package choice, pre-flight and every report ask this file, never compare words
themselves. The table and its choices are written down in docs/axis_acap.md
("Architectures").
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Tuple

# A package of this architecture runs on every device.
ARCHITECTURE_ALL = "all"

# One row per CPU family: the word devices report first, then the other words packages
# use for the same family. Words are compared without regard to letter case.
FAMILIES: Tuple[Tuple[str, ...], ...] = (
    ("aarch64",),
    ("armv7hf",),
    ("mips", "mipsisa32r2el"),
    # Older models (acap-formats.md, "What real devices and packages show").
    ("armv7l",),
    ("armv6l",),
    ("armv5tejl",),
    ("crisv32",),
)

# Families that may or may not take each other's packages: an armv7l device runs ARMv7 code, and
# whether it has the hard-float ABI of armv7hf packages is not known from the word. Neither side is
# refused locally: the device judges (upload.cgi Error 5 for a wrong architecture).
UNSURE: FrozenSet[FrozenSet[str]] = frozenset({frozenset({"armv7hf", "armv7l"})})

# How a package's architecture meets a device's, best first.
SAME = "same"  # the same family (the same word, or an alias)
UNIVERSAL = "universal"  # a package for all architectures
UNKNOWN = "unknown"  # a word not in the table, an unsure pair, or either side not known
OTHER = "other"  # two different known families: the device would refuse it
FIT_ORDER: Tuple[str, ...] = (SAME, UNIVERSAL, UNKNOWN)

_FAMILY_OF: Dict[str, str] = {word.lower(): row[0] for row in FAMILIES for word in row}


def normalize(word: Optional[str]) -> Optional[str]:
    """The word as compared: stripped, lower case; None for nothing."""
    if word is None:
        return None
    text = str(word).strip().lower()
    return text or None


def family(word: Optional[str]) -> Optional[str]:
    """The family's device word (``mipsisa32r2el`` -> ``mips``), ``all``, or None when not in the table."""
    text = normalize(word)
    if text == ARCHITECTURE_ALL:
        return ARCHITECTURE_ALL
    return _FAMILY_OF.get(text or "")


def is_known(word: Optional[str]) -> bool:
    """True when the word is in the table (or is ``all``)."""
    return family(word) is not None


def aliases(word: Optional[str]) -> Tuple[str, ...]:
    """Every word of the word's family, the device word first; () when not in the table."""
    name = family(word)
    for row in FAMILIES:
        if row[0] == name:
            return row
    return ()


def fit(package_architecture: Optional[str], device_architecture: Optional[str]) -> str:
    """How a package of one architecture fits a device of another: SAME, UNIVERSAL, UNKNOWN or OTHER."""
    package_family = family(package_architecture)
    if package_family == ARCHITECTURE_ALL:
        return UNIVERSAL
    device_family = family(device_architecture)
    if package_family is None or device_family is None:
        # A word we do not know, or no word at all: the same spelling is still the same.
        same_word = normalize(package_architecture) is not None and (
            normalize(package_architecture) == normalize(device_architecture)
        )
        return SAME if same_word else UNKNOWN
    if package_family == device_family:
        return SAME
    if frozenset({package_family, device_family}) in UNSURE:
        return UNKNOWN
    return OTHER


def fits(package_architecture: Optional[str], device_architecture: Optional[str]) -> bool:
    """True when the table says the package runs on the device (same family, or ``all``)."""
    return fit(package_architecture, device_architecture) in (SAME, UNIVERSAL)


def package_words(device_architecture: Optional[str]) -> List[str]:
    """The architecture words of packages that fit a device (its family's words, then ``all``), for
    reports: a playbook can pick a package file by them. Only ``all`` when the device reports none."""
    if normalize(device_architecture) is None:
        return [ARCHITECTURE_ALL]
    words = aliases(device_architecture) or (normalize(device_architecture) or "",)
    return list(words) + [ARCHITECTURE_ALL]
