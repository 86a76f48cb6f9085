# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure parsers of the XML replies of list.cgi, config.cgi and info.cgi.

The parser is locked down: no entity expansion, no DTD loading, no network,
no huge trees. A device (or something pretending to be one) cannot make the
controller read files or fetch URLs through its reply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._error_codes import describe_error_code
from ansible_collections.vapix.acap.plugins.module_utils._errors import DeviceError, UnexpectedResponseError
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import (
    HAS_LXML,
    DocumentTypeRefused,
    MalformedXml,
    etree,
    parse_untrusted_xml,
)


# list.cgi attribute -> Application field, in the order of the API's schema.
APPLICATION_ATTRIBUTES: Dict[str, str] = {
    "Name": "name",
    "NiceName": "nice_name",
    "Vendor": "vendor",
    "Version": "version",
    "ApplicationID": "application_id",
    "Status": "status",
    "License": "license",
    "LicenseExpirationDate": "license_expiration_date",
    "ConfigurationPage": "configuration_page",
    "VendorHomePage": "vendor_home_page",
    "LicenseName": "license_name",
    "ValidationResult": "validation_result",
}


@dataclass
class Application:
    """One ``<application>`` of list.cgi. Missing attributes are None; attributes
    the schema does not name are kept, as sent, in ``extra``."""

    name: str
    nice_name: Optional[str] = None
    vendor: Optional[str] = None
    version: Optional[str] = None
    application_id: Optional[str] = None
    status: Optional[str] = None
    license: Optional[str] = None
    license_expiration_date: Optional[str] = None
    configuration_page: Optional[str] = None
    vendor_home_page: Optional[str] = None
    license_name: Optional[str] = None
    validation_result: Optional[str] = None
    extra: Dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        data: Dict[str, Any] = {name: getattr(self, name) for name in APPLICATION_ATTRIBUTES.values()}
        data["extra"] = dict(self.extra)
        return data


_SNIPPET_LENGTH = 120


def body_snippet(body: bytes) -> str:
    """The start of a body, printable, for error messages."""
    text = body[:_SNIPPET_LENGTH].decode("utf-8", "replace")
    text = re.sub(r"\s+", " ", text).strip()
    if len(body) > _SNIPPET_LENGTH:
        text += "..."
    return text or "(empty body)"


def _doctype_refused(endpoint: str) -> UnexpectedResponseError:
    return UnexpectedResponseError(
        "%s answered XML with a document type declaration (<!DOCTYPE>), which no Axis device sends; "
        "refused for safety. Check that hostname and port reach the camera itself" % endpoint,
        endpoint=endpoint,
    )


def parse_reply(body: bytes, endpoint: str) -> "etree._Element":
    """Parse a ``<reply>`` document and raise for an error reply.

    Garbage, truncated XML, a root element other than ``<reply>`` ->
    ``UnexpectedResponseError``; ``<reply result="error">`` -> ``DeviceError``
    with the error ``type`` as code.
    """
    if not HAS_LXML:
        raise UnexpectedResponseError("The lxml Python library is required to read %s replies" % endpoint)
    if not body or not body.strip():
        raise UnexpectedResponseError(
            "%s answered an empty body where an XML <reply> was expected" % endpoint, endpoint=endpoint
        )
    try:
        root = parse_untrusted_xml(body)
    except DocumentTypeRefused:
        raise _doctype_refused(endpoint) from None
    except MalformedXml as exc:
        raise UnexpectedResponseError(
            "%s answered something that is not well-formed XML (%s; body starts with: %s). "
            "The reply may have been cut off or the address may not be an Axis device"
            % (endpoint, exc.detail, body_snippet(body)),
            endpoint=endpoint,
        ) from None
    if not isinstance(root.tag, str) or root.tag != "reply":
        raise UnexpectedResponseError(
            "%s answered XML without the <reply> element the API documents (body starts with: %s)"
            % (endpoint, body_snippet(body)),
            endpoint=endpoint,
        )
    result = (root.get("result") or "").strip().lower()
    if result == "error":
        raise _error_from_reply(root, endpoint)
    if result not in ("ok", ""):
        raise UnexpectedResponseError(
            '%s answered <reply result="%s">, neither "ok" nor "error"' % (endpoint, root.get("result")),
            endpoint=endpoint,
        )
    return root


def _error_from_reply(root: "etree._Element", endpoint: str) -> DeviceError:
    error = root.find("error")
    raw_type = error.get("type") if error is not None else None
    device_message = (error.get("message") if error is not None else None) or ""
    try:
        code: Optional[int] = int(raw_type) if raw_type is not None else None
    except ValueError:
        code = None
    if code is None:
        message = "%s answered an error without a numeric code" % endpoint
        if raw_type:
            message += " (type %r)" % raw_type
    else:
        message = describe_error_code(endpoint, code)
    if device_message:
        message += " The device said: %s" % device_message.strip()
    return DeviceError(message, error_code=code, endpoint=endpoint)


def parse_list_reply(body: bytes) -> List[Application]:
    """list.cgi: ``<reply result="ok"><application Name=... /></reply>``."""
    root = parse_reply(body, "list.cgi")
    applications: List[Application] = []
    for element in root.iter("application"):
        attributes = dict(element.attrib)
        name = attributes.pop("Name", None)
        if not name:
            raise UnexpectedResponseError(
                "list.cgi answered an <application> without the required Name attribute (%s)"
                % body_snippet(etree.tostring(element)),
                endpoint="list.cgi",
            )
        known: Dict[str, Any] = {}
        for attribute, field_name in APPLICATION_ATTRIBUTES.items():
            if attribute in attributes:
                known[field_name] = attributes.pop(attribute)
        applications.append(Application(name=name, extra=attributes, **known))
    return applications


_BOOLEANS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def parse_bool(value: Optional[str], endpoint: str, name: str) -> bool:
    """A device boolean (``true``/``false``, any case)."""
    if value is None or value.strip().lower() not in _BOOLEANS:
        raise UnexpectedResponseError(
            "%s answered %r for %s where true or false was expected" % (endpoint, value, name),
            endpoint=endpoint,
        )
    return _BOOLEANS[value.strip().lower()]


def parse_config_reply(body: bytes) -> Dict[str, bool]:
    """config.cgi: ``<reply result="ok"><param name="AllowUnsigned" value="true" /></reply>``."""
    root = parse_reply(body, "config.cgi")
    settings: Dict[str, bool] = {}
    for element in root.iter("param"):
        name = element.get("name")
        if not name:
            raise UnexpectedResponseError(
                "config.cgi answered a <param> without a name attribute", endpoint="config.cgi"
            )
        settings[name] = parse_bool(element.get("value"), "config.cgi", name)
    return settings


def parse_info_reply(body: bytes) -> List[str]:
    """info.cgi: ``<reply result="ok"><supportedSdks><sdk>acap3</sdk>...``."""
    root = parse_reply(body, "info.cgi")
    return [(element.text or "").strip() for element in root.iter("sdk") if (element.text or "").strip()]
