"""Every endpoint of the API page plus param.cgi and basicdeviceinfo.cgi, in the documented shapes."""

from __future__ import annotations

import pytest
from lxml import etree

from conftest import text_reply
from vapix_emulator.builders import build_eap, build_license_key


def xml_reply(response) -> etree._Element:
    assert response.status_code == 200, response.text
    assert response.headers.get("Content-Type", "").startswith("text/xml"), response.headers.get("Content-Type")
    return etree.fromstring(response.content)


# --- list.cgi -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_list_empty_device(device, list_schema, method):
    root = xml_reply(device.cgi("list.cgi", method=method))
    list_schema.assertValid(root)
    assert root.tag == "reply" and root.get("result") == "ok"
    assert len(root) == 0


def test_list_shows_installed_applications_with_documented_attributes(device, list_schema):
    device.install(build_eap(name="alpha", version="1.2.3", vendor="ACME", friendly_name="Alpha App",
                             application_id="4141", licensed=True))
    device.install(build_eap(name="beta", version="4.15.2", acap=3, friendly_name="Beta"))
    root = xml_reply(device.cgi("list.cgi"))
    list_schema.assertValid(root)
    apps = {element.get("Name"): element.attrib for element in root.findall("application")}
    assert set(apps) == {"alpha", "beta"}
    alpha = apps["alpha"]
    assert alpha["NiceName"] == "Alpha App"
    assert alpha["Vendor"] == "ACME"
    assert alpha["Version"] == "1.2.3"
    assert alpha["ApplicationID"] == "4141"
    assert alpha["Status"] == "Stopped", "a new installation is not started"
    assert alpha["License"] == "Missing"
    # package.conf versions are listed as MAJOR.MINOR-MICRO (acap-formats.md).
    assert apps["beta"]["Version"] == "4.15-2"
    assert apps["beta"]["License"] == "None"


def test_list_after_every_state_change_validates(device, list_schema):
    device.install(build_eap(name="gamma", application_id="77", licensed=True))
    device.install(build_eap(name="delta", copy_protection="custom"))
    assert text_reply(device.control("start", "gamma")) == "OK"
    assert text_reply(device.upload_license("gamma", build_license_key(
        product="gamma", productid="77", serial_number=device.serial_number))) == "OK"
    root = xml_reply(device.cgi("list.cgi"))
    list_schema.assertValid(root)
    apps = {element.get("Name"): element.attrib for element in root.findall("application")}
    assert apps["gamma"]["Status"] == "Running" and apps["gamma"]["License"] == "Valid"
    assert apps["delta"]["License"] == "Custom"


# --- info.cgi -------------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_info_lists_supported_sdks(device, method):
    root = xml_reply(device.cgi("info.cgi", method=method))
    assert root.tag == "reply" and root.get("result") == "ok"
    sdks = [element.text for element in root.findall("supportedSdks/sdk")]
    assert sdks and all(sdks)


def test_info_follows_the_sdks_option(device):
    device.reset(sdks=["acap3", "acap4-native"])
    root = xml_reply(device.cgi("info.cgi"))
    assert [element.text for element in root.findall("supportedSdks/sdk")] == ["acap3", "acap4-native"]


# --- config.cgi -----------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["GET", "POST"])
def test_config_get_and_set(device, config_schema, method):
    root = xml_reply(device.config("get", "AllowUnsigned", method=method))
    config_schema.assertValid(root)
    assert root.get("result") == "ok"
    assert root.find("param").get("name") == "AllowUnsigned"
    assert root.find("param").get("value") == "false", "12.6 refuses unsigned by default"

    root = xml_reply(device.config("set", "AllowUnsigned", "true", method=method))
    config_schema.assertValid(root)
    assert root.find("param").attrib == {"name": "AllowUnsigned", "value": "true"}
    assert xml_reply(device.config("get", "AllowUnsigned")).find("param").get("value") == "true"
    assert device.state()["config"]["AllowUnsigned"] in (True, "true")


def test_config_arguments_in_a_form_body(device, config_schema):
    response = device.cgi("config.cgi", data={"action": "set", "name": "AllowUnsigned", "value": "true"})
    root = xml_reply(response)
    config_schema.assertValid(root)
    assert root.find("param").get("value") == "true"


# --- upload.cgi -----------------------------------------------------------------------------------

def test_upload_installs_a_package(device):
    assert text_reply(device.upload(build_eap(name="up", signed=True))) == "OK"
    assert device.applications()["up"]["Status"] == "Stopped"


@pytest.mark.parametrize("field", ["packfil", "file", "anything"])
def test_upload_takes_any_file_part(device, field):
    response = device.upload(build_eap(name="part_" + field, signed=True), field=field)
    assert text_reply(response) == "OK"
    assert "part_" + field in device.applications()


def test_upload_with_extra_form_fields(device):
    response = device.cgi("upload.cgi", data={"comment": "x"},
                          files={"packfil": ("a.eap", build_eap(name="withfields", signed=True), "application/octet-stream")})
    assert text_reply(response) == "OK"


# --- control.cgi ----------------------------------------------------------------------------------

