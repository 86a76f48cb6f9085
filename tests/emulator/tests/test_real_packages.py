"""Packages and devices as the captures of real ones show them (acap-formats.md, "What real devices and
packages show"): ACAP 3 SDK manifests without ``architecture``, package.conf ``APPTYPE``, single-quoted
package.conf, MIPS packages (``mipsisa32r2el``) on MIPS cameras (``mips``), and 5.x firmware without the
Application API."""

from __future__ import annotations

import json

import pytest

from conftest import text_reply
from test_builders import manifest_setup, members, parse_package_conf
from vapix_emulator.builders import build_eap, writes_manifest_architecture
from vapix_emulator.eap import read_package, runs_on


@pytest.mark.parametrize(
    "schema, written",
    [("1.1", False), ("1.3", False), ("1.3.0", False), ("1.3.1", True), ("1.4", True), ("1.11.0", True),
     ("2.0.0", True), ("2.2", True)],
)
def test_manifest_architecture_only_for_schemas_newer_than_1_3(schema, written):
    assert writes_manifest_architecture(schema) is written
    setup = manifest_setup(build_eap(schema_version=schema, architecture="armv7hf"))
    assert ("architecture" in setup) is written
    if written:
        assert setup["architecture"] == "armv7hf"


def test_builder_options_for_real_layouts():
    forced = manifest_setup(build_eap(schema_version="1.1", manifest_architecture=True, architecture="aarch64"))
    assert forced["architecture"] == "aarch64"
    assert "architecture" not in manifest_setup(build_eap(schema_version="2.0.0", manifest_architecture=False))
    newest = members(build_eap(schema_version="2.0.0", package_conf=False))
    assert "package.conf" not in newest and "manifest.json" in newest
    with pytest.raises(ValueError, match="package_conf=False needs acap=4"):
        build_eap(acap=3, package_conf=False)
    single = members(build_eap(acap=3, architecture="mipsisa32r2el", package_conf_quote="'", vendor="O'Brien",
                               vendor_url="http://example.com/x"))["package.conf"].decode()
    assert "APPTYPE='mipsisa32r2el'" in single.splitlines()
    conf = parse_package_conf(single)
    assert conf["VENDOR"] == "O'Brien"
    assert conf["VENDORHOMEPAGELINK"] == '<a href="http://example.com/x" target="_blank">http://example.com/x</a>'


@pytest.mark.parametrize(
    "options, architecture",
    [
        ({"schema_version": "1.1", "architecture": "armv7hf"}, "armv7hf"),  # manifest without it: APPTYPE
        ({"schema_version": "1.3", "architecture": "mipsisa32r2el"}, "mipsisa32r2el"),
        ({"schema_version": "1.11.0", "architecture": "aarch64"}, "aarch64"),
        ({"acap": 3, "architecture": "mipsisa32r2el", "package_conf_quote": "'"}, "mipsisa32r2el"),
        ({"schema_version": "1.3", "package_conf": False}, "all"),  # named nowhere: installed anywhere
    ],
)
def test_the_device_reads_the_architecture_where_the_package_keeps_it(options, architecture):
    assert read_package(build_eap(**options)).architecture == architecture


def test_architecture_words():
    assert runs_on("mipsisa32r2el", "mips") and runs_on("mips", "mips") and runs_on("all", "mips")
    assert not runs_on("mipsisa32r2el", "armv7hf") and not runs_on("armv7hf", "mips")
    assert not runs_on("armv7hf", "aarch64")


@pytest.mark.parametrize("options", [
    {"schema_version": "1.1"},
    {"schema_version": "1.3", "package_conf_quote": "'"},
    {"acap": 3},
    {"acap": 3, "package_conf_quote": "'"},
])
def test_error_5_for_the_package_conf_architecture(device, options):
    device.reset(architecture="aarch64")
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="arm_only", architecture="armv7hf", **options))) == "Error: 5"
    assert device.applications() == {}
    assert text_reply(device.upload(build_eap(name="for_me", architecture="aarch64", **options))) == "OK"
    assert device.app_state("for_me")["architecture"] == "aarch64"


def test_mips_camera_takes_mipsisa32r2el_packages(device):
    device.reset(architecture="mips", firmware="10.12.220", embedded_development="3.5")
    text = device.request("GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "Properties.System.Architecture"}).text
    assert text.strip() == "root.Properties.System.Architecture=mips"
    for name, options in (("old_mips", {"acap": 3}), ("new_mips", {"schema_version": "1.11.0"})):
        assert text_reply(device.upload(build_eap(name=name, architecture="mipsisa32r2el", signed=True, **options))) == "OK"
        assert device.app_state(name)["architecture"] == "mipsisa32r2el"
    assert text_reply(device.upload(build_eap(name="arm", architecture="armv7hf", signed=True))) == "Error: 5"


def test_firmware_without_the_application_api(device):
    device.reset(firmware="5.51.7", architecture="crisv32", embedded_development="1.0", application_api=False,
                 product="AXIS P1347")
    text = device.request("GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "Properties"}).text
    assert "root.Properties.Firmware.Version=5.51.7" in text
    assert "root.Properties.System.Architecture=crisv32" in text
    assert "EmbeddedDevelopment" not in text
    for cgi in ("list.cgi", "upload.cgi", "control.cgi", "license.cgi", "config.cgi"):
        assert device.cgi(cgi).status_code == 404, cgi
    basic = device.request("POST", "/axis-cgi/basicdeviceinfo.cgi",
                           data=json.dumps({"apiVersion": "1.0", "method": "getAllProperties"}))
    assert basic.status_code == 404
    refused = device.hooks.post(device.base_url + "/emulator/reset", json={"application_api": "no"}, timeout=10)
    assert refused.status_code == 400 and "application_api must be true or false" in refused.text
