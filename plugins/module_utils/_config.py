# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_config: the device-wide application settings of config.cgi.

Reads each given setting with ``action=get`` (one request per setting), sets
only those that differ. The firmware version is read (param.cgi) only when
config.cgi shows that a setting or config.cgi itself is unavailable, to say
which firmware has it: a run on a device that has the settings costs no
param.cgi request.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._device import (
    CONFIG_CGI_MIN_FIRMWARE,
    SETTING_OPTIONS,
    describe_setting_range,
    firmware_has_config_cgi,
    firmware_supports_setting,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    DeviceUnreachableError,
    EndpointNotFoundError,
    OutcomeUnknownError,
    ServerError,
    UnexpectedResponseError,
    UnsupportedError,
)
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec

_OPTION_OF_SETTING = {setting: option for option, setting in SETTING_OPTIONS.items()}


def _as_options(settings: Dict[str, bool]) -> Dict[str, bool]:
    return {_OPTION_OF_SETTING[name]: value for name, value in settings.items()}


def _firmware_version(client: VapixClient) -> Optional[str]:
    try:
        return client.get_device_properties().firmware_version
    except AcapError:
        return None  # only used to explain another failure; that failure is reported instead


def _unsupported(setting: str, firmware: str, cause: AcapError) -> UnsupportedError:
    option = _OPTION_OF_SETTING[setting]
    return UnsupportedError(
        "%s (config.cgi %s) is not available on this device: it runs AXIS OS %s and %s exists in %s. "
        "Leave %s out for this device (for example with a condition on device.firmware_version from "
        "vapix.acap.axis_acap_info)" % (option, setting, firmware, setting, describe_setting_range(setting), option),
        error_code=cause.error_code,
        http_status=cause.http_status,
        endpoint="config.cgi",
    )


def read_setting(client: VapixClient, setting: str) -> bool:
    """config.cgi get, with a message naming the firmware and the range when the device lacks it."""
    try:
        return client.get_config(setting)
    except EndpointNotFoundError as exc:
        firmware = _firmware_version(client)
        if firmware and not firmware_has_config_cgi(firmware):
            raise UnsupportedError(
                "This device runs AXIS OS %s, which has no config.cgi (it needs AXIS OS %s or later), so %s "
                "cannot be read or set; %s exists in %s"
                % (firmware, CONFIG_CGI_MIN_FIRMWARE, setting, setting, describe_setting_range(setting)),
                error_code=exc.error_code,
                http_status=exc.http_status,
                endpoint="config.cgi",
            ) from None
        raise
    except (DeviceError, UnexpectedResponseError) as exc:
        firmware = _firmware_version(client)
        if firmware and not firmware_supports_setting(firmware, setting):
            raise _unsupported(setting, firmware, exc) from None
        raise


def _set_setting(client: VapixClient, setting: str, value: bool) -> bool:
    """config.cgi set. When the answer is lost (dropped connection, timeout, HTTP 5xx) the set is not
    resent: the setting is read again, and a device that shows the wanted value counts as done."""
    try:
        return client.set_config(setting, value)
    except (DeviceUnreachableError, ServerError) as exc:
        try:
            current = client.get_config(setting)
        except AcapError as reread_error:
            raise OutcomeUnknownError(
                "config.cgi set %s=%s got no answer (%s), and reading the setting again failed too (%s); the "
                "device may or may not have the new value. Run the task again once the device answers"
                % (setting, "true" if value else "false", exc.message, reread_error.message),
                endpoint="config.cgi",
            ) from None
        if current == value:
            return current
        raise


def run(client: VapixClient, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    wanted: Dict[str, bool] = {
        setting: bool(params[option]) for option, setting in SETTING_OPTIONS.items() if params.get(option) is not None
    }
    if not wanted:
        raise AcapError("Give at least one of %s" % ", ".join(sorted(SETTING_OPTIONS)))

    before = {setting: read_setting(client, setting) for setting in wanted}
    planned = [(setting, value) for setting, value in wanted.items() if before[setting] != value]
    actions: List[str] = ["set %s=%s" % (setting, "true" if value else "false") for setting, value in planned]

    after = dict(before)
    if check_mode:
        after.update(planned)
    else:
        done: List[str] = []
        for (setting, value), action in zip(planned, actions):
            try:
                echoed = _set_setting(client, setting, value)
                if echoed != value:
                    raise DeviceError(
                        "config.cgi accepted %s but answered %s=%s: the device did not apply the value. Read the "
                        "device's system log" % (action, setting, "true" if echoed else "false"),
                        endpoint="config.cgi",
                    )
            except AcapError as exc:
                # Tell the truth about what was already changed before this failure.
                exc.result.update(changed=bool(done), actions=list(done), config=_as_options(after))
                raise
            after[setting] = echoed
            done.append(action)

    return {
        "changed": bool(actions),
        "actions": actions,
        "config": _as_options(after),
        "diff": {"before": _as_options(before), "after": _as_options(after)},
    }


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "allow_unsigned": {"type": "bool"},
        "allow_root": {"type": "bool"},
    },
    logic=run,
    constraints={"required_one_of": [("allow_unsigned", "allow_root")]},
)
