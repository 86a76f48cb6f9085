# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap logic against the emulator, in-process over real HTTP (run_logic).

Every converging case goes through ``converge``: check mode first (predicts the actions, sends
nothing that changes the device, device untouched), then the real run (does the actions), then a
second run (no change, exactly one authenticated request: list.cgi).
"""

from __future__ import annotations

import threading
from typing import Any, Dict, List

import pytest

from acap_helpers import applications, changing_operations, connection, make_eap, operations
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    ConnectionDroppedError,
    DeviceError,
    PackageError,
    PreflightError,
)

LIST_ONLY = [("list.cgi", None)]


def converge(device: Any, run_logic: Any, params: Dict[str, Any], expected: List[str]) -> Dict[str, Any]:
    """Check mode, real run, second run; returns the real run's result."""
    params = connection(device, **params)
    before = applications(device)

    device.clear_log()
    predicted = run_logic("axis_acap", params, check_mode=True)
    assert predicted["actions"] == expected
    assert predicted["changed"] is bool(expected)
    assert changing_operations(device) == []
    assert applications(device) == before

    device.clear_log()
    result = run_logic("axis_acap", params)
    assert result["actions"] == expected, result
    assert result["changed"] is bool(expected)
    # The prediction matches what the device shows afterwards.
    for key in ("name", "version", "status"):
        assert (predicted["application"] or {}).get(key) == (result["application"] or {}).get(key), key
    assert predicted["diff"]["after"] == result["diff"]["after"]

    device.clear_log()
    again = run_logic("axis_acap", params)
    assert again["changed"] is False, again
    assert again["actions"] == []
    assert operations(device) == LIST_ONLY
    return result


# -- every state from a fresh device -------------------------------------------------------------


@pytest.mark.parametrize("acap", [3, 4])
@pytest.mark.parametrize(
    "state, expected, status",
    [
        ("present", ["upload"], "Stopped"),
        ("started", ["upload", "start"], "Running"),
        ("stopped", ["upload"], "Stopped"),
    ],
)
def test_install(device, run_logic, tmp_path, acap, state, expected, status):
    src = make_eap(tmp_path, version="1.2.3", acap=acap)
    result = converge(device, run_logic, {"src": src, "state": state}, expected)
    installed = applications(device)["hello_world"]
    assert installed["status"] == status
    assert result["application"]["status"] == status
    # ACAP 3 versions are listed as MAJOR.MINOR-MICRO; the package reader spells them the same way.
    assert result["application"]["version"] == result["package"]["version"] == installed["version"]
    assert result["package"]["acap_format"] == acap
    assert result["diff"]["before"] == {}
    assert result["diff"]["after"]["name"] == "hello_world"
    assert result["diff"]["after"]["status"] == status


def test_install_sends_facts_reads_only_when_uploading(device, run_logic, tmp_path):
    src = make_eap(tmp_path)
    device.clear_log()
    run_logic("axis_acap", connection(device, src=src))
    cgis = [cgi for cgi, unused_action in operations(device)]
    assert cgis[0] == "list.cgi"
    assert "upload.cgi" in cgis
    assert cgis.index("param.cgi") < cgis.index("upload.cgi")
    assert "config.cgi" not in cgis  # signed package: AllowUnsigned does not matter


# -- run-state transitions of an installed application -----------------------------------------


@pytest.mark.parametrize(
    "running, state, expected, status_after",
    [
        (False, "started", ["start"], "Running"),
        (True, "stopped", ["stop"], "Stopped"),
        (True, "present", [], "Running"),
        (False, "present", [], "Stopped"),
        (True, "started", [], "Running"),
        (False, "stopped", [], "Stopped"),
    ],
)
def test_run_state_by_name(device, run_logic, tmp_path, running, state, expected, status_after):
    device.install(open(make_eap(tmp_path), "rb").read(), start=running)
    result = converge(device, run_logic, {"name": "hello_world", "state": state}, expected)
    assert applications(device)["hello_world"]["status"] == status_after
    assert result["diff"]["before"]["status"] == ("Running" if running else "Stopped")
    assert result["diff"]["after"]["status"] == status_after
    assert result["package"] is None


