"""The emulator's reader of license key files (acap-formats.md, "The license key file")."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from typing import Any, Dict, Optional

from lxml import etree

INVALID_KEY_FILE = 21


class LicenseKeyError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.code = INVALID_KEY_FILE
        self.reason = reason


@dataclass
class LicenseKey:
    product: str
    productid: str
    serial_number: str
    expires: str  # as written in the key ("" = no expiry)
    license_code: str

    def expiry(self) -> Optional[_dt.datetime]:
        return parse_expiry(self.expires) if self.expires else None

    def expiration_date(self) -> str:
        """``YYYY-MM-DD`` for list.cgi's LicenseExpirationDate ("" when the key never expires)."""
        expiry = self.expiry()
        return expiry.strftime("%Y-%m-%d") if expiry else ""

    def is_expired(self, now: Optional[_dt.datetime] = None) -> bool:
        expiry = self.expiry()
        return expiry is not None and expiry < (now or _dt.datetime.now(_dt.timezone.utc))

    def to_dict(self) -> Dict[str, Any]:
        return {
            "product": self.product,
            "productid": self.productid,
            "serial_number": self.serial_number,
            "expires": self.expires,
            "license_code": self.license_code,
        }

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "LicenseKey":
        return cls(**{key: str(data.get(key) or "") for key in ("product", "productid", "serial_number", "expires", "license_code")})


def parse_expiry(text: str) -> _dt.datetime:
    """``2025-11-14T23:59:59Z`` or ``2025-11-14`` (valid through that day) as an aware UTC datetime."""
    value = text.strip()
    try:
        if len(value) == 10:
            day = _dt.date.fromisoformat(value)
            return _dt.datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=_dt.timezone.utc)
        parsed = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError("expires {0!r} is not an ISO 8601 date or time".format(text)) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_dt.timezone.utc)


def _child_text(element: Any, path: str) -> str:
    found = element.find(path)
    return (found.text or "").strip() if found is not None else ""


def read_license_key(data: bytes) -> LicenseKey:
    """Parse a key file safely (no DTD, no entities, no network); raise LicenseKeyError (21)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise LicenseKeyError("not an XML file: {0}".format(exc)) from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise LicenseKeyError("the key file declares a DTD; license keys never do")
    if root.tag != "license":
        raise LicenseKeyError("root element is <{0}>, not <license>".format(root.tag))
    key = root.find("licensekey")
    if key is None:
        raise LicenseKeyError("no <licensekey> element")
    product, productid = _child_text(key, "product"), _child_text(key, "productid")
    if not product or not productid:
        raise LicenseKeyError("<product> and <productid> are required")
    expires = _child_text(key, "expires")
    if expires:
        try:
            parse_expiry(expires)
        except ValueError as exc:
            raise LicenseKeyError(str(exc)) from None
    return LicenseKey(
        product=product,
        productid=productid,
        serial_number=_child_text(key, "restrictions/serialnumber"),
        expires=expires,
        license_code=_child_text(key, "licensekey"),
    )
