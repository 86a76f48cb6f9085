"""Firmware- and EmbeddedDevelopment-dependent rules of the API page."""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import text_reply
from vapix_emulator.builders import build_eap


def config_value(device, name: str) -> str:
    response = device.config("get", name)
    assert response.status_code == 200, response.text
    root = etree.fromstring(response.content)
    assert root.get("result") == "ok", response.text
    return root.find("param").get("value")


def is_refused(response) -> bool:
    """A config.cgi request the device does not accept: HTTP 4xx or a result="error" reply."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code != 200:
        return False
    root = etree.fromstring(response.content)
    return root.get("result") == "error"


# --- config.cgi exists from AXIS OS 11.2 ------------------------------------------------------

@pytest.mark.parametrize("firmware", ["10.12.0", "11.1.69"])
def test_config_cgi_absent_below_11_2(device, firmware):
    device.reset(firmware=firmware)
    assert device.config("get", "AllowUnsigned").status_code == 404
    assert device.config("set", "AllowUnsigned", "true").status_code == 404


def test_config_cgi_present_from_11_2(device):
    device.reset(firmware="11.2.61")
    assert config_value(device, "AllowUnsigned") == "true"


def test_unsigned_installs_below_11_2(device):
    device.reset(firmware="11.1.69")
    assert text_reply(device.upload(build_eap(name="legacy"))) == "OK"


# --- AllowUnsigned default ------------------------------------------------------------------------

@pytest.mark.parametrize("firmware, expected", [
    ("11.2.61", "true"), ("11.11.73", "true"), ("12.0.0", "false"), ("12.6.1", "false"),
])
def test_allow_unsigned_default(device, firmware, expected):
    device.reset(firmware=firmware)
    assert config_value(device, "AllowUnsigned") == expected


# --- AllowRoot exists on 11.5 - 11.11 only, default true until 11.7 -------------------------------

@pytest.mark.parametrize("firmware, expected", [
    ("11.5.64", "true"), ("11.7.57", "true"), ("11.8.61", "false"), ("11.11.73", "false"),
])
def test_allow_root_default(device, firmware, expected):
    device.reset(firmware=firmware)
    assert config_value(device, "AllowRoot") == expected


@pytest.mark.parametrize("firmware", ["11.2.61", "11.4.63", "12.0.0", "12.6.1"])
def test_allow_root_unknown_outside_11_5_to_11_11(device, firmware):
    device.reset(firmware=firmware)
    assert is_refused(device.config("get", "AllowRoot"))
    assert is_refused(device.config("set", "AllowRoot", "true"))


def test_allow_root_set_and_get(device, config_schema):
    device.reset(firmware="11.9.60")
    response = device.config("set", "AllowRoot", "true")
    root = etree.fromstring(response.content)
    config_schema.assertValid(root)
    assert root.find("param").attrib == {"name": "AllowRoot", "value": "true"}
    assert config_value(device, "AllowRoot") == "true"


# --- bad value: XML error type 1 below 12.2, HTTP 400 from 12.2 ------------------------------------

@pytest.mark.parametrize("firmware", ["11.11.73", "12.1.64"])
def test_bad_value_is_xml_error_type_1_below_12_2(device, firmware, list_schema):
    device.reset(firmware=firmware)
    before = config_value(device, "AllowUnsigned")
    response = device.config("set", "AllowUnsigned", "maybe")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/xml")
    root = etree.fromstring(response.content)
    assert root.tag == "reply" and root.get("result") == "error"
    error = root.find("error")
    assert error is not None and error.get("type") == "1" and error.get("message")
    # The config.cgi schema on the API page has no error element; list.cgi's schema describes the
    # same <reply result="error"><error type message/></reply> shape.
    list_schema.assertValid(root)
    assert config_value(device, "AllowUnsigned") == before


@pytest.mark.parametrize("firmware", ["12.2.40", "12.6.1"])
def test_bad_value_is_http_400_from_12_2(device, firmware):
    device.reset(firmware=firmware)
    response = device.config("set", "AllowUnsigned", "maybe")
    assert response.status_code == 400
    assert config_value(device, "AllowUnsigned") == "false"


@pytest.mark.parametrize("firmware, expected_status", [("12.1.64", 200), ("12.2.40", 400)])
def test_missing_value_is_a_bad_value(device, firmware, expected_status):
    device.reset(firmware=firmware)
    response = device.config("set", "AllowUnsigned")
    assert response.status_code == expected_status
    if expected_status == 200:
        assert etree.fromstring(response.content).find("error").get("type") == "1"


# --- list.cgi needs EmbeddedDevelopment 1.20 ------------------------------------------------------

@pytest.mark.parametrize("version", ["1.0", "1.19"])
def test_list_cgi_absent_below_embedded_development_1_20(device, version):
    device.reset(embedded_development=version)
    assert device.cgi("list.cgi").status_code == 404
    assert device.cgi("list.cgi", method="GET").status_code == 404


@pytest.mark.parametrize("version", ["1.20", "2.0", "3.6"])
def test_list_cgi_present_from_embedded_development_1_20(device, version):
    device.reset(embedded_development=version)
    assert device.cgi("list.cgi").status_code == 200


# --- AXIS OS 13 (acap-formats.md: signing enforced, compatibleOsVersions mandatory) -----------------

def test_axis_os_13_refuses_unsigned_even_when_allowed(device):
    device.reset(firmware="13.0.10")
    device.config("set", "AllowUnsigned", "true")
    window = [{"min": "13.0"}]
    assert text_reply(device.upload(build_eap(name="u13", schema_version="2.0.0", compatible_os_versions=window))) == "Error: 2"
    assert text_reply(device.upload(build_eap(name="s13", schema_version="2.0.0", compatible_os_versions=window, signed=True))) == "OK"


@pytest.mark.parametrize("kwargs", [{"acap": 3}, {"schema_version": "1.3"}])
def test_axis_os_13_needs_compatible_os_versions(device, kwargs):
    device.reset(firmware="13.0.10")
    assert text_reply(device.upload(build_eap(name="old_style", signed=True, **kwargs))) == "Error: 5"