@pytest.mark.parametrize("running, expected", [(True, ["restart"]), (False, ["start"])])
def test_restarted_always_acts(device, run_logic, tmp_path, running, expected):
    device.install(open(make_eap(tmp_path), "rb").read(), start=running)
    params = connection(device, name="hello_world", state="restarted")
    device.clear_log()
    predicted = run_logic("axis_acap", params, check_mode=True)
    assert predicted["actions"] == expected and predicted["changed"] is True
    assert changing_operations(device) == []
    for attempt in range(2):  # a second run restarts again: restarted is never "ok"
        device.clear_log()
        result = run_logic("axis_acap", params)
        assert result["changed"] is True
        assert result["actions"] == (expected if attempt == 0 else ["restart"])
        assert changing_operations(device) == [("control.cgi", result["actions"][0])]
        assert applications(device)["hello_world"]["status"] == "Running"


def test_restarted_installs_then_starts(device, run_logic, tmp_path):
    src = make_eap(tmp_path)
    result = run_logic("axis_acap", connection(device, src=src, state="restarted"))
    assert result["actions"] == ["upload", "start"]
    assert applications(device)["hello_world"]["status"] == "Running"


def test_absent(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path), "rb").read(), start=True)
    result = converge(device, run_logic, {"name": "hello_world", "state": "absent"}, ["remove"])
    assert "hello_world" not in applications(device)
    assert result["application"] is None
    assert result["diff"]["before"]["status"] == "Running"
    assert result["diff"]["after"] == {}


def test_absent_with_src_takes_the_name_from_the_package(device, run_logic, tmp_path):
    src = make_eap(tmp_path, acap=3)
    device.install(open(src, "rb").read())
    converge(device, run_logic, {"src": src, "state": "absent"}, ["remove"])
    assert applications(device) == {}


def test_absent_leaves_a_case_variant_alone(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, name="MyApp"), "rb").read())
    device.clear_log()
    result = run_logic("axis_acap", connection(device, name="myapp", state="absent"))
    assert result["changed"] is False
    assert "MyApp" in result["warnings"][0]
    assert "MyApp" in applications(device)
    assert operations(device) == LIST_ONLY


# -- upgrade, downgrade, force -----------------------------------------------------------------


@pytest.mark.parametrize("restart_after_upgrade, expected", [(True, ["upload"]), (False, ["upload", "start"])])
def test_upgrade_of_running_application_keeps_it_running(device, run_logic, tmp_path, restart_after_upgrade, expected):
    device.reset(restart_after_upgrade=restart_after_upgrade)
    device.install(open(make_eap(tmp_path, version="1.0.0"), "rb").read(), start=True)
    src = make_eap(tmp_path, version="1.1.0")
    device.clear_log()
    predicted = run_logic("axis_acap", connection(device, src=src), check_mode=True)
    # Check mode cannot know the device's restart option: it predicts the application keeps running.
    assert predicted["actions"] == ["upload"]
    assert predicted["application"]["status"] == "Running"
    assert changing_operations(device) == []

    device.clear_log()
    result = run_logic("axis_acap", connection(device, src=src))
    assert result["actions"] == expected
    app = applications(device)["hello_world"]
    assert (app["version"], app["status"]) == ("1.1.0", "Running")
    assert result["diff"]["before"]["version"] == "1.0.0"
    assert result["diff"]["after"]["version"] == "1.1.0"
    # Upload, read the outcome, then start only when the device stopped it.
    cgis = [cgi for cgi, unused_action in operations(device)]
    assert cgis[cgis.index("upload.cgi") + 1] == "list.cgi"

    device.clear_log()
    assert run_logic("axis_acap", connection(device, src=src))["changed"] is False
    assert operations(device) == LIST_ONLY


def test_upgrade_to_stopped(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, version="1.0.0"), "rb").read(), start=True)
    converge(device, run_logic, {"src": make_eap(tmp_path, version="2.0.0"), "state": "stopped"}, ["upload", "stop"])
    app = applications(device)["hello_world"]
    assert (app["version"], app["status"]) == ("2.0.0", "Stopped")


def test_upgrade_acap3_to_acap4(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, version="1.0.0", acap=3), "rb").read())
    converge(device, run_logic, {"src": make_eap(tmp_path, version="1.0.1", acap=4)}, ["upload"])
    assert applications(device)["hello_world"]["version"] == "1.0.1"


