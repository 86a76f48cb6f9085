# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import DeviceError, UnexpectedResponseError
from ansible_collections.vapix.acap.plugins.module_utils._xml import (
    Application,
    parse_config_reply,
    parse_info_reply,
    parse_list_reply,
)

# The list.cgi example of the VAPIX Application API page, verbatim.
API_PAGE_LIST_EXAMPLE = b"""<reply result="ok">
    <application
        Name="CrossLineDetection"
        ApplicationID="3051"
        NiceName="AXIS Cross Line Detection"
        Vendor="Axis Communications"
        Version="1.1"
        Status="Running"
        License="Valid"
        ConfigurationPage="local/CrossLineDetection/info.html"
        VendorHomePage="https://www.axis.com"
        LicenseName="Proprietary" />
    <application
        Name="DigitalAutotracking"
        ApplicationID="6789"
        NiceName="AXIS Digital Autotracking beta1"
        Vendor="Axis Communications"
        Version="1.0"
        Status="Idle"
        License="None"
        ConfigurationPage="local/DigitalAutotracking/index.html"
        VendorHomePage="https://www.axis.com"
        LicenseName="available" />
    <application
        Name="Metadata"
        ApplicationID="22929"
        NiceName="AXIS Metadata"
        Vendor="Axis Communications"
        Version="1.0"
        Status="Stopped"
        License="Invalid"
        LicenseExpirationDate="2011-01-01"
        ConfigurationPage="local/Metadata/setup.html"
        VendorHomePage="https://www.axis.com"
        LicenseName="available" />
    <application
        Name="VideoMotionDetection"
        ApplicationID="8546"
        NiceName="AXIS Video Motion Detection"
        Vendor="Axis Communications"
        Version="2.1"
        Status="Stopped"
        License="None"
        ConfigurationPage="local/VideoMotionDetection/config.html"
        VendorHomePage="https://www.axis.com"
        LicenseName="available" />
    <application
        Name="ExampleApp"
        ApplicationID="1"
        NiceName="An Example Application"
        Vendor="Example inc"
        Version="1.0"
        Status="Stopped"
        License="Custom"
        ConfigurationPage="local/ExampleApp/settings.html"
        VendorHomePage="https://www.example.inc"
        LicenseName="Proprietary" />
</reply>
"""


def test_api_page_example_parses_into_all_five_applications():
    applications = parse_list_reply(API_PAGE_LIST_EXAMPLE)
    assert [app.name for app in applications] == [
        "CrossLineDetection", "DigitalAutotracking", "Metadata", "VideoMotionDetection", "ExampleApp",
    ]
    metadata = applications[2]
    assert metadata.to_dict() == {
        "name": "Metadata",
        "nice_name": "AXIS Metadata",
        "vendor": "Axis Communications",
        "version": "1.0",
        "application_id": "22929",
        "status": "Stopped",
        "license": "Invalid",
        "license_expiration_date": "2011-01-01",
        "configuration_page": "local/Metadata/setup.html",
        "vendor_home_page": "https://www.axis.com",
        "license_name": "available",
        "validation_result": None,
        "extra": {},
    }
    # Attributes the device did not send are None, not "" and not absent.
    assert applications[0].license_expiration_date is None


def test_sparse_attributes_only_name():
    (app,) = parse_list_reply(b'<reply result="ok"><application Name="Tiny"/></reply>')
    assert app == Application(name="Tiny")
    assert set(app.to_dict()) == {
        "name", "nice_name", "vendor", "version", "application_id", "status", "license",
        "license_expiration_date", "configuration_page", "vendor_home_page", "license_name",
        "validation_result", "extra",
    }
    assert all(value is None for key, value in app.to_dict().items() if key not in ("name", "extra"))


def test_unknown_attributes_are_kept_under_extra():
    body = (b'<reply result="ok"><application Name="New" Version="4.15-2" Architecture="aarch64" '
            b'SignatureStatus="valid" ValidationResult="https://x.invalid/r"/></reply>')
    (app,) = parse_list_reply(body)
    assert app.version == "4.15-2"
    assert app.validation_result == "https://x.invalid/r"
    assert app.extra == {"Architecture": "aarch64", "SignatureStatus": "valid"}


