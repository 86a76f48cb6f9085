# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one VAPIX client every module uses: ``VapixClient``, the calls of the Application API (list.cgi,
info.cgi, config.cgi, upload.cgi, control.cgi, license.cgi) on top of param.cgi's (``_param_cgi``).

Under it, one concern a file: the session with its retries (``_session``), authentication (``_auth``),
one request on the wire with its deadline (``_transport``, ``_deadlines``, ``_upload_body``), the checks
of every answer (``_reply_checks``) and where the device is (``_addresses``). Every failure leaves the
client as one of the typed errors of ``_errors.py``, never as a ``requests`` exception. See
docs/client.md.
"""

from __future__ import annotations

import time
from typing import Any, Dict, List, Mapping

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, DeviceError, UnexpectedResponseError
from ansible_collections.vapix.acap.plugins.module_utils._license_key import secret_parts
from ansible_collections.vapix.acap.plugins.module_utils._param_cgi import ParamCgiCalls
from ansible_collections.vapix.acap.plugins.module_utils._upload_body import FileUpload, MultipartFile
from ansible_collections.vapix.acap.plugins.module_utils._xml import (
    Application,
    parse_config_reply,
    parse_info_reply,
    parse_list_reply,
)

CONTROL_ACTIONS = ("start", "stop", "restart", "remove")


class VapixClient(ParamCgiCalls):
    """The VAPIX Application API of one device. Methods raise ``AcapError`` subclasses only."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "VapixClient":
        return cls(ConnectionSettings.from_params(params))

    def list_applications(self) -> List[Application]:
        """POST list.cgi -> the installed applications."""
        return self._read("list.cgi", lambda: self._post_xml("list.cgi", parse_list_reply))

    def get_supported_sdks(self) -> List[str]:
        """POST info.cgi -> SDK names (``acap3``, ``acap4-native`` ...)."""
        return self._read("info.cgi", lambda: self._post_xml("info.cgi", parse_info_reply))

    def get_config(self, name: str) -> bool:
        """config.cgi action=get for setting ``name`` (``AllowUnsigned``, ``AllowRoot``)."""
        def read() -> bool:
            settings = self._post_xml("config.cgi", parse_config_reply, params={"action": "get", "name": name})
            return self._config_value(name, settings)

        return self._read("config.cgi", read)

    def set_config(self, name: str, value: bool) -> bool:
        """config.cgi action=set; returns the value the device echoes."""
        settings = self._post_xml(
            "config.cgi",
            parse_config_reply,
            params={"action": "set", "name": name, "value": "true" if value else "false"},
        )
        return self._config_value(name, settings)

    def upload_package(self, filename: str, path: str) -> None:
        """POST upload.cgi (multipart part ``packfil``) with the package at ``path``, streamed from
        disk; the device installs it.

        Error 12 (another upload in progress) is resent after a pause: the
        device did nothing with this request. Nothing else is resent, except
        after a Digest challenge whose nonce had gone stale. Every send reads
        the file again from its start."""
        upload = FileUpload("packfil", filename, path)
        MultipartFile(upload).close()  # an unreadable file fails before anything is sent
        attempt = 0
        while True:
            try:
                reply = self._send("POST", "upload.cgi", upload=upload)
                self._check_text_result(reply, "upload.cgi")
                return
            except DeviceError as exc:
                if exc.error_code != 12 or attempt >= self.settings.upload_busy_retries:
                    raise
            attempt += 1
            time.sleep(self.settings.upload_busy_pause)

    def control(self, action: str, package: str) -> None:
        """POST control.cgi ``action`` (start, stop, restart, remove) on ``package``.

        Errors 6 (already running) and 7 (not running) are raised like any
        other ``DeviceError``: whether they mean "nothing to do" is the
        caller's decision.
        """
        if action not in CONTROL_ACTIONS:
            raise AcapError("control.cgi action must be one of %s, not %r" % (", ".join(CONTROL_ACTIONS), action))
        reply = self._send("POST", "control.cgi", params={"action": action, "package": package})
        self._check_text_result(reply, "control.cgi")

    def upload_license(self, package: str, filename: str, data: bytes) -> None:
        """POST license.cgi action=uploadlicensekey (multipart part ``licenseKey``)."""
        self.secrets.add_all(secret_parts(data))  # a device may quote the key in its answer
        reply = self._send(
            "POST",
            "license.cgi",
            params={"action": "uploadlicensekey", "package": package},
            files={"licenseKey": (filename, data, "application/octet-stream")},
        )
        self._check_text_result(reply, "license.cgi")

    def remove_license(self, package: str) -> None:
        """POST license.cgi action=removelicensekey."""
        reply = self._send("POST", "license.cgi", params={"action": "removelicensekey", "package": package})
        self._check_text_result(reply, "license.cgi")

    def _config_value(self, name: str, settings: Dict[str, bool]) -> bool:
        if name not in settings:
            raise UnexpectedResponseError(
                "config.cgi answered without a value for %s (it answered %s)"
                % (name, ", ".join(sorted(settings)) or "no settings"),
                endpoint="config.cgi",
            )
        return settings[name]