def test_acap3_spelling_of_the_same_version_is_not_an_upgrade(device, run_logic, tmp_path):
    # list.cgi shows the ACAP 3 package's 4.15.2 as "4.15-2"; an ACAP 4 package 4.15.2 is the same version.
    device.install(open(make_eap(tmp_path, version="4.15.2", acap=3), "rb").read())
    device.clear_log()
    result = run_logic("axis_acap", connection(device, src=make_eap(tmp_path, version="4.15.2", acap=4)))
    assert result["changed"] is False
    assert operations(device) == LIST_ONLY


def test_downgrade_refused(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, version="2.0.0"), "rb").read())
    src = make_eap(tmp_path, version="1.0.0")
    for check_mode in (True, False):
        device.clear_log()
        result = run_logic("axis_acap", connection(device, src=src), check_mode=check_mode)
        assert result["changed"] is False and result["actions"] == []
        assert "2.0.0 is installed, newer than the package's 1.0.0" in result["warnings"][0]
        assert operations(device) == LIST_ONLY
    assert applications(device)["hello_world"]["version"] == "2.0.0"


def test_downgrade_allowed(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, version="2.0.0"), "rb").read())
    result = converge(
        device, run_logic, {"src": make_eap(tmp_path, version="1.0.0"), "allow_downgrade": True}, ["upload"]
    )
    assert applications(device)["hello_world"]["version"] == "1.0.0"
    assert result["diff"]["before"]["version"] == "2.0.0"


def test_force_uploads_the_same_version(device, run_logic, tmp_path):
    src = make_eap(tmp_path, version="1.0.0")
    device.install(open(src, "rb").read(), start=True)
    params = connection(device, src=src, force=True, state="started")
    device.clear_log()
    assert run_logic("axis_acap", params, check_mode=True)["actions"] == ["upload"]
    assert changing_operations(device) == []
    device.clear_log()
    result = run_logic("axis_acap", params)
    assert result["actions"] == ["upload"]
    assert changing_operations(device) == [("upload.cgi", None)]
    assert applications(device)["hello_world"]["status"] == "Running"
    # Without force the same task is idempotent again.
    device.clear_log()
    params["force"] = False
    assert run_logic("axis_acap", params)["changed"] is False
    assert operations(device) == LIST_ONLY


# -- several architectures -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "device_architecture, offered, chosen",
    [
        ("aarch64", ["armv7hf", "aarch64"], "aarch64"),
        ("armv7hf", ["armv7hf", "aarch64"], "armv7hf"),
        ("armv7hf", ["aarch64", "all"], "all"),
        ("aarch64", ["all", "aarch64"], "aarch64"),
    ],
)
def test_selection_among_architectures(device, run_logic, tmp_path, device_architecture, offered, chosen):
    device.reset(architecture=device_architecture)
    src = [make_eap(tmp_path, architecture=arch) for arch in offered]
    result = converge(device, run_logic, {"src": src, "state": "started"}, ["upload", "start"])
    assert result["package"]["architecture"] == chosen
    assert applications(device)["hello_world"]["architecture"] == chosen


def test_several_versions_are_chosen_by_architecture(device, run_logic, tmp_path):
    # The armv7hf build is older: the decision needs the device's architecture first.
    device.reset(architecture="aarch64")
    src = [make_eap(tmp_path, architecture="armv7hf", version="1.0.0"),
           make_eap(tmp_path, architecture="aarch64", version="1.1.0")]
    result = run_logic("axis_acap", connection(device, src=src))
    assert result["package"]["version"] == "1.1.0"
    device.clear_log()
    again = run_logic("axis_acap", connection(device, src=src))
    assert again["changed"] is False
    # Packages of different versions: param.cgi is needed to know which one applies.
    assert [cgi for cgi, unused_action in operations(device)] == ["list.cgi", "param.cgi"]


def test_no_package_fits(device, run_logic, tmp_path):
    device.reset(architecture="armv7hf")
    src = [make_eap(tmp_path, architecture="aarch64"), make_eap(tmp_path, architecture="mips")]
    device.clear_log()
    with pytest.raises(PreflightError) as info:
        run_logic("axis_acap", connection(device, src=src))
    message = str(info.value)
    assert "device's architecture is armv7hf" in message
    assert "(aarch64)" in message and "(mips)" in message
    assert changing_operations(device) == []
    assert applications(device) == {}


