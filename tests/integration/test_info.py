# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap_info against the emulator on each firmware profile."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import AuthenticationError

_EMULATOR_DIR = Path(os.environ.get("VAPIX_EMULATOR_DIR") or Path(__file__).resolve().parents[1] / "emulator")
if str(_EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(_EMULATOR_DIR))

from vapix_emulator.builders import build_eap  # noqa: E402  pylint: disable=wrong-import-position

MUTATING_PATHS = {"/axis-cgi/applications/%s" % name for name in ("upload.cgi", "control.cgi", "license.cgi")}


def _no_changes_sent(device):
    for entry in device.log():
        assert entry["path"] not in MUTATING_PATHS, entry
        assert entry["args"].get("action") != "set", entry


def test_default_12_6_device_with_applications(device, run_logic):
    device.install(build_eap(name="hello_world", version="1.2.3", friendly_name="Hello World", signed=True),
                   start=True)
    device.install(build_eap(name="legacy", version="4.15.2", acap=3, signed=True))
    device.clear_log()
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["changed"] is False
    assert result["missing"] == []
    assert result["config"] == {"allow_unsigned": False}  # AllowRoot does not exist on 12.x
    assert result["supported_sdks"] == ["acap3", "acap4-native", "acap4-cv"]
    assert result["device"] == {
        "firmware_version": "12.6.1",
        "embedded_development_version": "3.6",
        "serial_number": device.serial_number,
        "architecture": "aarch64",
        "package_architectures": ["aarch64", "all"],
        "product": "AXIS M3085-V",
    }
    by_name = {app["name"]: app for app in result["applications"]}
    assert set(by_name) == {"hello_world", "legacy"}
    hello = by_name["hello_world"]
    assert hello["status"] == "Running" and hello["version"] == "1.2.3" and hello["nice_name"] == "Hello World"
    assert set(hello) == {"name", "nice_name", "vendor", "version", "application_id", "status", "license",
                          "license_expiration_date", "configuration_page", "vendor_home_page", "license_name",
                          "validation_result", "extra"}
    assert by_name["legacy"]["status"] == "Stopped"
    _no_changes_sent(device)


@pytest.mark.parametrize(
    "firmware, expected_config",
    [
        ("11.5.64", {"allow_unsigned": True, "allow_root": True}),
        ("11.8.1", {"allow_unsigned": True, "allow_root": False}),
        ("11.11.73", {"allow_unsigned": True, "allow_root": False}),
        ("11.2.1", {"allow_unsigned": True}),
        ("12.0.5", {"allow_unsigned": False}),
    ],
)
def test_config_on_each_firmware(device, run_logic, firmware, expected_config):
    device.reset(firmware=firmware)
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["config"] == expected_config
    assert result["missing"] == []
    assert result["device"]["firmware_version"] == firmware


def test_values_set_on_the_device_are_read_back(device, run_logic):
    device.reset(firmware="11.5.64")
    device.patch_state({"config": {"AllowUnsigned": False, "AllowRoot": False}})
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["config"] == {"allow_unsigned": False, "allow_root": False}


def test_firmware_10_12_has_no_config_cgi(device, run_logic):
    device.reset(firmware="10.12.1")
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["config"] == {}
    assert result["missing"] == ["config.cgi: needs AXIS OS >= 11.2 (device has 10.12.1)"]
    assert result["device"]["firmware_version"] == "10.12.1"
    # It knew from the firmware version: config.cgi was not even asked.
    assert not [entry for entry in device.log() if entry["path"].endswith("config.cgi")]


def test_old_embedded_development_has_no_list_cgi(device, run_logic):
    device.reset(firmware="9.80.1", embedded_development="1.10")
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["applications"] == []
    assert "list.cgi: needs EmbeddedDevelopment >= 1.20 (device has 1.10)" in result["missing"]
    assert "config.cgi: needs AXIS OS >= 11.2 (device has 9.80.1)" in result["missing"]
    assert result["device"]["embedded_development_version"] == "1.10"
    assert not [entry for entry in device.log() if entry["path"].endswith("list.cgi")]


