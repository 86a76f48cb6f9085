# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Results that match the device after uncertain answers (issue 11 items 2 and 3), the same way for every
write path: applications, license keys, settings. Each case injects a real fault into the emulator and
compares the module's result with the emulator's own state afterwards."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict

import pytest

from acap_helpers import applications, changing_operations, connection, make_eap
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError
from vapix_emulator.builders import build_license_key

APP, APP_ID = "ExampleApp", "414120"


def licensed(device: Any, tmp_path: Path) -> Dict[str, Any]:
    """ExampleApp installed (Axis-licensed, no key yet); module parameters that upload its key."""
    device.install(Path(make_eap(tmp_path, name=APP, application_id=APP_ID, licensed=True)).read_bytes())
    key = tmp_path / "key.xml"
    build_license_key(key, product=APP, productid=APP_ID, serial_number=device.serial_number,
                      expires=datetime.date(2031, 6, 30))
    return connection(device, name=APP, src=str(key))


@pytest.mark.parametrize("fault", ["error_15_applied", "drop_after"])
def test_a_license_upload_applied_under_an_unclear_answer_reports_changed(device, run_logic, tmp_path, fault):
    params = licensed(device, tmp_path)
    device.inject_fault(fault, match={"path": "license.cgi"})
    result = run_logic("axis_acap_license", params)
    assert result["changed"] is True and result["actions"] == ["upload_license"]
    assert any("the device shows it done" in warning for warning in result["warnings"])
    assert applications(device)[APP]["license"] == "Valid"


@pytest.mark.parametrize("fault", ["error_15_applied", "drop_after"])
def test_a_license_removal_applied_under_an_unclear_answer_reports_changed(device, run_logic, tmp_path, fault):
    params = licensed(device, tmp_path)
    run_logic("axis_acap_license", params)
    device.inject_fault(fault, match={"path": "license.cgi"})
    result = run_logic("axis_acap_license", dict(params, state="absent", src=None))
    assert result["changed"] is True and result["actions"] == ["remove_license"]
    assert applications(device)[APP]["license"] == "Missing"


@pytest.mark.parametrize("fault", ["error_15_applied", "drop_after"])
def test_a_setting_applied_under_an_unclear_answer_reports_changed(device, run_logic, fault):
    device.inject_fault(fault, match={"path": "config.cgi", "action": "set"})
    result = run_logic("axis_acap_config", connection(device, allow_unsigned=True))
    assert result["changed"] is True and result["config"] == {"allow_unsigned": True}
    assert any("the device shows it done" in warning for warning in result["warnings"])
    assert device.state()["config"]["AllowUnsigned"] is True


@pytest.mark.parametrize("fault", ["error_15_not_applied", "drop_before", "html_login"])
def test_a_setting_not_applied_under_an_unclear_answer_fails_saying_nothing_was_done(device, run_logic, fault):
    device.inject_fault(fault, match={"path": "config.cgi", "action": "set"})
    with pytest.raises(AcapError) as info:
        run_logic("axis_acap_config", connection(device, allow_unsigned=True))
    assert "so it was not done" in info.value.message
    assert info.value.result["changed"] is False
    assert device.state()["config"].get("AllowUnsigned") is not True


@pytest.mark.parametrize("fault", ["error_15_applied", "error_15_not_applied"])
def test_a_restart_answered_error_15_once_is_sent_again_and_that_answer_decides(device, run_logic, tmp_path, fault):
    device.install(Path(make_eap(tmp_path)).read_bytes(), start=True)
    device.clear_log()
    device.inject_fault(fault, match={"path": "control.cgi", "action": "restart"})
    result = run_logic("axis_acap", connection(device, name="hello_world", state="restarted"))
    # Running before and after: list.cgi cannot tell whether the first restart happened; a restart is
    # safe to repeat, so it is sent once more, and its OK decides.
    assert result["changed"] is True and result["actions"] == ["restart"], result
    assert not result.get("outcome_unknown"), result
    assert changing_operations(device) == [("control.cgi", "restart"), ("control.cgi", "restart")]
    assert applications(device)["hello_world"]["status"] == "Running"


def test_a_restart_answered_error_15_twice_fails_with_the_outcome_unknown(device, run_logic, tmp_path):
    device.install(Path(make_eap(tmp_path)).read_bytes(), start=True)
    device.clear_log()
    device.inject_fault("error_15_not_applied", count=2, match={"path": "control.cgi", "action": "restart"})
    with pytest.raises(AcapError) as info:
        run_logic("axis_acap", connection(device, name="hello_world", state="restarted"))
    assert "outcome is unknown" in info.value.message and "system log" in info.value.message, info.value.message
    assert info.value.result["outcome_unknown"] is True
    assert changing_operations(device) == [("control.cgi", "restart"), ("control.cgi", "restart")]


