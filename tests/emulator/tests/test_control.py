"""control.cgi errors 4, 6, 7, 9 (below AXIS OS 12.6 only) and 10 (fault)."""

from __future__ import annotations

import pytest

from conftest import APP_PATH, text_reply
from vapix_emulator.builders import build_eap


@pytest.mark.parametrize("action", ["start", "stop", "restart", "remove"])
def test_error_4_application_not_found(device, action):
    assert text_reply(device.control(action, "no_such_app")) == "Error: 4"


def test_error_4_names_are_case_sensitive(device):
    device.install(build_eap(name="CaseApp"))
    assert text_reply(device.control("start", "caseapp")) == "Error: 4"
    assert device.applications()["CaseApp"]["Status"] == "Stopped"


def test_error_6_already_running(device):
    device.install(build_eap(name="run6"))
    assert text_reply(device.control("start", "run6")) == "OK"
    assert text_reply(device.control("start", "run6")) == "Error: 6"
    assert device.applications()["run6"]["Status"] == "Running"


def test_error_7_not_running(device):
    device.install(build_eap(name="run7"))
    assert text_reply(device.control("stop", "run7")) == "Error: 7"
    assert device.applications()["run7"]["Status"] == "Stopped"


def _install_three(device) -> None:
    for name in ("one", "two", "three"):
        device.install(build_eap(name=name))


@pytest.mark.parametrize("firmware", ["11.11.73", "12.5.56"])
def test_error_9_too_many_running_below_12_6(device, firmware):
    device.reset(firmware=firmware, max_running=2)
    _install_three(device)
    assert text_reply(device.control("start", "one")) == "OK"
    assert text_reply(device.control("start", "two")) == "OK"
    assert text_reply(device.control("start", "three")) == "Error: 9"
    assert device.applications()["three"]["Status"] == "Stopped"
    # Stopping one frees a slot.
    assert text_reply(device.control("stop", "one")) == "OK"
    assert text_reply(device.control("start", "three")) == "OK"


@pytest.mark.parametrize("firmware", ["12.6.1", "12.7.0"])
def test_no_running_limit_from_12_6(device, firmware):
    device.reset(firmware=firmware, max_running=2)
    _install_three(device)
    for name in ("one", "two", "three"):
        assert text_reply(device.control("start", name)) == "OK"
    assert {app["Status"] for app in device.applications().values()} == {"Running"}


def test_default_running_limit_is_three_below_12_6(device):
    device.reset(firmware="12.5.56")
    for name in ("a1", "a2", "a3", "a4"):
        device.install(build_eap(name=name))
    assert [text_reply(device.control("start", name)) for name in ("a1", "a2", "a3", "a4")] == ["OK", "OK", "OK", "Error: 9"]


def test_restart_of_a_running_application_does_not_count_twice(device):
    device.reset(firmware="12.5.56", max_running=1)
    device.install(build_eap(name="solo"))
    assert text_reply(device.control("start", "solo")) == "OK"
    assert text_reply(device.control("restart", "solo")) == "OK"
    assert device.applications()["solo"]["Status"] == "Running"


def test_error_10_by_fault(device):
    device.install(build_eap(name="f10"))
    device.inject_fault("error_10", match={"path": APP_PATH + "control.cgi", "action": "start"})
    assert text_reply(device.control("start", "f10")) == "Error: 10"
    assert device.applications()["f10"]["Status"] == "Stopped"
    assert text_reply(device.control("start", "f10")) == "OK", "the fault was for one request only"


def test_remove_running_application(device):
    device.install(build_eap(name="gone"))
    device.control("start", "gone")
    assert text_reply(device.control("remove", "gone")) == "OK"
    assert "gone" not in device.applications()


def test_restart_of_a_stopped_application_is_error_7(device):
    device.install(build_eap(name="r7"))
    assert text_reply(device.control("restart", "r7")) == "Error: 7"
    assert device.applications()["r7"]["Status"] == "Stopped"


def test_idle_application_can_be_started_but_not_stopped(device):
    device.install(build_eap(name="idle"))
    device.patch_state({"applications": {"idle": {"status": "Idle"}}})
    assert device.applications()["idle"]["Status"] == "Idle"
    assert text_reply(device.control("stop", "idle")) == "Error: 7"
    assert text_reply(device.control("start", "idle")) == "OK"
    assert device.applications()["idle"]["Status"] == "Running"


@pytest.mark.parametrize("params", [{"action": "dance", "package": "x"}, {"package": "x"}])
def test_unknown_or_missing_action_is_refused(device, params):
    device.install(build_eap(name="x"))
    response = device.cgi("control.cgi", params=params)
    assert response.status_code == 400
    assert device.applications()["x"]["Status"] == "Stopped"
