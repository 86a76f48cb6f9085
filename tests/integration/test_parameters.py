# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap_parameters against the emulator: a fleet, idempotence with one read, drift in check mode,
secrets, refused values, unknown names, upgrades, uncertain answers, and axis_acap_info's view."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Optional

import pytest

from acap_helpers import operations, play_head
from vapix_emulator.builders import build_eap

from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    ConnectionDroppedError,
    ParameterError,
    PreflightError,
)

APP = "peoplecounter"
PARAM = "/axis-cgi/param.cgi"
DECLARED = [
    {"name": "Threshold", "default": "50", "type": "int:min=0,max=100"},
    {"name": "Mode", "default": "line", "type": "enum:line|area|zone"},
    {"name": "Upload", "default": "no", "type": "bool:no,yes"},
    {"name": "Overlay", "default": "off", "type": "bool:off,on"},
    {"name": "Server", "default": "", "type": "string"},
    {"name": "ApiKey", "default": "", "type": "password"},
    {"name": "Pin", "default": "0000", "type": "string"},
]
API_KEY = "Kx9-q7Zt-SECRET-api-key"
PIN = "PIN-4711-secret"

PLAYBOOK = play_head("People counter parameters") + """
    - name: parameters
      vapix.acap.axis_acap_parameters:
        name: %s
        parameters: "{{ wanted }}"
        secret_parameters: "{{ secrets | default({}) }}"
""" % APP


def install(device: Any, version: str = "1.0.0", declared: Optional[List[Dict[str, str]]] = None) -> None:
    device.install(build_eap(name=APP, version=version, signed=True, parameters=declared or DECLARED))
    device.clear_log()


def stored(device: Any) -> Dict[str, str]:
    for application in device.state()["applications"]:
        if application["name"] == APP:
            return {item["name"]: item["value"] for item in application["parameters"]}
    raise AssertionError("%s is not installed" % APP)


def by_hand(device: Any, **values: str) -> None:
    """Another client changes parameters (a person with curl)."""
    data = {"action": "update"}
    data.update({"root.%s.%s" % (APP, name): value for name, value in values.items()})
    response = device.admin_post(PARAM, data=data)
    assert response.text.strip() == "OK", response.text
    device.clear_log()


def params(device: Any, **options: Any) -> Dict[str, Any]:
    merged = device.conn_params(name=APP)
    merged.update(options)
    return merged


# ------------------------------------------------------------------------------------------------
# Through ansible-playbook
# ------------------------------------------------------------------------------------------------


def test_fleet_set_per_group_then_second_run_one_read_per_camera(devices, run_playbook):
    fleet = devices(6)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(install, fleet))
    entrances, parking = fleet[:3], fleet[3:]
    groups = [(entrances, {"Threshold": 40, "Mode": "line", "Upload": True}),
              (parking, {"Threshold": 70, "Mode": "area", "Upload": False, "Overlay": True})]
    for hosts, wanted in groups:
        run = run_playbook(PLAYBOOK, hosts, extra_vars={"wanted": wanted})
        assert run.rc == 0, run
        for device in hosts:
            result = run.task("parameters", device)
            assert result.status == "changed", result
            # The types are read (listdefinitions) only because something is written.
            assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions"),
                                          ("param.cgi", "update"), ("param.cgi", "list")]
            device.clear_log()
    for device in entrances:
        assert stored(device) == dict(stored(device), Threshold="40", Mode="line", Upload="yes", Overlay="off")
    for device in parking:
        assert stored(device) == dict(stored(device), Threshold="70", Mode="area", Upload="no", Overlay="on")
    result = run.task("parameters", parking[0])
    assert result["actions"] == ["set Threshold=70", "set Mode=area", "set Overlay=on"]
    assert result["parameters"]["Threshold"] == "70" and result["parameters"]["ApiKey"] == ""  # unset: listed empty
    assert result["resources"] == [{
        "resource": "parameters:%s" % APP, "changed": True, "actions": result["actions"],
        "before": dict(result["parameters"], Threshold="50", Mode="line", Overlay="off"),
        "after": result["parameters"], "source": None, "warnings": [], "outcome_unknown": False,
        "not_comparable": [], "notes": [],
    }]

    for hosts, wanted in groups:
        again = run_playbook(PLAYBOOK, hosts, extra_vars={"wanted": wanted})
        assert again.rc == 0, again
        for device in hosts:
            result = again.task("parameters", device)
            assert result.status == "ok" and result["actions"] == [], result
            assert result["resources"][0]["changed"] is False
            assert operations(device) == [("param.cgi", "list")], operations(device)


def test_a_value_changed_by_hand_is_drift_in_check_mode(device, run_playbook):
    install(device)
    wanted = {"Threshold": 40, "Mode": "zone"}
    assert run_playbook(PLAYBOOK, device, extra_vars={"wanted": wanted}).rc == 0
    by_hand(device, Threshold="90")
    run = run_playbook(PLAYBOOK, device, extra_vars={"wanted": wanted}, check=True, diff=True)
    assert run.rc == 0, run
    result = run.task("parameters")
    assert result.status == "changed"
    assert result["actions"] == ["set Threshold=40"]
    assert result["diff"]["before"]["Threshold"] == "90" and result["diff"]["after"]["Threshold"] == "40"
    assert result["diff"]["before_header"].endswith("parameters:%s (before)" % APP)
    assert result["resources"][0]["changed"] is True
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions")]  # no update in check mode
    assert stored(device)["Threshold"] == "90"


