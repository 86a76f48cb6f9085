# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A persistent index of what the key files of a folder say, so that a fleet does not parse the
whole folder once per camera.

Ansible runs each camera's task in a fresh worker process, and a fleet keeps one key per camera in
one folder: parsing the folder in every worker costs O(cameras x keys) (132 ms per camera at 2,000
keys, measured). The index keeps, per file name, its size and modification time and the key's
safe-to-show facts (product, productid, serial number, expiry) or why it could not be read; never the
key's content, which is read from its file only when that key is uploaded. An entry is used only when
the file's size and modification time still match, so an edited or replaced file is parsed again.

The index lives in ``$VAPIX_ACAP_CACHE_DIR`` (default ``~/.cache/vapix-acap``), one JSON file per
folder, written atomically; a cache that cannot be read or written is simply not used.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import tempfile
from typing import Any, Dict, List, Optional, Set, Union

# 2: an entry is [size, mtime_ns, outcome], the outcome a Row or a message (1 kept a dict of facts).
_FORMAT = 2
CACHE_DIR_VARIABLE = "VAPIX_ACAP_CACHE_DIR"

# A key's facts as the index keeps them: [product, productid, serial_number, expires, expires_at],
# the dates in ISO format or null. A list, not a dict: 2,000 of them are read per camera.
Row = List[Optional[str]]


def _index_file(directory: str) -> str:
    base = os.environ.get(CACHE_DIR_VARIABLE) or os.path.join(os.path.expanduser("~"), ".cache", "vapix-acap")
    digest = hashlib.sha256(os.path.realpath(directory).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(base, "license-key-index", digest + ".json")


def _instant(value: Optional[Union[datetime.date, datetime.datetime]]) -> Optional[str]:
    return value.isoformat() if value is not None else None


class KeyIndex:
    """The index of one folder: ``lookup`` before parsing a file, ``remember`` after, ``save`` at the end."""

    def __init__(self, directory: str) -> None:
        self.path = _index_file(directory)
        self._entries: Dict[str, Any] = {}
        self._changed = False
        try:
            with open(self.path, "r", encoding="utf-8") as handle:
                document = json.load(handle)
            if isinstance(document, dict) and document.get("format") == _FORMAT and isinstance(document.get("files"), dict):
                self._entries = document["files"]
        except (OSError, ValueError):
            self._entries = {}

    def lookup(self, name: str, size: int, mtime_ns: int) -> Optional[Union[Row, str]]:
        """The facts (Row) or the error (str) recorded for ``name``, if the file is unchanged."""
        entry = self._entries.get(name)
        if not isinstance(entry, list) or len(entry) != 3 or entry[0] != size or entry[1] != mtime_ns:
            return None  # not indexed, changed since, or an entry this version cannot read
        outcome = entry[2]
        if isinstance(outcome, str) or (isinstance(outcome, list) and len(outcome) == 5):
            return outcome
        return None  # not written by this version: parse the file again

    def remember(self, name: str, size: int, mtime_ns: int, outcome: Union[Row, str]) -> None:
        self._entries[name] = [size, mtime_ns, outcome]
        self._changed = True

    def forget_missing(self, present: Set[str]) -> None:
        if len(self._entries) == len(present) and not self._changed:
            return  # every present file was found in the index, so nothing else is in it
        for name in [name for name in self._entries if name not in present]:
            del self._entries[name]
            self._changed = True

    def save(self) -> None:
        if not self._changed:
            return
        directory = os.path.dirname(self.path)
        try:
            os.makedirs(directory, mode=0o700, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".index-", dir=directory)
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump({"format": _FORMAT, "files": self._entries}, stream, separators=(",", ":"))
            os.replace(temporary, self.path)
        except OSError:
            return  # the index only saves time; without it every run parses the folder


def row_of(product: str, productid: Optional[str], serial_number: str,
           expires: Optional[datetime.date], expires_at: Optional[datetime.datetime]) -> Row:
    return [product, productid, serial_number, _instant(expires), _instant(expires_at)]