# -- pre-flight failures: nothing is uploaded ----------------------------------------------------


@pytest.mark.parametrize("acap", [3, 4])
def test_unsigned_refused_on_12(device, run_logic, tmp_path, acap):
    device.reset(firmware="12.2.1")
    src = make_eap(tmp_path, signed=False, acap=acap)
    device.clear_log()
    with pytest.raises(PreflightError) as info:
        run_logic("axis_acap", connection(device, src=src))
    assert "unsigned" in str(info.value) and "allow_unsigned" in str(info.value)
    assert info.value.error_code == 2
    assert ("config.cgi", "get") in operations(device)
    assert changing_operations(device) == []
    assert applications(device) == {}


@pytest.mark.parametrize("acap", [3, 4])
def test_unsigned_refused_now_is_a_planned_upload_in_check_mode(device, run_logic, tmp_path, acap):
    # A --check run of "allow unsigned, then install": the config task changed nothing, so the device
    # still refuses unsigned packages. The install task plans the upload and says what it assumed.
    device.reset(firmware="12.2.1")
    src = make_eap(tmp_path, signed=False, acap=acap)
    device.clear_log()
    result = run_logic("axis_acap", connection(device, src=src), check_mode=True)
    assert result["changed"] is True and result["actions"] == ["upload"]
    assert any(warning.startswith("Check mode:") and "Error: 2" in warning and "allow_unsigned: true" in warning
               for warning in result["warnings"])
    assert ("config.cgi", "get") in operations(device)
    assert changing_operations(device) == []
    assert applications(device) == {}


@pytest.mark.parametrize("acap", [3, 4])
def test_unsigned_accepted_when_allowed_on_12(device, run_logic, tmp_path, acap):
    device.reset(firmware="12.2.1")
    device.patch_state({"config": {"AllowUnsigned": True}})
    converge(device, run_logic, {"src": make_eap(tmp_path, signed=False, acap=acap)}, ["upload"])
    assert applications(device)["hello_world"]["signed"] is False


@pytest.mark.parametrize("acap", [3, 4])
@pytest.mark.parametrize("firmware, asks_config", [("11.11.73", True), ("11.1.50", False)])
def test_unsigned_on_11(device, run_logic, tmp_path, firmware, asks_config, acap):
    device.reset(firmware=firmware)
    src = make_eap(tmp_path, signed=False, acap=acap)
    device.clear_log()
    run_logic("axis_acap", connection(device, src=src), check_mode=True)
    # AllowUnsigned is asked only where config.cgi exists (AXIS OS 11.2 and later).
    assert (("config.cgi", "get") in operations(device)) is asks_config
    device.reset(firmware=firmware)
    result = converge(device, run_logic, {"src": src, "state": "started"}, ["upload", "start"])
    assert result["package"]["signed"] is False
    assert applications(device)["hello_world"]["status"] == "Running"


@pytest.mark.parametrize("firmware", ["11.11.73", "12.6.1"])
@pytest.mark.parametrize("acap", [3, 4])
def test_signed_on_11_and_12(device, run_logic, tmp_path, firmware, acap):
    device.reset(firmware=firmware)
    result = converge(device, run_logic, {"src": make_eap(tmp_path, acap=acap, signed=True), "state": "started"},
                      ["upload", "start"])
    assert result["package"]["signed"] is True
    assert applications(device)["hello_world"]["status"] == "Running"


def test_single_package_for_another_architecture(device, run_logic, tmp_path):
    device.reset(architecture="armv7hf")
    with pytest.raises(PreflightError, match="device's architecture is armv7hf"):
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path, architecture="aarch64")))
    assert changing_operations(device) == []


def test_case_clash(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, name="MyApp"), "rb").read())
    device.clear_log()
    with pytest.raises(PreflightError) as info:
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path, name="myapp")), check_mode=False)
    assert "MyApp" in str(info.value) and "letter case" in str(info.value)
    assert info.value.error_code == 14
    assert operations(device) == LIST_ONLY


