# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The checks of every answer: its HTTP status, an HTML page where the API's reply belongs, and the
``OK`` / ``Error: N`` bodies of the application CGIs. Each failure is the typed error that says what
to do (docs/client.md, Answers).
"""

from __future__ import annotations

import re
from typing import Dict

from ansible_collections.vapix.acap.plugins.module_utils._device import (
    CONFIG_CGI_MIN_FIRMWARE,
    LIST_CGI_MIN_EMBEDDED_DEVELOPMENT,
)
from ansible_collections.vapix.acap.plugins.module_utils._error_codes import describe_error_code, lookup_error_code
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    EndpointNotFoundError,
    PermissionDeniedError,
    ServerError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._transport import Reply
from ansible_collections.vapix.acap.plugins.module_utils._xml import body_snippet

# Why a CGI may be absent (HTTP 404), per the API's identification rules.
_MISSING_ENDPOINT_REASONS: Dict[str, str] = {
    "list.cgi": "list.cgi needs Properties.EmbeddedDevelopment.Version %s or later"
    % LIST_CGI_MIN_EMBEDDED_DEVELOPMENT,
    "config.cgi": "config.cgi needs AXIS OS %s or later" % CONFIG_CGI_MIN_FIRMWARE,
    "info.cgi": "info.cgi is not present on older firmware",
    "param.cgi": "param.cgi is not present on this device",
    "basicdeviceinfo.cgi": "basicdeviceinfo.cgi is not present on older firmware",
}
_DEFAULT_MISSING_REASON = (
    "the VAPIX Application API is not present; it needs a device with Properties.EmbeddedDevelopment.Version"
)

_ERROR_BODY = re.compile(r"^Error:\s*(-?\d+)")
# The text answers in which a device says it refused something (``Error: N`` of the application CGIs,
# ``# Error:`` of param.cgi): the device's answer whatever the HTTP status it comes with.
DEVICE_ERROR_BODY = re.compile(rb"^\s*(# ?Error|Error:\s*-?\d+)")
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html)", re.IGNORECASE)


def check_status(reply: Reply, endpoint: str, address: str, user: object) -> None:
    """2xx, or a device's own refusal in the body (the caller reads it, acap-formats.md: whatever the
    status); any other status raises its typed error."""
    status = reply.status_code
    if 200 <= status < 300:
        return
    if status != 400 or endpoint != "config.cgi":
        if DEVICE_ERROR_BODY.match(reply.content[:64]):
            return
    if status == 403:
        raise PermissionDeniedError(
            "%s denied user %r access to %s (HTTP 403): the Application API needs an administrator "
            "account. Use an administrator's credentials" % (address, user, endpoint),
            http_status=status,
            endpoint=endpoint,
        )
    if status == 404:
        reason = _MISSING_ENDPOINT_REASONS.get(endpoint, _DEFAULT_MISSING_REASON)
        raise EndpointNotFoundError(
            "%s has no %s (HTTP 404): %s; this device's firmware is older or the address is not an Axis "
            "device" % (address, endpoint, reason),
            http_status=status,
            endpoint=endpoint,
        )
    raise _status_error(reply, endpoint, address)


def _status_error(reply: Reply, endpoint: str, address: str) -> AcapError:
    """HTTP 400 from config.cgi, 5xx, a redirect, or any other status the API does not answer with."""
    status = reply.status_code
    if status == 400 and endpoint == "config.cgi":
        # AXIS OS 12.2 and later answer HTTP 400 where older firmware answered Error 1.
        info = lookup_error_code("config.cgi", 1)
        return DeviceError(
            "config.cgi answered HTTP 400 Bad Request (AXIS OS 12.2 and later answer this instead of "
            "Error: 1): %s. %s." % (info.cause if info else "malformed request", info.remedy if info else ""),
            http_status=status,
            endpoint=endpoint,
        )
    if status >= 500:
        return ServerError(
            "%s answered HTTP %d (%s) to %s: the device failed internally, it may be busy or restarting. "
            "Run the task again; if it persists, read the device's system log"
            % (address, status, reply.reason, endpoint),
            http_status=status,
            endpoint=endpoint,
        )
    if 300 <= status < 400:
        return UnexpectedResponseError(
            "%s answered %s with a redirect (HTTP %d) to %s; check use_https and port, the device may "
            "only accept HTTPS" % (address, endpoint, status, reply.headers.get("Location", "?")),
            http_status=status,
            endpoint=endpoint,
        )
    return UnexpectedResponseError(
        "%s answered HTTP %d (%s) to %s (body starts with: %s)"
        % (address, status, reply.reason, endpoint, body_snippet(reply.content)),
        http_status=status,
        endpoint=endpoint,
    )


def reject_html(reply: Reply, endpoint: str, address: str) -> None:
    """An HTML page (a login page, a proxy, a captive portal) where the API's reply belongs."""
    content_type = reply.headers.get("Content-Type", "").lower()
    if "text/html" in content_type or _HTML_START.match(reply.content[:512]):
        raise UnexpectedResponseError(
            "%s answered %s with an HTML page instead of the API's reply (a login page, a proxy or a "
            "captive portal?). Check that hostname and port reach the camera itself, and the "
            "credentials (body starts with: %s)" % (address, endpoint, body_snippet(reply.content)),
            http_status=reply.status_code,
            endpoint=endpoint,
        )


def check_text_result(reply: Reply, endpoint: str, address: str) -> str:
    """``OK`` (a body starting with OK is success) or ``Error: N`` -> DeviceError."""
    reject_html(reply, endpoint, address)
    text = reply.content.decode("utf-8", "replace").strip()
    if text.startswith("OK"):
        return text
    match = _ERROR_BODY.match(text)
    if match:
        code = int(match.group(1))
        raise DeviceError(
            describe_error_code(endpoint, code),
            error_code=code,
            http_status=reply.status_code,
            endpoint=endpoint,
        )
    raise UnexpectedResponseError(
        "%s answered %s with neither OK nor Error: N (body starts with: %s); the address may not be an "
        "Axis device or the answer was cut off" % (address, endpoint, body_snippet(reply.content)),
        http_status=reply.status_code,
        endpoint=endpoint,
    )
