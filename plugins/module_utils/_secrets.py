# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The secrets of one run, and their removal from everything the run returns.

Ansible masks a ``no_log`` value where it appears whole. A device that quotes what it was sent
defeats that in two ways: the reply excerpt in a message is cut after a fixed number of characters,
which can cut a secret in two, and a license key's code is part of a file, not of any option. So the
run keeps its secrets (the ``no_log`` option values, and the code and signature of each key it
uploads) and redacts the result in one place (``_module.run_validated``) before anything prints it:
each secret, its spellings in a reply (blanks folded as excerpts fold them, URL-encoded), and any
beginning of one that an excerpt cut off (``...``).
"""

from __future__ import annotations

from typing import Any, Iterable, List, Set
from urllib.parse import quote, quote_plus

MASK = "********"
# Where a reply excerpt was cut (``_xml.body_snippet``).
CUT_MARK = "..."
# A secret's beginning this long, or longer, is redacted where an excerpt cut it; shorter ones say too
# little to matter and would mask ordinary words.
MIN_CUT_PREFIX = 4


class Secrets:
    """Values that must never appear in output, and ``redact`` to take them out of a result."""

    def __init__(self, values: Iterable[Any] = ()) -> None:
        self._spellings: Set[str] = set()
        self.add_all(values)

    def add(self, value: Any) -> None:
        if not isinstance(value, str) or not value.strip():
            return
        folded = " ".join(value.split())
        self._spellings.update(spelling for spelling in (value, folded, quote(value, safe=""), quote_plus(value))
                               if spelling)

    def add_all(self, values: Iterable[Any]) -> None:
        for value in values:
            self.add(value)

    def __bool__(self) -> bool:
        return bool(self._spellings)

    def redact(self, value: Any) -> Any:
        """``value`` (a result: dicts, lists, strings) with every secret replaced by ``MASK``."""
        if not self._spellings:
            return value
        if isinstance(value, str):
            return self._redact_text(value)
        if isinstance(value, dict):
            return {key: self.redact(item) for key, item in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(self.redact(item) for item in value)
        return value

    def _redact_text(self, text: str) -> str:
        longest_first: List[str] = sorted(self._spellings, key=len, reverse=True)
        for spelling in longest_first:
            if spelling in text:
                text = text.replace(spelling, MASK)
        if CUT_MARK in text:
            for spelling in longest_first:
                for length in range(len(spelling) - 1, MIN_CUT_PREFIX - 1, -1):
                    cut = spelling[:length] + CUT_MARK
                    if cut in text:
                        text = text.replace(cut, MASK + CUT_MARK)
        return text