def test_required_sdk_newer_than_device(device, run_logic, tmp_path):
    device.reset(embedded_development="2.18")
    src = make_eap(tmp_path, embedded_sdk_version="3.0")
    device.clear_log()
    with pytest.raises(PreflightError, match="requires embedded development version 3.0, but the device has 2.18"):
        run_logic("axis_acap", connection(device, src=src))
    assert changing_operations(device) == []
    # An ACAP 3 package without REQEMBDEVVERSION needs 2.0: that fits.
    converge(device, run_logic, {"src": make_eap(tmp_path, acap=3, embedded_sdk_version=None)}, ["upload"])


# -- local mistakes: nothing is sent at all ------------------------------------------------------


@pytest.mark.parametrize("corrupt", ["not_gzip", "truncated", "no_manifest", "bad_manifest_json",
                                     "manifest_missing_appname", "bad_package_conf", "empty"])
def test_corrupt_package_fails_before_any_request(device, run_logic, tmp_path, corrupt):
    src = make_eap(tmp_path, corrupt=corrupt, acap=3 if corrupt == "bad_package_conf" else 4)
    device.clear_log()
    with pytest.raises(PackageError) as info:
        run_logic("axis_acap", connection(device, src=src))
    assert "not a valid ACAP package" in str(info.value) or "is empty" in str(info.value)
    assert device.log() == []


def test_missing_package_and_one_bad_among_several(device, run_logic, tmp_path):
    good = make_eap(tmp_path)
    device.clear_log()
    with pytest.raises(PackageError, match="does not exist"):
        run_logic("axis_acap", connection(device, src=[good, str(tmp_path / "nope.eap")]))
    assert device.log() == []


def test_name_and_src_disagree(device, run_logic, tmp_path):
    device.clear_log()
    with pytest.raises(PreflightError, match="name is 'other' but the package"):
        run_logic("axis_acap", connection(device, name="other", src=make_eap(tmp_path)))
    assert device.log() == []


def test_not_installed_without_src(device, run_logic):
    with pytest.raises(PreflightError, match="not installed on the device and no src"):
        run_logic("axis_acap", connection(device, name="hello_world", state="started"))
    assert operations(device) == LIST_ONLY


# -- device errors and unknown outcomes ----------------------------------------------------------


def test_upload_error_15_but_installed(device, run_logic, tmp_path):
    device.inject_fault("error_15_applied", match={"path": "upload.cgi"})
    result = run_logic("axis_acap", connection(device, src=make_eap(tmp_path)))
    assert result["changed"] is True and result["actions"] == ["upload"]
    assert "the device shows it done" in result["warnings"][0]
    assert "hello_world" in applications(device)


def test_upload_error_15_not_installed(device, run_logic, tmp_path):
    # Error 15 says the outcome is unknown; list.cgi shows it was not installed, so the result says so.
    device.inject_fault("error_15_not_applied", match={"path": "upload.cgi"})
    with pytest.raises(DeviceError) as info:
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path)))
    assert info.value.error_code == 15
    assert "so it was not done" in str(info.value)
    assert info.value.result["changed"] is False
    assert applications(device) == {}


def test_dropped_connection_after_start_is_verified(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path), "rb").read())
    device.inject_fault("drop_after", match={"path": "control.cgi"})
    result = run_logic("axis_acap", connection(device, name="hello_world", state="started"))
    assert result["changed"] is True and result["actions"] == ["start"]
    assert result["warnings"]
    assert applications(device)["hello_world"]["status"] == "Running"


def test_failure_after_upload_tells_the_truth(device, run_logic, tmp_path):
    # Firmware before 12.6 limits running applications: the start fails after the upload worked.
    device.reset(firmware="12.2.1", max_running=0)
    with pytest.raises(DeviceError) as info:
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path), state="started"))
    assert info.value.error_code == 9
    assert info.value.result["changed"] is True
    assert info.value.result["actions"] == ["upload"]
    assert "Start of hello_world failed" in str(info.value)
    assert "hello_world" in applications(device)


def test_device_refuses_upload_with_error_code(device, run_logic, tmp_path):
    device.inject_fault("error_10", match={"path": "upload.cgi"})
    with pytest.raises(DeviceError) as info:
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path)))
    assert info.value.error_code == 10
    assert "Upload of hello_world 1.0.0" in str(info.value)
    assert info.value.result["changed"] is False


