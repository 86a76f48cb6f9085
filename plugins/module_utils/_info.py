# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_info: everything the Application API tells about a device.

Read-only. Old firmware lacks some CGIs (list.cgi below EmbeddedDevelopment
1.20, config.cgi below AXIS OS 11.2, info.cgi on old firmware): instead of
failing, the result lists what is missing and why under ``missing``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._device import (
    CONFIG_CGI_MIN_FIRMWARE,
    CONFIG_SETTINGS,
    LIST_CGI_MIN_EMBEDDED_DEVELOPMENT,
    SETTING_OPTIONS,
    DeviceProperties,
    embedded_development_has_list_cgi,
    firmware_has_config_cgi,
    firmware_supports_setting,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    DeviceError,
    EndpointNotFoundError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._parameter_reads import read_all_parameters

_OPTION_OF_SETTING = {setting: option for option, setting in SETTING_OPTIONS.items()}


def _has(value: Optional[str]) -> str:
    return "device has %s" % value if value else "device version unknown"


def _read_applications(client: VapixClient, device: DeviceProperties, missing: List[str]) -> List[Dict[str, Any]]:
    """list.cgi's applications; [] with the reason in ``missing`` where the firmware has no list.cgi."""
    embedded = device.embedded_development_version
    no_list_cgi = "list.cgi: needs EmbeddedDevelopment >= %s (%s)" % (LIST_CGI_MIN_EMBEDDED_DEVELOPMENT, _has(embedded))
    if embedded and embedded_development_has_list_cgi(embedded) is False:
        missing.append(no_list_cgi)
        return []
    try:
        return [application.to_dict() for application in client.list_applications()]
    except EndpointNotFoundError:
        missing.append(no_list_cgi)
        return []


def _read_config(client: VapixClient, device: DeviceProperties, missing: List[str]) -> Dict[str, bool]:
    """config.cgi's settings by option name; what the firmware lacks goes to ``missing``."""
    config: Dict[str, bool] = {}
    firmware = device.firmware_version
    no_config_cgi = "config.cgi: needs AXIS OS >= %s (%s)" % (CONFIG_CGI_MIN_FIRMWARE, _has(firmware))
    if firmware and firmware_has_config_cgi(firmware) is False:
        missing.append(no_config_cgi)
        return config
    for setting in CONFIG_SETTINGS:
        if firmware and firmware_supports_setting(firmware, setting) is False:
            continue  # not a gap: this firmware simply has no such setting
        try:
            config[_OPTION_OF_SETTING[setting]] = client.get_config(setting)
        except EndpointNotFoundError:
            missing.append(no_config_cgi)
            break
        except (DeviceError, UnexpectedResponseError) as exc:
            if firmware and firmware_supports_setting(firmware, setting):
                raise  # the firmware should have it: a real failure, not a gap
            # Firmware unknown: the refusal may only mean this firmware lacks the setting; say so.
            missing.append("config.cgi %s: %s" % (setting, exc.message))
    return config


def run(client: VapixClient, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    """Read device properties, applications (and their parameters), supported SDKs and the application settings."""
    missing: List[str] = []

    try:
        device = client.get_device_properties()
    except (EndpointNotFoundError, UnexpectedResponseError, DeviceError) as exc:
        # Without device facts the other reads still work; decide from their answers instead.
        missing.append("device properties: %s" % exc.message)
        device = DeviceProperties()

    applications = _read_applications(client, device, missing)

    # One param.cgi read for every application's parameters (and one listdefinitions when a value could
    # be a password's); passwords apart, masked.
    parameters: Dict[str, Dict[str, str]] = {}
    secret_parameters: Dict[str, Dict[str, str]] = {}
    try:
        parameters, secret_parameters = read_all_parameters(client, [application["name"] for application in applications])
    except (EndpointNotFoundError, UnexpectedResponseError, DeviceError) as exc:
        missing.append("application parameters (param.cgi): %s" % exc.message)

    supported_sdks: List[str] = []
    try:
        supported_sdks = client.get_supported_sdks()
    except EndpointNotFoundError:
        missing.append("info.cgi: not present on this firmware (%s)" % _has(device.firmware_version))

    config = _read_config(client, device, missing)

    return {
        "changed": False,
        "applications": applications,
        "parameters": parameters,
        "secret_parameters": secret_parameters,
        "supported_sdks": supported_sdks,
        "config": config,
        "device": device.report(),
        "missing": missing,
        "diff": {"before": {}, "after": {}},
    }


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(options={}, logic=run)