def test_secrets_never_show_in_verbose_output_or_diff(device, run_playbook):
    install(device)
    secrets = {"ApiKey": API_KEY, "Pin": PIN}
    first = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Threshold": 10}, "secrets": secrets},
                         diff=True, verbosity=4)
    assert first.rc == 0, first
    assert stored(device)["ApiKey"] == API_KEY and stored(device)["Pin"] == PIN
    result = first.task("parameters")
    assert result["actions"] == ["set Threshold=10", "set ApiKey", "set Pin"]
    assert result["parameters"]["ApiKey"] == "******** (changed)"
    assert result["parameters"]["Pin"] == "******** (changed)"
    assert not result.get("warnings"), result
    device.clear_log()

    # Second run: Pin is listed in clear and compared (not written); ApiKey is hidden, so it cannot be
    # compared: left as it is (update_secrets: on_create), named in not_comparable, no change, no warning.
    second = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Threshold": 10}, "secrets": secrets},
                          diff=True, verbosity=4)
    assert second.rc == 0, second
    result = second.task("parameters")
    assert result.status == "ok" and result["actions"] == [], result
    assert result["resources"][0]["not_comparable"] == ["ApiKey"] and not result.get("warnings")
    # A refused secret: the device's error quotes the value, the module's message does not.
    refused = run_playbook(PLAYBOOK + "      ignore_errors: true\n", device, extra_vars={
        "wanted": {"Mode": "area"}, "secrets": {"Server": "bad\u20ac" + PIN}}, diff=True, verbosity=4)
    failure = refused.task("parameters")
    assert failure.status == "failed", failure
    assert "The value of %s.Server holds a character which the device cannot store" % APP in failure["msg"], failure
    assert "no_log" in refused.stdout or "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in refused.stdout, refused.stdout
    check = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {}, "secrets": {"Pin": PIN + "-other"}},
                         check=True, diff=True, verbosity=4)
    assert check.rc == 0 and check.task("parameters")["actions"] == ["set Pin"], check
    recorded = json.dumps([run.results for run in (first, second, refused, check)])
    for run in (first, second, refused, check):
        for text in (run.stdout, run.stderr, recorded):
            assert API_KEY not in text and PIN not in text


def test_a_value_out_of_the_device_type_fails_before_writing(device, run_playbook):
    install(device)
    before = stored(device)
    run = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Mode": "area", "Threshold": 150}})
    assert run.rc != 0
    result = run.task("parameters")
    assert result.status == "failed"
    assert "The value '150' for %s.Threshold is outside the range 0 to 100 (the device gives its type as int " \
           "0..100); nothing was written" % APP in result["msg"], result
    assert result["changed"] is False
    assert stored(device) == before
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions")]


def test_an_upgrade_keeps_the_values(device, run_playbook, tmp_path):
    install(device)
    wanted = {"Threshold": 33, "Server": "https://counts.example.com"}
    assert run_playbook(PLAYBOOK, device, extra_vars={"wanted": wanted}).rc == 0
    package = tmp_path / "pc_2.eap"
    build_eap(package, name=APP, version="2.0.0", signed=True,
              parameters=DECLARED + [{"name": "Zones", "default": "4", "type": "int"}])
    upgrade = run_playbook("""
- hosts: all
  gather_facts: false
  tasks:
    - name: upgrade
      vapix.acap.axis_acap:
        hostname: "{{ axis_hostname }}"
        port: "{{ axis_port }}"
        use_https: false
        username: "{{ axis_username }}"
        password: "{{ axis_password }}"
        name: %s
        src: %s
""" % (APP, package), device)
    assert upgrade.rc == 0 and upgrade.task("upgrade").status == "changed", upgrade
    assert stored(device)["Zones"] == "4"
    device.clear_log()
    again = run_playbook(PLAYBOOK, device, extra_vars={"wanted": dict(wanted, Zones=4)})
    assert again.rc == 0, again
    assert again.task("parameters").status == "ok"
    assert operations(device) == [("param.cgi", "list")]


# ------------------------------------------------------------------------------------------------
# In-process (the module's own validation and logic)
# ------------------------------------------------------------------------------------------------


def test_unknown_parameter_fails_before_writing_and_names_the_parameters(device, run_logic):
    install(device)
    with pytest.raises(ParameterError) as raised:
        run_logic("axis_acap_parameters", params(device, parameters={"threshold": 1, "Colour": "red", "Mode": "area"}))
    message = str(raised.value)
    assert "Colour, threshold (did you mean Threshold?)" in message
    assert "ApiKey, Mode, Overlay, Pin, Server, Threshold, Upload" in message
    assert operations(device) == [("param.cgi", "list")]