def test_missing_list_cgi_found_by_asking_when_properties_are_unknown(device, run_logic):
    """param.cgi gone and basicdeviceinfo without EmbeddedDevelopment: list.cgi's 404 tells."""
    device.reset(embedded_development="1.10")
    device.inject_fault("http_error", count=1, match={"path": "/axis-cgi/param.cgi"}, status=404)
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["device"]["embedded_development_version"] is None
    assert result["device"]["firmware_version"] == "12.6.1"
    assert result["missing"] == ["list.cgi: needs EmbeddedDevelopment >= 1.20 (device version unknown)"]


def test_info_fails_clearly_on_bad_credentials(device, run_logic):
    with pytest.raises(AuthenticationError):
        run_logic("axis_acap_info", device.conn_params(password="nope"))


def test_playbook_on_several_firmware_profiles(devices, run_playbook):
    new, middle, old = devices(3)
    middle.reset(firmware="11.5.64")
    old.reset(firmware="10.12.1", embedded_development="1.10")
    run = run_playbook("info_read.yml", [new, middle, old])
    assert run.rc == 0, run
    assert run.task("Read info", new)["config"] == {"allow_unsigned": False}
    assert run.task("Read info", middle)["config"] == {"allow_unsigned": True, "allow_root": True}
    old_result = run.task("Read info", old)
    assert old_result.status == "ok"
    assert old_result["missing"] == ["list.cgi: needs EmbeddedDevelopment >= 1.20 (device has 1.10)",
                                     "config.cgi: needs AXIS OS >= 11.2 (device has 10.12.1)"]


def test_playbook_check_mode_and_https_with_ca(device, run_playbook):
    run = run_playbook("info_read.yml", device, check=True,
                       extra_vars={"info_use_https": True, "info_ca_path": device.ca_file})
    assert run.rc == 0, run
    result = run.task("Read info")
    assert result.status == "ok" and result["device"]["serial_number"] == device.serial_number
    assert {entry["scheme"] for entry in device.log()} == {"https"}
    _no_changes_sent(device)


def test_playbook_failure_carries_http_status_and_hides_the_password(device, run_playbook):
    run = run_playbook("info_wrong_password.yml", device)
    assert run.rc == 0, run  # the assert task checks the failed result
    result = run.task("Read info with a wrong password")
    assert result.status == "failed"
    assert result["http_status"] == 401 and result["error_code"] is None
    assert "username or the password is wrong" in result["msg"]
    assert "Traceback" not in run.stdout + run.stderr


def test_missing_requests_gives_missing_required_lib(device, run_playbook, tmp_path):
    """The module path on a Python without requests/lxml (a bare venv, as on a jump host that lacks
    them): the documented message, no traceback. (The in-process path's own message is tested in
    test_action_paths.py.)"""
    import subprocess  # pylint: disable=import-outside-toplevel

    bare = tmp_path / "bare-venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(bare)], check=True, timeout=120)
    bare_python = bare / "bin" / "python"
    probe = subprocess.run([str(bare_python), "-c", "import requests"], capture_output=True, check=False)
    assert probe.returncode != 0, "the bare venv must not see requests"
    run = run_playbook("info_read.yml", device, extra_vars={"ansible_python_interpreter": str(bare_python),
                                                            "vapix_acap_in_process": False})
    result = run.task("Read info")
    assert result.status == "failed"
    assert "Failed to import the required Python library (requests)" in result["msg"]
    assert "Traceback" not in result["msg"]
    assert device.log() == []  # nothing was sent


def test_info_cgi_absent_is_reported_not_fatal(device, run_logic):
    device.inject_fault("http_error", count=1, match={"path": "/axis-cgi/applications/info.cgi"}, status=404)
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["supported_sdks"] == []
    assert result["missing"] == ["info.cgi: not present on this firmware (device has 12.6.1)"]
    assert result["config"] == {"allow_unsigned": False}
