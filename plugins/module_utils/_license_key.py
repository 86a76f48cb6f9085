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
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple, Union

from ansible_collections.vapix.acap.plugins.module_utils._errors import LicenseKeyError
from ansible_collections.vapix.acap.plugins.module_utils._key_index import Identity, file_identity
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
    body = _licensekey_element(_parse_key_document(data, where), where)
    product, productid, serial = _key_identity(body, where)
    for secret in ("licensekey", "signature"):
        # Presence only: the values are secret and are never read into messages.
        if _child_text(body, secret) is None:
            raise LicenseKeyError(
                "The %s (product %s, serial number %s) has no <%s>: the file is incomplete."
                % (where, product, serial, secret)
            )
    expires, expires_at = _key_expiry(body, where, product, serial)
    return LicenseKey(
        product=product,
        productid=productid,
        serial_number=normalize_serial(serial),
        expires=expires,
        expires_at=expires_at,
        source=source,
        data=data,
    )


def _parse_key_document(data: bytes, where: str) -> Any:
    """The document's root element; an empty, oversized, DTD-carrying or malformed document is refused."""
    if not data or not data.strip():
        raise LicenseKeyError("The %s is empty." % where)
    if len(data) > MAX_KEY_FILE_SIZE:
        raise LicenseKeyError(
            "The %s is %d bytes; a license key file is a few KiB at most (limit %d). "
            "Check that it is the key file Axis issued." % (where, len(data), MAX_KEY_FILE_SIZE)
        )
    try:
        return parse_untrusted_xml(data)
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


def _licensekey_element(root: Any, where: str) -> Any:
    """``<license><licensekey>``: the element that holds the key's fields."""
    if _localname(root) != "license":
        raise LicenseKeyError(
            "The %s is XML but not a license key: its root element is <%s>, expected <license>."
            % (where, _localname(root))
        )
    body = _child(root, "licensekey")
    if body is None:
        raise LicenseKeyError("The %s has no <licensekey> element under <license>." % where)
    return body


def _key_identity(body: Any, where: str) -> Tuple[str, Optional[str], str]:
    """(product, productid, serial number as written): what the key is for, and which device."""
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
    return product, productid, serial


def _key_expiry(
    body: Any, where: str, product: str, serial: str
) -> Tuple[Optional[datetime.date], Optional[datetime.datetime]]:
    """``<expires>`` as (the date as written, the exact instant); (None, None) for a key that never expires."""
    expires_text = _child_text(body, "expires")
    if expires_text is None:
        return None, None
    try:
        return parse_expiry(expires_text)
    except ValueError:
        raise LicenseKeyError(
            "The %s (product %s, serial number %s) has an <expires> value %r that is not an "
            "ISO 8601 date or date-time." % (where, product, serial, expires_text[:40])
        ) from None


# In one process (the in-process fleet path) the same key file can be named for every camera: parsed
# keys, and the reasons files could not be read, are kept per (path, identity), so each file is parsed
# once and a file that changes in any way (content, inode, permissions) is read again.
_PARSED: Dict[Tuple[str, Identity], Union[LicenseKey, str]] = {}
_PARSED_LIMIT = 50000


def secret_parts(data: bytes) -> List[str]:
    """The texts of a key's secret elements (the ``<licensekey>`` code and the ``<signature>``), for
    redaction (``_secrets``); empty for bytes that are not a readable key (the device judges those)."""
    try:
        root = parse_untrusted_xml(data)
    except (DocumentTypeRefused, MalformedXml, ValueError):
        return []
    return [text for element in root.iter() if _localname(element) in ("licensekey", "signature")
            for text in [(element.text or "").strip()] if text]


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
        key = read_key_file(path, cache_key[1][2])
    except LicenseKeyError as exc:
        _remember(cache_key, exc.message)
        raise
    _remember(cache_key, key)
    return key


def _remember(cache_key: Tuple[str, Identity], outcome: Union[LicenseKey, str]) -> None:
    if len(_PARSED) >= _PARSED_LIMIT:
        _PARSED.clear()
    _PARSED[cache_key] = outcome


def read_key_file(path: str, size: int) -> LicenseKey:
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
