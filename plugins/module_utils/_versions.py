# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tolerant version parsing and comparison, for applications and firmware alike.

Versions seen in the wild: ``1.0.0``, ``1.5.0-LTS``, ``1.3-438``, ``4.15-2``
(list.cgi shows a package.conf version as ``MAJOR.MINOR-MICRO``), firmware
``11.11.73`` or ``12.6.1``. The rules:

* the leading run of numbers is the release; separators (``.``, ``-``, ``_``)
  do not matter, so ``4.15-2`` equals ``4.15.2``; trailing zeros do not matter,
  so ``1.0`` equals ``1.0.0``;
* what follows the first word is a suffix. Pre-release words (``alpha``,
  ``beta``, ``rc``, ...) sort before the bare release; any other suffix
  (``LTS``, build labels) sorts after it, since it labels that release;
* suffixes compare part by part: numbers numerically, words without regard
  to letter case, a number before a word.
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import Tuple, Union

_TOKEN = re.compile(r"\d+|[A-Za-z]+")
_PRE_RELEASE_WORDS = frozenset(("dev", "a", "alpha", "b", "beta", "pre", "preview", "rc"))

# Suffix parts: (0, number) or (1, word) so that numbers sort before words.
SuffixPart = Tuple[int, Union[int, str]]


@total_ordering
class Version:
    """A parsed version; comparable, hashable, and remembers how it was written."""

    __slots__ = ("text", "release", "suffix")

    def __init__(self, text: str) -> None:
        if not isinstance(text, str) or not text.strip():
            raise ValueError("empty version string")
        self.text = text.strip()
        tokens = _TOKEN.findall(self.text)
        if len(tokens) > 1 and tokens[0].lower() == "v" and tokens[1].isdigit():
            tokens = tokens[1:]  # "v12.6.85": a build string's prefix, not part of the version
        release = []
        index = 0
        while index < len(tokens) and tokens[index].isdigit():
            release.append(int(tokens[index]))
            index += 1
        if not release:
            raise ValueError("version %r does not start with a number" % self.text)
        while len(release) > 1 and release[-1] == 0:
            release.pop()
        self.release: Tuple[int, ...] = tuple(release)
        self.suffix: Tuple[SuffixPart, ...] = tuple(
            (0, int(token)) if token.isdigit() else (1, token.lower()) for token in tokens[index:]
        )

    @property
    def is_pre_release(self) -> bool:
        return bool(self.suffix) and self.suffix[0] in {(1, word) for word in _PRE_RELEASE_WORDS}

    def _key(self) -> Tuple[Tuple[int, ...], int, Tuple[SuffixPart, ...]]:
        # The middle element places pre-releases (-1) before the bare release (0)
        # and labelled releases such as "-LTS" (1) after it.
        if not self.suffix:
            rank = 0
        elif self.is_pre_release:
            rank = -1
        else:
            rank = 1
        return (self.release, rank, self.suffix)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() == other._key()

    def __lt__(self, other: "Version") -> bool:
        if not isinstance(other, Version):
            return NotImplemented
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return "Version(%r)" % self.text

    def __str__(self) -> str:
        return self.text


def parse_version(text: str) -> Version:
    """Parse ``text``; raises ``ValueError`` when it holds no version number."""
    return Version(text)


def compare_versions(left: str, right: str) -> int:
    """-1, 0 or 1 as ``left`` is older than, the same as, or newer than ``right``."""
    a, b = Version(left), Version(right)
    if a == b:
        return 0
    return -1 if a < b else 1


def version_at_least(version: str, minimum: str) -> bool:
    """True when ``version`` is ``minimum`` or newer (firmware and SDK checks)."""
    return Version(version) >= Version(minimum)


def version_in_range(version: str, minimum: str, maximum: str) -> bool:
    """True when ``minimum <= version`` and ``version`` is within the ``maximum``
    release line: ``version_in_range("11.11.73", "11.5", "11.11")`` is true,
    because every 11.11.x belongs to the range that ends with 11.11."""
    parsed = Version(version)
    if parsed < Version(minimum):
        return False
    upper = Version(maximum).release
    return parsed.release[: len(upper)] <= upper
