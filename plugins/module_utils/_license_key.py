# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading ACAP license key files without the device.

A key file is XML that Axis issues for one application and one device serial
number (see docs/axis_acap_license.md for the shape this code accepts). The
file's secret parts (the ``<licensekey>`` code and the ``<signature>``) must
never reach output: ``LicenseKey`` keeps the raw bytes out of its ``repr`` and
``to_dict``, and no error message quotes the document, only the file name and
the fields that are safe to show (product, productid, serial number, expiry).
"""

from __future__ import annotations

import datetime
import functools
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

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
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import (
    HAS_LXML,
    LXML_IMPORT_ERROR,
    DocumentTypeRefused,
    MalformedXml,
    etree,
    parse_untrusted_xml,
)

# Real keys are about 1-2 KiB; anything much larger is not a key file and is
# refused before it is parsed.
MAX_KEY_FILE_SIZE = 64 * 1024


_DISTANT_PAST = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)

_SERIAL_SEPARATORS = re.compile(r"[:\-]")


def normalize_serial(serial: str) -> str:
    """Serial numbers are compared upper case without ``:``/``-`` separators
    (``b8:a4:4f:00:00:01`` and ``B8A44F000001`` are the same device)."""
    return _SERIAL_SEPARATORS.sub("", (serial or "").strip()).upper()


@dataclass(frozen=True)
class LicenseKey:
    """The safe-to-show facts of one key file, plus its bytes for the upload."""

    product: str
    productid: Optional[str]
    serial_number: str
    # The expiry date as written (what the device reports as LicenseExpirationDate)
    # and the exact instant it ends, for the "has it expired" check.
    expires: Optional[datetime.date]
    expires_at: Optional[datetime.datetime]
    source: str
    # The key itself: only ever sent to the device, never shown or compared. None for a key known
    # from the folder index (_key_index): its file is read when it is uploaded (read_data).
    data: Optional[bytes] = field(default=None, repr=False, compare=False)

    def read_data(self) -> bytes:
        """The key's bytes for the upload."""
        if self.data is not None:
            return self.data
        try:
            with open(self.source, "rb") as handle:
                data = handle.read(MAX_KEY_FILE_SIZE + 1)
        except OSError as exc:
            raise LicenseKeyError("The license key file %s cannot be read: %s." % (self.source, exc.strerror or exc)) from None
        # Chosen from the folder index: the file must still hold that key (not one swapped in since).
        now = parse_license_key(data, self.source)
        if (now.product, now.productid, now.serial_number, now.expires) != (
                self.product, self.productid, self.serial_number, self.expires):
            raise LicenseKeyError(
                "The license key file %s changed while the task ran: it was chosen for serial number %s (product %s) "
                "and now holds the key for serial number %s (product %s). Nothing was uploaded; run the task again."
                % (self.source, self.serial_number, self.product, now.serial_number, now.product))
        return data

    @property
    def filename(self) -> str:
        """The name the key is uploaded under (the device does not use it)."""
        base = os.path.basename(self.source)
        return base if base and self.source != "content" else "license.xml"

    def to_dict(self) -> Dict[str, Optional[str]]:
        return {
            "product": self.product,
            "productid": self.productid,
            "serial_number": self.serial_number,
            "expires": self.expires.isoformat() if self.expires else None,
        }

    def is_expired(self, now: datetime.datetime) -> bool:
        """Compared to the exact instant in ``<expires>``, as the device does."""
        return self.expires_at is not None and self.expires_at <= now


def _require_lxml() -> None:
    if not HAS_LXML:
        raise LicenseKeyError(
            "The Python library lxml is required to read license key files: %s" % LXML_IMPORT_ERROR
        )


def _localname(element: Any) -> str:
    tag = element.tag
    if not isinstance(tag, str):  # comments, processing instructions
        return ""
    return etree.QName(element).localname


def _child(parent: Any, name: str) -> Any:
    for element in parent:
        if _localname(element) == name:
            return element
    return None


def _child_text(parent: Any, name: str) -> Optional[str]:
    element = _child(parent, name)
    if element is None or element.text is None:
        return None
    text = element.text.strip()
    return text or None


_EXPIRY = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<zone>Z|[+-]\d{2}:?\d{2})?)?$"
)


def parse_expiry(value: str) -> Tuple[datetime.date, datetime.datetime]:
    """``2025-11-14T23:59:59Z``, ``...+01:00`` or ``2025-11-14`` -> (the date as
    written, the exact instant in UTC). A date alone means "through that day"
    (23:59:59 UTC); a time without zone is UTC."""
    match = _EXPIRY.match(value.strip())
    if not match:
        raise ValueError(value)
    day = datetime.date.fromisoformat(match.group("date"))
    if match.group("time") is None:
        instant = datetime.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=datetime.timezone.utc)
        return day, instant
    zone = match.group("zone") or "Z"
    if zone == "Z":
        zone = "+00:00"
    elif ":" not in zone:
        zone = zone[:3] + ":" + zone[3:]
    instant = datetime.datetime.fromisoformat("%sT%s%s" % (match.group("date"), match.group("time"), zone))
    return day, instant.astimezone(datetime.timezone.utc)