@pytest.mark.parametrize("body", [b'<reply result="ok"></reply>', b'<reply result="ok"/>',
                                  b'<?xml version="1.0"?>\n<reply result="ok">\n</reply>\n'])
def test_empty_device(body):
    assert parse_list_reply(body) == []


def test_application_without_name_is_an_unexpected_response():
    with pytest.raises(UnexpectedResponseError, match="without the required Name"):
        parse_list_reply(b'<reply result="ok"><application Version="1.0"/></reply>')


@pytest.mark.parametrize(
    "body, fragment",
    [
        (b"", "empty body"),
        (b"   \n", "empty body"),
        (b"garbage \x00\xff not xml", "not well-formed XML"),
        (b'<reply result="ok"><application Name="A" Vers', "not well-formed XML"),  # truncated
        (b"<html><body>Login</body></html>", "without the <reply> element"),
        (b'<reply result="maybe"/>', 'neither "ok" nor "error"'),
    ],
)
def test_garbage_and_truncated_replies(body, fragment):
    with pytest.raises(UnexpectedResponseError) as caught:
        parse_list_reply(body)
    assert fragment in caught.value.message
    assert caught.value.endpoint == "list.cgi"


def test_error_reply_becomes_device_error_with_type_as_code():
    body = b'<reply result="error"><error type="1" message="Error: gdbus call failed" /></reply>'
    with pytest.raises(DeviceError) as caught:
        parse_config_reply(body)
    assert caught.value.error_code == 1
    assert caught.value.message.startswith("config.cgi answered Error: 1: malformed request")
    assert "gdbus call failed" in caught.value.message


def test_error_reply_without_numeric_type():
    with pytest.raises(DeviceError) as caught:
        parse_list_reply(b'<reply result="error"><error type="busy" message="try later"/></reply>')
    assert caught.value.error_code is None
    assert "busy" in caught.value.message and "try later" in caught.value.message


@pytest.mark.parametrize(
    "body",
    [
        # external entity: would read a local file
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<reply result="ok"><application Name="A" Vendor="&x;"/></reply>',
        # internal entities: libxml2 expands these even with resolve_entities=False
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<reply result="ok"><application Name="A" Vendor="&c;"/></reply>',
        # the same in UTF-16, which a byte search for "<!DOCTYPE" cannot see
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE l [<!ENTITY a "aaaa">]>'
        '<reply result="ok"><application Name="A" Vendor="&a;"/></reply>'.encode("utf-16"),
    ],
)
def test_documents_with_a_dtd_are_refused(body):
    with pytest.raises(UnexpectedResponseError, match="document type declaration"):
        parse_list_reply(body)


@pytest.mark.parametrize(
    "body, expected",
    [
        (b'<reply result="ok"><param name="AllowUnsigned" value="true" /></reply>', {"AllowUnsigned": True}),
        (b'<reply result="ok"><param name="AllowRoot" value="False" /></reply>', {"AllowRoot": False}),
        (b'<reply result="ok"></reply>', {}),
    ],
)
def test_config_reply(body, expected):
    assert parse_config_reply(body) == expected


def test_config_reply_with_a_non_boolean_value():
    with pytest.raises(UnexpectedResponseError, match="'maybe' for AllowUnsigned"):
        parse_config_reply(b'<reply result="ok"><param name="AllowUnsigned" value="maybe" /></reply>')


def test_info_reply():
    body = (b'<reply result="ok">\n    <supportedSdks>\n        <sdk>acap3</sdk>\n        <sdk>acap4-cv</sdk>\n'
            b'        <sdk>acap4-native</sdk>\n    </supportedSdks>\n</reply>')
    assert parse_info_reply(body) == ["acap3", "acap4-cv", "acap4-native"]
    assert parse_info_reply(b'<reply result="ok"><supportedSdks/></reply>') == []
