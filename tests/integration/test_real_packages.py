# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap with packages and cameras as the captures of real ones show them (acap-formats.md, "What
real devices and packages show"): ACAP 3 SDK packages (package.conf only, or a schema 1.1/1.3 manifest
without ``architecture`` next to package.conf ``APPTYPE``), MIPS packages (``mipsisa32r2el``) on MIPS
cameras (``mips``), packages whose architecture only the device can judge, and 5.x firmware without the
Application API. In-process (run_logic) and through ansible-playbook, over real HTTP to the emulator."""

from __future__ import annotations

import pytest

from acap_helpers import applications, changing_operations, connection, make_eap, operations
from ansible_collections.vapix.acap.plugins.module_utils._errors import DeviceError, UnsupportedError
from test_acap import converge

# A MIPS camera (ARTPEC-5) on its last firmware line: no config.cgi, unsigned packages install.
MIPS_CAMERA = {"architecture": "mips", "firmware": "9.80.3", "embedded_development": "3.1"}
# A 5.x camera: no Properties.EmbeddedDevelopment, list.cgi and the other application CGIs answer 404.
CRIS_CAMERA = {"architecture": "crisv32", "firmware": "5.51.7", "embedded_development": "1.0",
               "application_api": False, "product": "AXIS P1347"}

# How the ACAP 3 SDK and older SDKs lay packages out (builders.build_eap options).
ACAP3_LAYOUTS = {
    "package.conf only": {"acap": 3},
    "package.conf only, single-quoted": {"acap": 3, "package_conf_quote": "'",
                                         "vendor_url": "http://www.example.com/app"},
    "schema 1.1 manifest + APPTYPE": {"schema_version": "1.1"},
    "schema 1.3 manifest + APPTYPE, single-quoted": {"schema_version": "1.3", "package_conf_quote": "'"},
}


@pytest.mark.parametrize("layout", list(ACAP3_LAYOUTS))
def test_acap3_sdk_packages_install_upgrade_and_report_their_architecture(device, run_logic, tmp_path, layout):
    device.reset(architecture="armv7hf", firmware="11.11.73", embedded_development="3.5")
    options = ACAP3_LAYOUTS[layout]
    first = make_eap(tmp_path, version="1.0.0", architecture="armv7hf", **options)
    installed = converge(device, run_logic, {"src": first, "state": "started"}, ["upload", "start"])
    assert installed["package"]["architecture"] == "armv7hf"
    assert installed["device"]["architecture"] == "armv7hf"
    assert not installed.get("warnings")
    assert applications(device)["hello_world"]["architecture"] == "armv7hf"

    # The upgrade is offered next to packages for other architectures: the APPTYPE decides.
    newer = [make_eap(tmp_path, version="1.1.0", architecture=word, **options) for word in ("aarch64", "armv7hf")]
    upgraded = converge(device, run_logic, {"src": newer, "state": "started"}, ["upload"])
    assert upgraded["package"]["architecture"] == "armv7hf"
    assert upgraded["package"]["version"] == upgraded["application"]["version"]
    assert upgraded["application"]["version"] in ("1.1.0", "1.1-0")
    assert upgraded["application"]["status"] == "Running"
    assert applications(device)["hello_world"]["architecture"] == "armv7hf"


@pytest.mark.parametrize("options", [{"acap": 3, "package_conf_quote": "'"}, {"schema_version": "1.1"},
                                     {"schema_version": "1.11.0"}], ids=["acap3", "schema-1.1", "schema-1.11.0"])
def test_mips_package_is_chosen_for_a_mips_camera(device, run_logic, tmp_path, options):
    device.reset(**MIPS_CAMERA)
    src = [make_eap(tmp_path, architecture=word, **options) for word in ("armv7hf", "mipsisa32r2el", "aarch64")]
    result = converge(device, run_logic, {"src": src, "state": "started"}, ["upload", "start"])
    assert result["package"]["architecture"] == "mipsisa32r2el"
    assert result["package"]["filename"].startswith("hello_world_1.0.0_mipsisa32r2el")
    assert result["device"]["architecture"] == "mips"
    assert result["device"]["package_architectures"] == ["mips", "mipsisa32r2el", "all"]
    assert not result.get("warnings")
    assert applications(device)["hello_world"]["architecture"] == "mipsisa32r2el"


def test_no_package_for_a_mips_camera_names_both_words(device, run_logic, tmp_path):
    device.reset(**MIPS_CAMERA)
    src = [make_eap(tmp_path, architecture=word) for word in ("armv7hf", "aarch64")]
    device.clear_log()
    with pytest.raises(Exception) as info:
        run_logic("axis_acap", connection(device, src=src))
    assert "device's architecture is mips" in str(info.value)
    assert "Add the package built for mips or mipsisa32r2el to src" in str(info.value)
    assert changing_operations(device) == []


def test_package_without_architecture_goes_to_the_device_with_a_warning(device, run_logic, tmp_path):
    # A schema 1.3 manifest names no architecture, and the newest SDK writes no package.conf.
    src = make_eap(tmp_path, schema_version="1.3", package_conf=False)
    result = converge(device, run_logic, {"src": src, "state": "started"}, ["upload", "start"])
    assert result["package"]["architecture"] is None
    warnings = result.get("warnings") or []
    assert any("names no architecture" in warning and "the device judges whether it fits its architecture aarch64"
               in warning for warning in warnings), warnings
    assert applications(device)["hello_world"]["status"] == "Running"


def test_unknown_word_refused_by_the_device_gives_a_clear_message(device, run_logic, tmp_path):
    device.reset(**MIPS_CAMERA)
    src = make_eap(tmp_path, acap=3, architecture="ARTPEC-4")
    device.clear_log()
    with pytest.raises(DeviceError) as info:
        run_logic("axis_acap", connection(device, src=src))
    message = str(info.value)
    assert info.value.error_code == 5
    assert "upload.cgi answered Error: 5" in message
    assert "The package is for architecture ARTPEC-4 and the device reports mips" in message
    assert "add the package built for mips or mipsisa32r2el to src" in message
    assert ("upload.cgi", None) in operations(device)
    assert applications(device) == {}


def test_firmware_without_the_application_api_fails_clearly(device, run_logic, run_playbook, tmp_path):
    device.reset(**CRIS_CAMERA)
    src = make_eap(tmp_path, architecture="crisv32")
    with pytest.raises(UnsupportedError) as info:
        run_logic("axis_acap", connection(device, src=src, state="started"))
    message = str(info.value)
    for part in ("AXIS P1347", "firmware 5.51.7", "architecture crisv32", "no VAPIX Application API",
                 "no Properties.EmbeddedDevelopment group", "Upgrade the device", "leave the device out"):
        assert part in message, (part, message)
    assert changing_operations(device) == []

    run = run_playbook("acap_converge.yml", device, extra_vars={"acap_src": src, "acap_state": "started"})
    assert run.rc != 0, run
    failed = run.task("Converge application")
    assert failed.status == "failed"
    assert "firmware 5.51.7" in failed["msg"] and "no VAPIX Application API" in failed["msg"]
    assert failed["http_status"] == 404 and failed["endpoint"] == "list.cgi"
    assert "Traceback" not in run.stdout + run.stderr

    # axis_acap_info still reads what the device has, and says what it could not.
    info_result = run_logic("axis_acap_info", connection(device))
    assert info_result["device"]["architecture"] == "crisv32"
    assert info_result["device"]["package_architectures"] == ["crisv32", "all"]
    assert info_result["device"]["embedded_development_version"] is None
    assert any(entry.startswith("list.cgi") for entry in info_result["missing"])


def test_mixed_fleet_with_acap3_and_mips_packages_through_ansible_playbook(devices, run_playbook, tmp_path):
    fleet = devices(3)
    fleet[0].reset(architecture="aarch64")
    fleet[1].reset(architecture="armv7hf", firmware="11.11.73", embedded_development="3.5")
    fleet[2].reset(**MIPS_CAMERA)
    packages = [
        make_eap(tmp_path, version="1.3.0", architecture="aarch64", schema_version="1.11.0"),
        make_eap(tmp_path, version="1.3.0", architecture="armv7hf", schema_version="1.1"),
        make_eap(tmp_path, version="1.3.0", architecture="mipsisa32r2el", schema_version="1.3",
                 package_conf_quote="'"),
    ]
    run = run_playbook("acap_fleet.yml", fleet, extra_vars={"fleet_packages": packages})
    assert run.rc == 0, run
    for camera, word in zip(fleet, ("aarch64", "armv7hf", "mipsisa32r2el")):
        result = run.task("Install or upgrade, keep it running", host=camera)
        assert result["actions"] == ["upload", "start"]
        assert result["package"]["architecture"] == word
        app = applications(camera)["hello_world"]
        assert (app["version"], app["status"], app["architecture"]) == ("1.3.0", "Running", word)

    for camera in fleet:
        camera.clear_log()
    again = run_playbook("acap_fleet.yml", fleet, extra_vars={"fleet_packages": packages})
    assert again.rc == 0, again
    for camera in fleet:
        assert again.task("Install or upgrade, keep it running", host=camera).status == "ok"
        assert operations(camera) == [("list.cgi", None)]