def test_control_start_stop_restart_remove(device):
    device.install(build_eap(name="ctl"))
    assert text_reply(device.control("start", "ctl")) == "OK"
    assert device.applications()["ctl"]["Status"] == "Running"
    assert text_reply(device.control("restart", "ctl")) == "OK"
    assert device.applications()["ctl"]["Status"] == "Running"
    assert text_reply(device.control("stop", "ctl")) == "OK"
    assert device.applications()["ctl"]["Status"] == "Stopped"
    assert text_reply(device.control("remove", "ctl")) == "OK"
    assert "ctl" not in device.applications()
    assert device.app_state("ctl") is None


def test_control_arguments_by_get_query_and_by_form_body(device):
    device.install(build_eap(name="ctl2"))
    assert text_reply(device.cgi("control.cgi", method="GET", params={"action": "start", "package": "ctl2"})) == "OK"
    assert device.applications()["ctl2"]["Status"] == "Running"
    assert text_reply(device.cgi("control.cgi", data={"action": "stop", "package": "ctl2"})) == "OK"
    assert device.applications()["ctl2"]["Status"] == "Stopped"


def test_control_returnpage_is_accepted(device):
    device.install(build_eap(name="ctl3"))
    response = device.cgi("control.cgi", params={"action": "start", "package": "ctl3", "returnpage": "/index.html"})
    assert response.status_code in (200, 302, 303)
    assert device.applications()["ctl3"]["Status"] == "Running"


# --- license.cgi ----------------------------------------------------------------------------------

def test_license_upload_and_remove(device):
    device.install(build_eap(name="lic", application_id="500", licensed=True))
    key = build_license_key(product="lic", productid="500", serial_number=device.serial_number)
    assert text_reply(device.upload_license("lic", key)) == "OK"
    assert device.applications()["lic"]["License"] == "Valid"
    assert text_reply(device.remove_license("lic")) == "OK"
    assert device.applications()["lic"]["License"] == "Missing"


def test_license_arguments_in_the_form_body(device):
    device.install(build_eap(name="lic2", application_id="501", licensed=True))
    key = build_license_key(product="lic2", productid="501", serial_number=device.serial_number)
    response = device.cgi("license.cgi", data={"action": "uploadlicensekey", "package": "lic2"},
                          files={"licenseKey": ("k.xml", key, "application/octet-stream")})
    assert text_reply(response) == "OK"
    assert device.applications()["lic2"]["License"] == "Valid"


# --- param.cgi ------------------------------------------------------------------------------------

def test_param_cgi_lists_properties(device):
    response = device.request("GET", "/axis-cgi/param.cgi", params={
        "action": "list",
        "group": "Properties.EmbeddedDevelopment.Version,Properties.Firmware.Version,Properties.System.SerialNumber,"
                 "Properties.System.Architecture,Brand.ProdShortName",
    })
    assert response.status_code == 200
    values = dict(line.split("=", 1) for line in response.text.splitlines() if line and not line.startswith("#"))
    assert values["root.Properties.EmbeddedDevelopment.Version"] == "3.6"
    assert values["root.Properties.Firmware.Version"] == "12.6.1"
    assert values["root.Properties.System.SerialNumber"] == device.serial_number
    assert values["root.Properties.System.Architecture"] == "aarch64"
    assert values["root.Brand.ProdShortName"]


def test_param_cgi_follows_the_profile(device):
    device.reset(firmware="11.11.73", architecture="armv7hf", embedded_development="2.18")
    text = device.request("POST", "/axis-cgi/param.cgi", data={"action": "list", "group": "Properties"}).text
    assert "root.Properties.Firmware.Version=11.11.73" in text
    assert "root.Properties.System.Architecture=armv7hf" in text
    assert "root.Properties.EmbeddedDevelopment.Version=2.18" in text


def test_param_cgi_unknown_group_is_an_error_line(device):
    response = device.request("GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "No.Such.Group"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith("# Error:")


# --- basicdeviceinfo.cgi --------------------------------------------------------------------------

def test_basicdeviceinfo_get_all_properties(device):
    device.reset(firmware="12.1.64", architecture="armv7hf")
    response = device.request("POST", "/axis-cgi/basicdeviceinfo.cgi", json={"apiVersion": "1.0", "method": "getAllProperties"})
    assert response.status_code == 200
    body = response.json()
    assert body["apiVersion"].startswith("1.")
    properties = body["data"]["propertyList"]
    assert properties["SerialNumber"] == device.serial_number
    assert properties["Version"] == "12.1.64"
    assert properties["Architecture"] == "armv7hf"
    assert properties["ProdShortName"] and properties["Brand"]


@pytest.mark.parametrize("payload", [{"apiVersion": "1.0", "method": "noSuchMethod"}, "not json"])
def test_basicdeviceinfo_errors_are_json_with_http_200(device, payload):
    kwargs = {"json": payload} if isinstance(payload, dict) else {"data": payload, "headers": {"Content-Type": "application/json"}}
    response = device.request("POST", "/axis-cgi/basicdeviceinfo.cgi", **kwargs)
    assert response.status_code == 200
    error = response.json()["error"]
    assert isinstance(error["code"], int) and error["message"]


# --- unknown paths --------------------------------------------------------------------------------

def test_unknown_cgi_is_404(device):
    assert device.cgi("nosuch.cgi").status_code == 404
    assert device.request("GET", "/axis-cgi/nosuch.cgi").status_code == 404
