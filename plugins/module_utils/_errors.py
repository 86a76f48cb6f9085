# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors raised by the collection's module_utils.

Every failure a module can report is one of these. Module code never calls
``fail_json`` itself: ``_module.run_module`` turns an ``AcapError`` into the
module result in one place, with ``error_code``, ``http_status`` and
``endpoint`` where they are known, and with ``result`` (what was already done
on the device, for example ``changed`` and ``actions``) so that a failure
never hides a change.
"""

from __future__ import annotations

from typing import Any, Dict, Optional


class AcapError(Exception):
    """Base class: a message for a person, plus machine-readable context."""

    def __init__(
        self,
        message: str,
        error_code: Optional[int] = None,
        http_status: Optional[int] = None,
        endpoint: Optional[str] = None,
        result: Optional[Dict[str, Any]] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code
        self.http_status = http_status
        self.endpoint = endpoint
        # What had already happened when the error was raised (changed, actions, ...).
        self.result: Dict[str, Any] = dict(result or {})

    def restated(self, message: str) -> "AcapError":
        """A new error of this kind (whatever its own constructor takes) with ``message`` and this one's code,
        HTTP status, endpoint and result: errors are never changed in flight, a caller that knows more
        raises a new one."""
        error = type(self).__new__(type(self))
        AcapError.__init__(error, message, error_code=self.error_code, http_status=self.http_status,
                           endpoint=self.endpoint, result=self.result)
        return error

    def to_result(self) -> Dict[str, Any]:
        """The keys a failed module result carries besides ``msg``."""
        data: Dict[str, Any] = dict(self.result)
        data["error_code"] = self.error_code
        data["http_status"] = self.http_status
        if self.endpoint is not None:
            data["endpoint"] = self.endpoint
        if isinstance(self, DeviceUnreachableError):
            # The drift report (and Ansible's is_unreachable) tell "no answer" from a refusal by this key.
            data["unreachable"] = True
        return data

    def __str__(self) -> str:
        return self.message


class ParameterError(AcapError):
    """The task's parameters are invalid (found before anything is sent)."""


class DeviceUnreachableError(AcapError):
    """No answer: connection refused, timed out, DNS failure, connection dropped."""


class TlsError(AcapError):
    """The TLS handshake failed, usually certificate verification."""


class AuthenticationError(AcapError):
    """HTTP 401: wrong credentials or an authentication scheme the device refuses."""


class PermissionDeniedError(AcapError):
    """HTTP 403, or 401 for a user who is known but lacks the admin role."""


class EndpointNotFoundError(AcapError):
    """HTTP 404: the CGI does not exist on this device's firmware."""


class UnexpectedResponseError(AcapError):
    """The device answered something that is not what the API documents
    (an HTML page, garbage, truncated XML, an HTTP 5xx)."""


class DeviceError(AcapError):
    """The device answered with a documented error code (``Error: N`` or an XML error)."""


class UnsupportedError(AcapError):
    """The device's firmware lacks a feature the task needs."""


class PackageError(AcapError):
    """A local .eap package is missing, unreadable or malformed."""


class LicenseKeyError(AcapError):
    """A local license key file is missing, unreadable or malformed."""


class PreflightError(AcapError):
    """A check made before anything is sent to the device failed
    (architecture, SDK version, signing policy, name clash, key mismatch...)."""


class OutcomeUnknownError(AcapError):
    """An operation was sent but its outcome could not be determined, even after
    reading the device state again."""


# Finer kinds the client raises, so callers can tell what happened (a retry is
# safe after a dropped connection only for requests that change nothing;
# after a dropped upload the caller must read the device state again).


class ConnectionDroppedError(DeviceUnreachableError):
    """The connection was closed before a complete answer arrived."""


class DeviceTimeoutError(DeviceUnreachableError):
    """No answer (or no complete answer) within the timeout."""


class ServerError(UnexpectedResponseError):
    """HTTP 5xx: the device failed internally; it may be busy or restarting."""
