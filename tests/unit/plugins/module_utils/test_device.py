# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._device import (
    DeviceProperties,
    config_setting_range,
    describe_setting_range,
    embedded_development_has_list_cgi,
    firmware_has_config_cgi,
    firmware_supports_setting,
    param_list_errors,
    parse_param_list,
)

PARAM_CGI_ANSWER = """root.Properties.Firmware.Version=11.11.73
root.Properties.EmbeddedDevelopment.Version=3.5
root.Properties.System.SerialNumber=B8A44F45D624
root.Properties.System.Architecture=aarch64
root.Brand.ProdShortName=AXIS M3086-V
root.Some.Url=http://x/?a=b=c
"""


def test_parse_param_list_real_answer():
    parameters = parse_param_list(PARAM_CGI_ANSWER)
    assert parameters["Properties.Firmware.Version"] == "11.11.73"
    assert parameters["Brand.ProdShortName"] == "AXIS M3086-V"
    assert parameters["Some.Url"] == "http://x/?a=b=c"  # split on the first "=" only
    properties = DeviceProperties.from_parameters(parameters)
    assert properties.to_dict() == {
        "firmware_version": "11.11.73",
        "embedded_development_version": "3.5",
        "serial_number": "B8A44F45D624",
        "architecture": "aarch64",
        "product": "AXIS M3086-V",
    }


def test_param_list_error_lines_are_skipped_and_reported():
    text = "# Error: Error -1 getting param in group 'Properties.EmbeddedDevelopment.Version'\n" \
           "root.Properties.Firmware.Version=9.80.1\n\n"
    parameters = parse_param_list(text)
    assert parameters == {"Properties.Firmware.Version": "9.80.1"}
    assert param_list_errors(text) == ["Error: Error -1 getting param in group 'Properties.EmbeddedDevelopment.Version'"]
    properties = DeviceProperties.from_parameters(parameters)
    assert properties.embedded_development_version is None


def test_basic_device_info_properties():
    properties = DeviceProperties.from_basic_device_info(
        {"SerialNumber": "ACCC8E000001", "Version": "10.12.1", "Architecture": "armv7hf", "ProdShortName": "AXIS P1448-LE",
         "Brand": "AXIS"}
    )
    assert properties.firmware_version == "10.12.1"
    assert properties.embedded_development_version is None
    assert properties.product == "AXIS P1448-LE"


@pytest.mark.parametrize(
    "firmware, has_config, unsigned, root",
    [
        ("10.12.1", False, False, False),
        ("11.1.9", False, False, False),
        ("11.2.0", True, True, False),
        ("11.4", True, True, False),
        ("11.5", True, True, True),
        ("11.11.73", True, True, True),  # every 11.11.x is inside "11.5 to 11.11"
        ("12.0", True, True, False),
        ("12.6.1", True, True, False),
    ],
)
def test_firmware_feature_rules(firmware, has_config, unsigned, root):
    assert firmware_has_config_cgi(firmware) is has_config
    assert firmware_supports_setting(firmware, "AllowUnsigned") is unsigned
    assert firmware_supports_setting(firmware, "AllowRoot") is root


def test_setting_ranges():
    assert config_setting_range("AllowRoot") == ("11.5", "11.11")
    assert config_setting_range("AllowUnsigned") == ("11.2", None)
    assert describe_setting_range("AllowRoot") == "AXIS OS 11.5 to 11.11"
    assert describe_setting_range("AllowUnsigned") == "AXIS OS 11.2 and later"
    assert firmware_supports_setting("12.0", "NoSuchSetting") is False


@pytest.mark.parametrize("version, has_list", [("1.10", False), ("1.19", False), ("1.20", True), ("1.2", False),
                                               ("2.0", True), ("3.5", True)])
def test_list_cgi_rule(version, has_list):
    assert embedded_development_has_list_cgi(version) is has_list
