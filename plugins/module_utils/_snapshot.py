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
    SETTING_OPTIONS,
    DeviceProperties,
    describe_setting_range,
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

    def applications(self) -> List[Application]:
        if self._applications is None:
            self._applications = self.client.list_applications()
        return self._applications

    def application(self, name: str) -> Optional[Application]:
        return find_application(self.applications(), name)

    def reread_application(self, name: str) -> Optional[Application]:
        """Read list.cgi again (after a write) and return ``name``'s entry."""
        self._applications = self.client.list_applications()
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