def parse_license_key(data: bytes, source: str = "content") -> LicenseKey:
    """Parse a key file's bytes; every malformation raises ``LicenseKeyError``
    naming ``source`` and never quoting the document."""
    _require_lxml()
    where = "license key %s" % ("given in content" if source == "content" else "file %s" % source)
    if not data or not data.strip():
        raise LicenseKeyError("The %s is empty." % where)
    if len(data) > MAX_KEY_FILE_SIZE:
        raise LicenseKeyError(
            "The %s is %d bytes; a license key file is a few KiB at most (limit %d). "
            "Check that it is the key file Axis issued." % (where, len(data), MAX_KEY_FILE_SIZE)
        )
    try:
        root = parse_untrusted_xml(data)
    except DocumentTypeRefused:
        raise LicenseKeyError(
            "The %s contains a document type declaration (DTD); license keys have none, "
            "so it is refused unread." % where
        ) from None
    except MalformedXml as exc:
        # lxml's message may quote names from the document; report the position only.
        if not exc.position:
            raise LicenseKeyError("The %s is not XML that can be read (e.g. a bad encoding declaration)." % where) from None
        line, column = exc.position
        raise LicenseKeyError(
            "The %s is not well-formed XML (error at line %s, column %s). "
            "Use the key file exactly as Axis issued it." % (where, line, column)
        ) from None
    if _localname(root) != "license":
        raise LicenseKeyError(
            "The %s is XML but not a license key: its root element is <%s>, expected <license>."
            % (where, _localname(root))
        )
    body = _child(root, "licensekey")
    if body is None:
        raise LicenseKeyError("The %s has no <licensekey> element under <license>." % where)

    product = _child_text(body, "product")
    if product is None:
        raise LicenseKeyError("The %s has no <product> (the application name it is for)." % where)
    productid = _child_text(body, "productid")
    restrictions = _child(body, "restrictions")
    serial = _child_text(restrictions, "serialnumber") if restrictions is not None else None
    if serial is None:
        raise LicenseKeyError(
            "The %s (product %s) has no <restrictions><serialnumber>: it does not say which device "
            "it is for." % (where, product)
        )
    for secret in ("licensekey", "signature"):
        # Presence only: the values are secret and are never read into messages.
        if _child_text(body, secret) is None:
            raise LicenseKeyError(
                "The %s (product %s, serial number %s) has no <%s>: the file is incomplete."
                % (where, product, serial, secret)
            )
    expires_text = _child_text(body, "expires")
    expires: Optional[datetime.date] = None
    expires_at: Optional[datetime.datetime] = None
    if expires_text is not None:
        try:
            expires, expires_at = parse_expiry(expires_text)
        except ValueError:
            raise LicenseKeyError(
                "The %s (product %s, serial number %s) has an <expires> value %r that is not an "
                "ISO 8601 date or date-time." % (where, product, serial, expires_text[:40])
            ) from None
    return LicenseKey(
        product=product,
        productid=productid,
        serial_number=normalize_serial(serial),
        expires=expires,
        expires_at=expires_at,
        source=source,
        data=data,
    )


# In one process (the in-process fleet path) the same key file can be named for every camera: parsed
# keys, and the reasons files could not be read, are kept per (path, identity), so each file is parsed
# once and a file that changes in any way (content, inode, permissions) is read again.
_PARSED: Dict[Tuple[str, Identity], Union[LicenseKey, str]] = {}
_PARSED_LIMIT = 50000


def _stat_identity(path: str) -> Identity:
    try:
        return file_identity(os.stat(path))
    except FileNotFoundError:
        raise LicenseKeyError("The license key file %s does not exist." % path) from None
    except OSError as exc:
        raise LicenseKeyError("The license key file %s cannot be read: %s." % (path, exc.strerror or exc)) from None


def load_license_key(path: str) -> LicenseKey:
    """Read and parse one key file."""
    cache_key = (os.path.abspath(path), _stat_identity(path))
    cached = _PARSED.get(cache_key)
    if isinstance(cached, LicenseKey):
        return cached
    if cached is not None:
        raise LicenseKeyError(cached)
    try:
        key = _read_license_key(path, cache_key[1][2])
    except LicenseKeyError as exc:
        _remember(cache_key, exc.message)
        raise
    _remember(cache_key, key)
    return key


def _remember(cache_key: Tuple[str, Identity], outcome: Union[LicenseKey, str]) -> None:
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[cache_key] = outcome


def _read_license_key(path: str, size: int) -> LicenseKey:
    if size > MAX_KEY_FILE_SIZE:
        raise LicenseKeyError(
            "The license key file %s is %d bytes; a license key file is a few KiB at most "
            "(limit %d). Check that it is the key file Axis issued." % (path, size, MAX_KEY_FILE_SIZE)
        )
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_KEY_FILE_SIZE + 1)
    except IsADirectoryError:
        raise LicenseKeyError("The license key path %s is a directory, not a file." % path) from None
    except OSError as exc:
        raise LicenseKeyError("The license key file %s cannot be read: %s." % (path, exc.strerror or exc)) from None
    return parse_license_key(data, path)


def _facts(path: str, identity: Identity) -> Union[Facts, str]:
    """What the folder index keeps of one file (the key's bytes are not kept)."""
    try:
        key = _read_license_key(path, identity[2])
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


def select_key_for_serial(
    src: Union[str, Sequence[str]],
    serial: str,
    product: Optional[str] = None,
    productid: Optional[str] = None,
) -> LicenseKey:
    """Choose the key for a device from a directory or a list of files,
    optionally only among keys for one application. Raises ``LicenseKeyError``
    saying what was found when no key matches."""
    collection = load_keys(src)
    candidates = collection.for_serial(serial)
    if product is not None:
        candidates = [key for key in candidates if key_matches_application(key, product, productid)]
    key = pick_key(candidates, serial)
    if key is None:
        raise LicenseKeyError(no_key_message(collection, serial, product))
    return key


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