def test_a_forced_reinstall_of_the_same_version_answered_error_15_is_sent_once_more(device, run_logic, tmp_path):
    package = make_eap(tmp_path)
    device.install(Path(package).read_bytes())
    device.clear_log()
    device.inject_fault("error_15_not_applied", match={"path": "upload.cgi"})
    result = run_logic("axis_acap", connection(device, src=package, force=True))
    assert result["changed"] is True and not result.get("outcome_unknown"), result
    assert changing_operations(device) == [("upload.cgi", None), ("upload.cgi", None)]

    device.clear_log()
    device.inject_fault("error_15_not_applied", count=2, match={"path": "upload.cgi"})
    with pytest.raises(AcapError) as info:
        run_logic("axis_acap", connection(device, src=package, force=True))
    assert info.value.result["outcome_unknown"] is True and "outcome is unknown" in info.value.message
    assert changing_operations(device) == [("upload.cgi", None), ("upload.cgi", None)]  # never a third time


def test_the_state_module_reports_unknown_outcomes_per_resource(device, run_logic, tmp_path):
    device.install(Path(make_eap(tmp_path)).read_bytes(), start=True)
    device.inject_fault("error_15_not_applied", count=2, match={"path": "control.cgi", "action": "restart"})
    declared = [{"name": "hello_world", "state": "restarted"}]
    with pytest.raises(AcapError) as info:
        run_logic("axis_acap_state", connection(device, applications=declared))
    (record,) = info.value.result["resources"]
    assert (record["resource"], record["outcome_unknown"]) == ("application:hello_world", True)
    assert info.value.result["outcome_unknown"] is True


@pytest.mark.parametrize("reported", [{"firmware_reported": "v12.6.85"}, {"firmware_reported": "N/A"},
                                      {"embedded_development_reported": "N/A"}])
def test_odd_version_strings_do_not_crash_info_or_config(device, run_logic, reported):
    # Issue 11 item 5: a vendor build string or N/A where a version is expected; the device decides.
    device.reset(**reported)
    info = run_logic("axis_acap_info", connection(device))
    assert info["config"]["allow_unsigned"] is False and "list.cgi" not in " ".join(info["missing"])
    assert run_logic("axis_acap_config", connection(device, allow_unsigned=True))["changed"] is True


@pytest.mark.parametrize("operation, params, setup", [
    ("start", {"name": "hello_world", "state": "started"}, False),
    ("upload", {"state": "present"}, True),
])
def test_an_ok_the_device_does_not_carry_out_fails_clearly(device, run_logic, tmp_path, operation, params, setup):
    # Issue 11 item 4: the device answers OK and its state stays as it was.
    device.install(Path(make_eap(tmp_path)).read_bytes())
    if setup:
        params = dict(params, src=make_eap(tmp_path, version="1.1.0"))
    match = {"path": "control.cgi", "action": "start"} if operation == "start" else {"path": "upload.cgi"}
    device.inject_fault("ok_not_applied", match=match)
    with pytest.raises(AcapError) as info:
        run_logic("axis_acap", connection(device, **params))
    assert "answered OK, but the device then shows hello_world 1.0.0 Stopped" in info.value.message
    assert info.value.result["changed"] is True  # the request was accepted: it may have had effects


def test_a_start_the_device_leaves_idle_is_a_start_and_idle_stays_in_sync(device, run_logic, tmp_path):
    # Issue 11 item 13 (docs/axis_acap.md): Idle counts as started.
    device.install(Path(make_eap(tmp_path)).read_bytes())
    device.patch_state({"applications": {"hello_world": {"start_status": "Idle"}}})
    result = run_logic("axis_acap", connection(device, name="hello_world", state="started"))
    assert result["actions"] == ["start"] and result["application"]["status"] == "Idle"
    assert run_logic("axis_acap", connection(device, name="hello_world", state="started"))["changed"] is False


@pytest.mark.parametrize("code", [1, 8])
def test_an_application_that_fails_to_start_names_the_code(device, run_logic, tmp_path, code):
    device.install(Path(make_eap(tmp_path)).read_bytes())
    device.patch_state({"applications": {"hello_world": {"start_error": code}}})
    with pytest.raises(AcapError) as info:
        run_logic("axis_acap", connection(device, name="hello_world", state="started"))
    assert info.value.error_code == code and "Start of hello_world failed" in info.value.message
    assert info.value.result["changed"] is False