def test_not_installed_is_an_error_and_a_planned_change_in_check_mode(device, run_logic):
    with pytest.raises(PreflightError, match="not installed"):
        run_logic("axis_acap_parameters", params(device, parameters={"Threshold": 1}))
    result = run_logic("axis_acap_parameters", params(device, parameters={"Threshold": 1}), check_mode=True)
    assert result["changed"] is True and result["actions"] == ["set Threshold=1"]
    assert result["resources"][0]["before"] == {} and "earlier task installs it" in result["warnings"][0]
    assert [cgi for cgi, _action in operations(device)] == ["param.cgi", "list.cgi", "param.cgi", "list.cgi"]


def test_application_without_parameters(device, run_logic):
    device.install(build_eap(name=APP, signed=True))
    device.clear_log()
    with pytest.raises(ParameterError, match="declares no parameters"):
        run_logic("axis_acap_parameters", params(device, parameters={"Threshold": 1}))


def test_bool_needs_known_words(device, run_logic):
    install(device)
    with pytest.raises(ParameterError, match="Threshold is given as a boolean"):
        run_logic("axis_acap_parameters", params(device, parameters={"Threshold": True}))
    result = run_logic("axis_acap_parameters", params(device, parameters={"Upload": True, "Overlay": True, "Server": 1.5}))
    assert result["actions"] == ["set Upload=yes", "set Overlay=on", "set Server=1.5"]


def test_answer_lost_after_the_update_is_applied(device, run_logic):
    install(device)
    device.inject_fault("drop_after", match={"path": "param.cgi", "action": "update"})
    result = run_logic("axis_acap_parameters", params(device, parameters={"Threshold": 20},
                                                      secret_parameters={"ApiKey": API_KEY}))
    assert result["changed"] is True and any("but the device shows it done" in warning for warning in result["warnings"])
    assert result["actions"] == ["set Threshold=20", "set ApiKey"]
    assert result["parameters"]["ApiKey"] == "******** (changed)" and API_KEY not in json.dumps(result)
    assert stored(device)["Threshold"] == "20" and stored(device)["ApiKey"] == API_KEY
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions"), ("param.cgi", "update"),
                                  ("param.cgi", "list")]


def test_answer_lost_before_the_update_is_applied(device, run_logic):
    install(device)
    device.inject_fault("drop_before", match={"path": "param.cgi", "action": "update"})
    with pytest.raises(ConnectionDroppedError, match="Threshold=50, as before, so it was not done") as raised:
        run_logic("axis_acap_parameters", params(device, parameters={"Threshold": 20}))
    assert raised.value.result == {"changed": False, "actions": []}
    # Never resent: one update, then the read that tells the outcome.
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions"), ("param.cgi", "update"),
                                  ("param.cgi", "list")]


def test_html_answer_to_an_update_of_a_hidden_secret_is_sent_once_more(device, run_logic):
    install(device)
    by_hand(device, ApiKey="old-key")  # set: the device lists it as a row of *
    device.inject_fault("html_login", match={"path": "param.cgi", "action": "update"})
    result = run_logic("axis_acap_parameters", params(device, secret_parameters={"ApiKey": API_KEY},
                                                      update_secrets="always"))
    # The device hides the value, so nothing can prove whether the first update went in; writing a value
    # is safe to repeat, so it is sent once more and that OK decides.
    assert result["changed"] is True and result["actions"] == ["set ApiKey"] and not result.get("outcome_unknown")
    assert [op for op in operations(device) if op == ("param.cgi", "update")] == [("param.cgi", "update")] * 2
    assert API_KEY not in json.dumps(result)
    assert stored(device)["ApiKey"] == API_KEY


def test_html_answers_to_both_updates_of_a_hidden_secret_fail_with_the_outcome_unknown(device, run_logic):
    install(device)
    by_hand(device, ApiKey="old-key")  # set: the device lists it as a row of *, so no read can show the update
    device.inject_fault("html_login", count=2, match={"path": "param.cgi", "action": "update"})
    with pytest.raises(AcapError) as raised:
        run_logic("axis_acap_parameters", params(device, secret_parameters={"ApiKey": API_KEY},
                                                 update_secrets="always"))
    assert raised.value.result["outcome_unknown"] is True and "outcome is unknown" in raised.value.message
    assert API_KEY not in json.dumps(raised.value.result) + raised.value.message


def test_info_returns_each_application_parameters_with_secrets_masked(device, run_logic):
    install(device)
    device.install(build_eap(name="plain", signed=True))
    by_hand(device, ApiKey=API_KEY, Threshold="12")
    result = run_logic("axis_acap_info", device.conn_params())
    assert result["parameters"][APP]["Threshold"] == "12"
    assert "ApiKey" not in result["parameters"][APP]  # a password: under secret_parameters, masked
    assert result["secret_parameters"][APP] == {"ApiKey": "********"}
    assert result["parameters"]["plain"] == {} and result["secret_parameters"]["plain"] == {}
    assert API_KEY not in json.dumps(result)
    # Device facts, all applications' values, and their types (a value could be a password's).
    assert [op for op in operations(device) if op[0] == "param.cgi"] == [
        ("param.cgi", "list"), ("param.cgi", "list"), ("param.cgi", "listdefinitions")]
