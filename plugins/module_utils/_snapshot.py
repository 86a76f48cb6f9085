# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one run knows about one device, read lazily and at most once.

Every planner asks the snapshot, never the client, for the device's state: the
installed applications (list.cgi), the device facts (param.cgi) and the
config.cgi settings. Each is read the first time it is needed, so a whole-camera
run with nothing to do costs one list.cgi plus the settings it declares, and a
write that confirms by reading again refreshes what the next planner sees.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._device import (
    CONFIG_CGI_MIN_FIRMWARE,
    LIST_CGI_MIN_EMBEDDED_DEVELOPMENT,
    SETTING_OPTIONS,
    DeviceProperties,
    describe_setting_range,
    embedded_development_has_list_cgi,
    firmware_has_config_cgi,
    firmware_supports_setting,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    EndpointNotFoundError,
    UnexpectedResponseError,
    UnsupportedError,
)
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application

OPTION_OF_SETTING: Dict[str, str] = {setting: option for option, setting in SETTING_OPTIONS.items()}


def find_application(applications: List[Application], name: str) -> Optional[Application]:
    for application in applications:
        if application.name == name:
            return application
    return None


class DeviceSnapshot:
    """The device's state as this run has read it. Reads go through the one client."""

    def __init__(self, client: VapixClient) -> None:
        self.client = client
        self._applications: Optional[List[Application]] = None
        self._properties: Optional[DeviceProperties] = None
        self._settings: Dict[str, bool] = {}

    @classmethod
    def already_read(cls, applications: List[Application], properties: Optional[DeviceProperties] = None,
                     settings: Optional[Dict[str, bool]] = None) -> "DeviceSnapshot":
        """A snapshot whose reads are done and that has no client: what a planner decides from in the unit
        tests (a read the planner should not need fails)."""
        snapshot = cls(None)  # type: ignore[arg-type]
        snapshot._applications = list(applications)
        snapshot._properties = properties
        snapshot._settings = dict(settings or {})
        return snapshot

    def applications(self) -> List[Application]:
        if self._applications is None:
            self._applications = self._list_applications()
        return self._applications

    def _list_applications(self) -> List[Application]:
        try:
            return self.client.list_applications()
        except EndpointNotFoundError as exc:
            raise self._without_application_api(exc) from None

    def _without_application_api(self, exc: EndpointNotFoundError) -> AcapError:
        """list.cgi is missing (HTTP 404): name the firmware and what to do, when param.cgi tells why."""
        try:
            device = self.properties()
        except AcapError:
            return exc  # not even param.cgi answers: the 404 message is all there is
        if not device.firmware_version:
            return exc
        what = "This device (%sfirmware %s%s)" % (
            "%s, " % device.product if device.product else "", device.firmware_version,
            ", architecture %s" % device.architecture if device.architecture else "")
        available = device.embedded_development_version
        if available is None:
            reason = (
                "has no VAPIX Application API: list.cgi answers HTTP 404 and param.cgi has no "
                "Properties.EmbeddedDevelopment group, so ACAP applications cannot be installed or managed on it"
            )
        elif embedded_development_has_list_cgi(available) is False:
            reason = (
                "has embedded development %s, and list.cgi (which every task here reads first) needs %s or later"
                % (available, LIST_CGI_MIN_EMBEDDED_DEVELOPMENT)
            )
        else:
            return exc
        return UnsupportedError(
            "%s %s. Upgrade the device to a firmware whose Properties.EmbeddedDevelopment.Version is %s or later, "
            "if the model has one, or leave the device out of this play (for example with a condition on "
            "device.embedded_development_version from vapix.acap.axis_acap_info)."
            % (what, reason, LIST_CGI_MIN_EMBEDDED_DEVELOPMENT),
            http_status=exc.http_status, endpoint=exc.endpoint,
        )

    def application(self, name: str) -> Optional[Application]:
        return find_application(self.applications(), name)

    def reread_application(self, name: str) -> Optional[Application]:
        """Read list.cgi again (after a write) and return ``name``'s entry."""
        self._applications = self._list_applications()
        return find_application(self._applications, name)

    def known_properties(self) -> Optional[DeviceProperties]:
        """The device's properties if this run has read them already, else None (no request)."""
        return self._properties

    def properties(self) -> DeviceProperties:
        if self._properties is None:
            self._properties = self.client.get_device_properties()
        return self._properties

    def setting(self, setting: str) -> bool:
        """config.cgi get, once; a device without the setting fails naming its firmware and the range."""
        if setting not in self._settings:
            self._settings[setting] = self._read_setting(setting)
        return self._settings[setting]

    def reread_setting(self, setting: str) -> bool:
        self._settings[setting] = self.client.get_config(setting)
        return self._settings[setting]

    def remember_setting(self, setting: str, value: bool) -> None:
        self._settings[setting] = value

    def _firmware_or_none(self) -> Optional[str]:
        try:
            return self.properties().firmware_version
        except AcapError:
            return None  # only used to explain another failure; that failure is reported instead

    def _read_setting(self, setting: str) -> bool:
        try:
            return self.client.get_config(setting)
        except EndpointNotFoundError as exc:
            firmware = self._firmware_or_none()
            if firmware and firmware_has_config_cgi(firmware) is False:
                raise UnsupportedError(
                    "This device runs AXIS OS %s, which has no config.cgi (it needs AXIS OS %s or later), so %s "
                    "cannot be read or set; %s exists in %s"
                    % (firmware, CONFIG_CGI_MIN_FIRMWARE, setting, setting, describe_setting_range(setting)),
                    error_code=exc.error_code, http_status=exc.http_status, endpoint="config.cgi",
                ) from None
            raise
        except (DeviceError, UnexpectedResponseError) as exc:
            firmware = self._firmware_or_none()
            if firmware and firmware_supports_setting(firmware, setting) is False:
                option = OPTION_OF_SETTING[setting]
                raise UnsupportedError(
                    "%s (config.cgi %s) is not available on this device: it runs AXIS OS %s and %s exists in %s. "
                    "Leave %s out for this device (for example with a condition on device.firmware_version from "
                    "vapix.acap.axis_acap_info)"
                    % (option, setting, firmware, setting, describe_setting_range(setting), option),
                    error_code=exc.error_code, http_status=exc.http_status, endpoint="config.cgi",
                ) from None
            raise