def test_dropped_upload_that_did_nothing(device, run_logic, tmp_path):
    device.inject_fault("drop_before", match={"path": "upload.cgi"})
    with pytest.raises(ConnectionDroppedError) as info:
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path)))
    assert "still shows hello_world not installed, as before, so it was not done" in str(info.value)
    assert (info.value.result["changed"], info.value.result["actions"]) == (False, [])
    assert applications(device) == {}


def test_dropped_upload_that_worked(device, run_logic, tmp_path):
    device.inject_fault("drop_after", match={"path": "upload.cgi"})
    result = run_logic("axis_acap", connection(device, src=make_eap(tmp_path), state="started"))
    assert result["actions"] == ["upload", "start"]
    assert result["warnings"]
    assert applications(device)["hello_world"]["status"] == "Running"


def test_stop_error_15_not_applied_after_upload(device, run_logic, tmp_path):
    device.install(open(make_eap(tmp_path, version="1.0.0"), "rb").read(), start=True)
    device.inject_fault("error_15_not_applied", match={"path": "control.cgi", "action": "stop"})
    with pytest.raises(DeviceError) as info:
        run_logic("axis_acap", connection(device, src=make_eap(tmp_path, version="1.1.0"), state="stopped"))
    assert info.value.error_code == 15
    assert info.value.result["changed"] is True
    assert info.value.result["actions"] == ["upload"]
    app = applications(device)["hello_world"]
    assert (app["version"], app["status"]) == ("1.1.0", "Running")


def test_idle_application_counts_as_started_and_is_stopped_when_asked(device, run_logic, tmp_path):
    # docs/axis_acap.md: Idle is an application the device accepted as started and keeps idle.
    device.install(open(make_eap(tmp_path), "rb").read())
    device.patch_state({"applications": {"hello_world": {"status": "Idle"}}})
    device.clear_log()
    result = run_logic("axis_acap", connection(device, name="hello_world", state="started"))
    assert (result["changed"], result["actions"]) == (False, [])
    assert changing_operations(device) == []
    # Stopped asks the device to stop it; its answer decides (Error 7, "not running", is no change).
    result = run_logic("axis_acap", connection(device, name="hello_world", state="stopped"))
    assert changing_operations(device) == [("control.cgi", "stop")]
    assert result["changed"] is (applications(device)["hello_world"]["status"] == "Stopped")


@pytest.mark.parametrize(
    "running, state, meanwhile, expected_actions, status_after",
    [
        # Someone else starts it between our list.cgi and our start: Error 6 means "already so".
        (False, "started", "start", [], "Running"),
        # Someone else stops it before our stop: Error 7 means "already so".
        (True, "stopped", "stop", [], "Stopped"),
        # Someone else stops it before our restart: Error 7, so the module starts it.
        (True, "restarted", "stop", ["start"], "Running"),
    ],
)
def test_already_so_answers(device, run_logic, tmp_path, running, state, meanwhile, expected_actions, status_after):
    device.install(open(make_eap(tmp_path), "rb").read(), start=running)
    # Our control.cgi request is held for 1.5 s; meanwhile another client changes the application.
    device.inject_fault("delay", match={"path": "control.cgi"}, delay=1.5)
    other = threading.Timer(
        0.5, device._admin_post,  # pylint: disable=protected-access
        args=("/axis-cgi/applications/control.cgi",), kwargs={"params": {"action": meanwhile, "package": "hello_world"}},
    )
    other.start()
    try:
        result = run_logic("axis_acap", connection(device, name="hello_world", state=state))
    finally:
        other.join(10)
    assert result["actions"] == expected_actions
    assert result["changed"] is bool(expected_actions)
    assert applications(device)["hello_world"]["status"] == status_after


@pytest.mark.parametrize("auth", ["digest", "basic"])
def test_over_https(device, run_logic, tmp_path, auth):
    device.reset(auth=auth)
    https = {"use_https": True, "port": device.https_port, "ca_path": device.ca_file}
    converge(device, run_logic, dict(https, src=make_eap(tmp_path), state="started"), ["upload", "start"])
    assert applications(device)["hello_world"]["status"] == "Running"
