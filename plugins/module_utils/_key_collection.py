# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The license keys a task names (a file, content, a list of files, or a folder through its index,
``_key_index``), as the planner (``_license``) asks for them, and the choice of a device's key.

A folder is never loaded whole: the planner gets a summary per application (``groups_for``) and the
keys of one serial number (``for_serial``), so a camera's cost does not grow with the folder."""

from __future__ import annotations

import datetime
import functools
import os
from typing import Any, List, Optional, Sequence, Tuple, Union

from ansible_collections.vapix.acap.plugins.module_utils._errors import LicenseKeyError
from ansible_collections.vapix.acap.plugins.module_utils._key_index import (
    Facts,
    FolderIndex,
    Identity,
    IndexedKey,
    ProductGroup,
    file_identity,
    folder_index,
    sent_index,
    summarise,
)
from ansible_collections.vapix.acap.plugins.module_utils._license_key import (
    LicenseKey,
    read_key_file,
    load_license_key,
    normalize_serial,
)

_DISTANT_PAST = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def _facts(path: str, identity: Identity) -> Union[Facts, str]:
    """What the folder index keeps of one file (the key's bytes are not kept)."""
    try:
        key = read_key_file(path, identity[2])
    except LicenseKeyError as exc:
        return exc.message
    return (key.product, key.productid, key.serial_number, _iso(key.expires), _iso(key.expires_at))


def _iso(value: Optional[Union[datetime.date, datetime.datetime]]) -> Optional[str]:
    return value.isoformat() if value is not None else None


def index_key_folder(folder: str) -> FolderIndex:
    """The index of a key folder (the action plugin sends its summary with the module)."""
    return folder_index(folder, _facts)


class KeyCollection:
    """The keys of a ``src`` (a file, content, a list of files, or a folder through its index), as the
    planner asks for them: a summary per application (``groups_for``) and the keys of one serial
    number (``for_serial``); a folder's keys are never all loaded."""

    def __init__(self, origin: str, keys: Optional[List[LicenseKey]] = None, problems: Optional[List[Tuple[str, str]]] = None,
                 single: bool = False, folder: Optional[str] = None) -> None:
        self.origin = origin
        self.single = single  # one key named by the user (a file or content), not a choice
        self.folder = folder
        self._keys = keys or []
        self._index: Optional[FolderIndex] = None
        if folder is not None:
            self._index = sent_index(folder, _facts) or folder_index(folder, _facts)
            self.problems = [(os.path.join(folder, name), message) for name, message in self._index.problems]
            self.problem_count = self._index.problem_count
            self.count = self._index.count
            self.groups = self._index.groups
        else:
            self.problems = list(problems or [])
            self.problem_count = len(self.problems)
            self.count = len(self._keys)
            self.groups = summarise([_indexed(key) for key in self._keys])

    @property
    def deferred(self) -> bool:
        """Sent with the module without its key files: ``for_serial`` asks for them (KeyFilesNeeded)."""
        return self._index is not None and self._index.deferred

    @property
    def only_key(self) -> LicenseKey:
        return self._keys[0]

    def groups_for(self, product: str, productid: Optional[str] = None) -> List[ProductGroup]:
        return [group for group in self.groups if _matches(group.product, group.productid, product, productid)]

    def key_of(self, entry: IndexedKey) -> LicenseKey:
        if self.folder is None:
            return next(key for key in self._keys if key.source == entry.name)
        return _from_index(entry, os.path.join(self.folder, entry.name))

    def for_serial(self, serial: str) -> List[LicenseKey]:
        """Every key for ``serial``, whatever its application."""
        wanted = normalize_serial(serial)
        if self._index is None or self.folder is None:
            return [key for key in self._keys if key.serial_number == wanted]
        entries = self._index.lookup(wanted)
        if entries is None or not _unchanged(self.folder, entries) or (not entries and self._problem_fixed()):
            # Edited in place, swapped, fixed, or an index that cannot be read: read the folder again.
            self._index = folder_index(self.folder, _facts, rebuild=True)
            entries = self._index.lookup(wanted) or []
        return [self.key_of(entry) for entry in entries]

    def _problem_fixed(self) -> bool:
        files = self._index.problem_files() if self._index is not None else []
        return files is None or not _unchanged(self.folder or "", files, problems=True)

    def for_product(self, product: str, productid: Optional[str] = None) -> List[LicenseKey]:
        """Every key for the application: for single keys and lists only (a folder is never loaded whole)."""
        return [key for key in self._keys if key_matches_application(key, product, productid)]

    def describe_problems(self, limit: int = 5) -> str:
        if not self.problems:
            return ""
        shown = "; ".join(message for _path, message in self.problems[:limit])
        more = self.problem_count - min(limit, len(self.problems))
        return shown + ("; and %d more" % more if more > 0 else "")


