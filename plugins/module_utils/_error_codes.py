# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Catalog of the Application API's error codes: cause and what to do.

The device answers most failures with HTTP 200 and a body ``Error: N``
(upload.cgi, control.cgi, license.cgi) or ``<reply result="error">``
(config.cgi). A bare number helps nobody, so every documented code maps to a
cause and a remedy here, and the client builds its ``DeviceError`` messages
from this table only:

    "<endpoint> answered Error: <N>: <cause>. <what to do>"
"""

from __future__ import annotations

from typing import Dict, NamedTuple, Optional


class ErrorCodeInfo(NamedTuple):
    cause: str
    remedy: str


_SEE_LOG = "Read the device's system log (System > Logs) for the reason"

# Keys are the CGI file names as they appear in the API (endpoint names in messages).
ERROR_CODES: Dict[str, Dict[int, ErrorCodeInfo]] = {
    "upload.cgi": {
        1: ErrorCodeInfo(
            "invalid package: the file is not an Embedded Axis Package (.eap)",
            "Check that the file is an .eap built with the ACAP SDK and was not truncated or altered",
        ),
        2: ErrorCodeInfo(
            "verification failed: the device refuses unsigned packages, or the signature is invalid",
            "Set allow_unsigned: true with vapix.acap.axis_acap_config (AXIS OS 11.2 to 12.x) "
            "or upload a package signed by the vendor",
        ),
        3: ErrorCodeInfo(
            "package too large: the package is too large or the device's disk is full",
            "Remove unused applications from the device or use a smaller package",
        ),
        5: ErrorCodeInfo(
            "package not compatible with this device (architecture, SDK or firmware version)",
            "Use the package built for this device's architecture and firmware; " + _SEE_LOG,
        ),
        10: ErrorCodeInfo("unspecified error", _SEE_LOG),
        12: ErrorCodeInfo(
            "upload currently unavailable: another package upload is in progress",
            "Wait for the other upload to finish and run the task again",
        ),
        13: ErrorCodeInfo(
            "installation failed: the package requires a user or group that the device does not allow "
            "(for example root)",
            "Use a package that runs as a non-root user, or set allow_root: true with "
            "vapix.acap.axis_acap_config where the firmware has it (AXIS OS 11.5 to 11.11)",
        ),
        14: ErrorCodeInfo(
            "the package already exists on the device with a different letter case in its name",
            "Remove the installed application with that name first, or use the same name spelling",
        ),
        15: ErrorCodeInfo(
            "operation timed out: the outcome could not be determined",
            "List the applications to see whether it was installed; " + _SEE_LOG,
        ),
        29: ErrorCodeInfo(
            "invalid manifest.json or package.conf in the package",
            "Validate the package's manifest against the ACAP manifest schema and rebuild it",
        ),
    },
    "control.cgi": {
        1: ErrorCodeInfo(
            "invalid package: the application is not an Embedded Axis Package or has an invalid manifest",
            "Reinstall the application from a valid package",
        ),
        4: ErrorCodeInfo(
            "application not found: no installed application has that name",
            "Check the application's short name (list.cgi Name / manifest appName), it is case sensitive",
        ),
        6: ErrorCodeInfo("the application is already running", "Nothing to do"),
        7: ErrorCodeInfo(
            "the application is not running; the action needs a running application",
            "Start the application first",
        ),
        8: ErrorCodeInfo(
            "the application could not be started (seen on real devices, not in the API documentation)",
            "Check that the application's license and configuration are valid; " + _SEE_LOG,
        ),
        9: ErrorCodeInfo(
            "too many applications are running; this device cannot start another one "
            "(a limit of AXIS OS before 12.6)",
            "Stop another application first, or upgrade the device to AXIS OS 12.6 or later",
        ),
        10: ErrorCodeInfo("unspecified error", _SEE_LOG),
        15: ErrorCodeInfo(
            "operation timed out: the outcome could not be determined",
            "List the applications to see the application's status; " + _SEE_LOG,
        ),
    },
    "config.cgi": {
        1: ErrorCodeInfo(
            "malformed request: the value must be true or false, or the setting does not exist on "
            "this firmware",
            "Use a boolean value and a setting this firmware has (AllowUnsigned from AXIS OS 11.2, "
            "AllowRoot in AXIS OS 11.5 to 11.11)",
        ),
    },
    "license.cgi": {
        21: ErrorCodeInfo(
            "invalid license key file",
            "Use the license key file (XML) exactly as downloaded from Axis's license portal",
        ),
        22: ErrorCodeInfo("license key file upload failed", _SEE_LOG),
        23: ErrorCodeInfo("failed to remove the license key file", _SEE_LOG),
        24: ErrorCodeInfo(
            "the application is not installed",
            "Install the application before its license key",
        ),
        25: ErrorCodeInfo(
            "the key's application ID does not match the installed application",
            "Use the license key generated for this application",
        ),
        26: ErrorCodeInfo(
            "the license key cannot be used with this version of the application",
            "Get a license key for the installed application version, or install the version the key is for",
        ),
        30: ErrorCodeInfo(
            "wrong serial number: the key was generated for another device",
            "Use the key generated for this device's serial number (one key per device)",
        ),
        31: ErrorCodeInfo(
            "the license key has expired",
            "Get a new license key from Axis's license portal",
        ),
    },
}


def lookup_error_code(endpoint: str, code: int) -> Optional[ErrorCodeInfo]:
    """The catalog entry for ``code`` on ``endpoint`` (``"upload.cgi"`` ...), or None."""
    return ERROR_CODES.get(endpoint, {}).get(code)


def describe_error_code(endpoint: str, code: int) -> str:
    """The message for a device's error answer; unknown codes say so instead of guessing."""
    info = lookup_error_code(endpoint, code)
    if info is None:
        return (
            "%s answered Error: %d, a code the VAPIX Application API does not document. %s."
            % (endpoint, code, _SEE_LOG)
        )
    return "%s answered Error: %d: %s. %s." % (endpoint, code, info.cause, info.remedy)