def _unchanged(folder: str, entries: Sequence[Any], problems: bool = False) -> bool:
    """The files still have the identity the index recorded (a swap, an edit or a chmod changes it)."""
    for entry in entries:
        name, identity = (entry if problems else (entry.name, entry.identity))
        try:
            if file_identity(os.stat(os.path.join(folder, name))) != identity:
                return False
        except OSError:
            return False
    return True


def _indexed(key: LicenseKey) -> IndexedKey:
    return IndexedKey(name=key.source, product=key.product, productid=key.productid, serial_number=key.serial_number,
                      expires=_iso(key.expires), expires_at=_iso(key.expires_at), identity=(0, 0, 0, 0, 0))


def same_application_id(first: Optional[str], second: Optional[str]) -> bool:
    """Application IDs compare as numbers when both are numbers (``"0414120"`` is ``414120``)."""
    if first is None or second is None:
        return True
    a, b = first.strip(), second.strip()
    if a.isdigit() and b.isdigit():
        return int(a) == int(b)
    return a == b


def _matches(key_product: str, key_productid: Optional[str], product: str, productid: Optional[str]) -> bool:
    if key_productid is not None and productid is not None:
        return same_application_id(key_productid, productid)
    return key_product == product


def key_matches_application(key: LicenseKey, product: str, productid: Optional[str] = None) -> bool:
    """The key is for the application: the same application ID where both sides carry one (the only
    certain link); otherwise the key's product is the application's short name."""
    return _matches(key.product, key.productid, product, productid)


def load_keys(src: Union[str, Sequence[str]]) -> KeyCollection:
    """Read a key file, a list of files, or index a directory.

    A single file that cannot be read is an error. In a directory (or a list),
    unreadable files are collected as ``problems`` instead: one broken file in a
    fleet's key folder must not stop the devices whose keys are fine; the
    problems are reported when no usable key is found and as warnings.
    """
    if isinstance(src, str):
        if not os.path.isdir(src):
            return KeyCollection("file %s" % src, keys=[load_license_key(src)], single=True)
        return KeyCollection("directory %s" % src, folder=src)
    keys: List[LicenseKey] = []
    problems: List[Tuple[str, str]] = []
    for path in src:
        try:
            keys.append(load_license_key(path))
        except LicenseKeyError as exc:
            problems.append((path, exc.message))
    return KeyCollection("files %s" % ", ".join(src), keys=keys, problems=problems)


# A fleet's keys share a handful of expiry dates: each is parsed once per process.
@functools.lru_cache(maxsize=1024)
def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@functools.lru_cache(maxsize=1024)
def _instant_of(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def _from_index(entry: IndexedKey, path: str) -> LicenseKey:
    """A key as the folder index recorded it: its content is read (and checked) on upload."""
    return LicenseKey(product=entry.product, productid=entry.productid, serial_number=entry.serial_number,
                      expires=_date(entry.expires) if entry.expires else None,
                      expires_at=_instant_of(entry.expires_at) if entry.expires_at else None, source=path)


def pick_key(keys: Sequence[LicenseKey], serial: str) -> Optional[LicenseKey]:
    """The key for ``serial``; when several match (a renewed key next to the old
    one), the one that expires last (no expiry counts as last), then by file name."""
    wanted = normalize_serial(serial)
    matching = [key for key in keys if key.serial_number == wanted]
    if not matching:
        return None

    def rank(key: LicenseKey) -> Tuple[int, datetime.datetime, str]:
        never = key.expires_at is None
        return (1 if never else 0, key.expires_at or _DISTANT_PAST, key.source)

    return max(matching, key=rank)


def no_key_message(collection: KeyCollection, serial: str, product: Optional[str]) -> str:
    """Explain why no key fits: what the keys found are for, and unreadable files."""
    wanted = normalize_serial(serial)
    what = "application %s and serial number %s" % (product, wanted) if product else "serial number %s" % wanted
    parts = ["No license key for %s in %s." % (what, collection.origin)]
    same_serial = collection.for_serial(wanted)
    if same_serial:
        parts.append(
            "Keys for this serial number are for: %s."
            % ", ".join(sorted({"%s (productid %s)" % (key.product, key.productid) for key in same_serial}))
        )
    parts.append("%d key file(s) could be read" % collection.count)
    if product:
        parts[-1] += ", %d of them for %s" % (sum(group.count for group in collection.groups if group.product == product), product)
    parts[-1] += "."
    if collection.problems:
        parts.append("Unreadable: %s." % collection.describe_problems())
    parts.append("Put the key Axis issued for this device's serial number there.")
    return " ".join(parts)
