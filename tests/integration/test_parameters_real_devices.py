# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Application parameters as real cameras handle them (acap-formats.md, "What real devices and packages
show"), through ansible-playbook and in process on the emulator, which behaves that way by default:
ISO-8859-1 param.cgi, exact values, passwords listed as a row of * (and nothing else masked), types from
listdefinitions, per-parameter refusal, and # Error answers with HTTP 400.

Every test here failed on main d438431 (docs/axis_acap_parameters.md, "Real devices") except
test_a_device_that_declares_utf8_gets_utf8, a guard of what must not change (a device that declares
UTF-8 gets UTF-8)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from acap_helpers import operations, play_head
from vapix_emulator.builders import build_eap

from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError

APP = "doorcounter"
PARAM = "/axis-cgi/param.cgi"
DECLARED = [
    {"name": "Label", "default": "door", "type": "string"},
    {"name": "Threshold", "default": "50", "type": "int:min=0,max=100"},
    {"name": "Mode", "default": "line", "type": "enum:line|area|zone"},
    {"name": "Server", "default": "", "type": "string"},
    {"name": "AdminPass", "default": "", "type": "password"},
    {"name": "Token", "default": "visible-token", "type": "hidden:string"},
]
ADMIN_PASS = "Adm1n-Pa55-only-in-paramConfig"
PLAYBOOK = play_head("Door counter parameters") + """    - name: parameters
      vapix.acap.axis_acap_parameters:
        name: %s
        parameters: "{{ wanted | default({}) }}"
        secret_parameters: "{{ secrets | default({}) }}"
        update_secrets: "{{ policy | default(omit) }}"
""" % APP
STATE_PLAYBOOK = play_head("Door counter as declared") + """    - name: state
      vapix.acap.axis_acap_state:
        applications:
          - name: %s
            src: "{{ package }}"
            parameters: "{{ wanted }}"
""" % APP


def install(device: Any, declared: Optional[List[Dict[str, str]]] = None) -> None:
    device.install(build_eap(name=APP, version="1.0.0", signed=True, parameters=DECLARED if declared is None else declared))
    device.clear_log()


def stored(device: Any) -> Dict[str, str]:
    for application in device.state()["applications"]:
        if application["name"] == APP:
            return {item["name"]: item["value"] for item in application["parameters"]}
    raise AssertionError("%s is not installed" % APP)


def params(device: Any, **options: Any) -> Dict[str, Any]:
    merged = device.conn_params(name=APP)
    merged.update(options)
    return merged


def without_invocation(run: Any) -> str:
    """The recorded results without Ansible's echo of the task's own arguments."""
    return json.dumps([{key: value for key, value in (record.get("result") or {}).items() if key != "invocation"}
                       for record in run.results])


def test_an_accented_value_converges_and_the_second_run_reads_once(device, run_playbook):
    install(device)
    first = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Label": "entrée"}})
    assert first.rc == 0, first
    assert first.task("parameters").status == "changed"
    assert stored(device)["Label"] == "entrée"  # the device stored the character, not UTF-8 bytes read as Latin-1
    raw = device.admin_post(PARAM, data={"action": "list", "group": "root.%s.Label" % APP}).content
    assert raw == ("root.%s.Label=entr\xe9e\n" % APP).encode("iso-8859-1")
    device.clear_log()
    again = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Label": "entrée"}})
    assert again.rc == 0, again
    result = again.task("parameters")
    assert result.status == "ok" and result["actions"] == [], result
    assert result["parameters"]["Label"] == "entrée"
    assert operations(device) == [("param.cgi", "list")]


def test_a_value_ending_with_a_blank_and_holding_equals_round_trips(device, run_playbook):
    install(device)
    wanted = {"Label": "a=b ", "Server": "172.16.3.1 "}
    first = run_playbook(PLAYBOOK, device, extra_vars={"wanted": wanted})
    assert first.rc == 0 and first.task("parameters").status == "changed", first
    assert stored(device)["Label"] == "a=b " and stored(device)["Server"] == "172.16.3.1 "
    assert first.task("parameters")["parameters"]["Server"] == "172.16.3.1 "
    device.clear_log()
    again = run_playbook(PLAYBOOK, device, extra_vars={"wanted": wanted})
    assert again.rc == 0 and again.task("parameters").status == "ok", again
    assert operations(device) == [("param.cgi", "list")]


@pytest.mark.parametrize("value, named", [("two\nlines", "line feed"), ("para\u2028graph", "U+2028"),
                                          ("next\x85line", "U+0085"), ("form\x0cfeed", "form feed")])
def test_a_value_with_a_line_break_is_refused_before_any_write(device, run_playbook, value, named):
    install(device)
    before = stored(device)
    run = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Label": value, "Mode": "area"}})
    assert run.rc != 0
    result = run.task("parameters")
    assert result.status == "failed" and result["changed"] is False
    assert "The value of %s.Label holds a " % APP in result["msg"] and named in result["msg"], result["msg"]
    assert "Nothing was written" in result["msg"]
    assert ("param.cgi", "update") not in operations(device)
    assert stored(device) == before


def test_a_character_outside_the_device_charset_is_refused_before_any_write(device, run_logic):
    install(device)
    with pytest.raises(ParameterError, match=r"holds U\+20AC which the device cannot store: its param.cgi uses ISO-8859-1"):
        run_logic("axis_acap_parameters", params(device, parameters={"Label": "5 \u20ac"}))
    assert ("param.cgi", "update") not in operations(device)


def test_a_password_typed_only_in_paramconfig_stays_secret_and_never_drifts(device, run_playbook, run_logic, tmp_path):
    package = tmp_path / ("%s.eap" % APP)
    build_eap(package, name=APP, version="1.0.0", signed=True, parameters=DECLARED)
    wanted = {"Threshold": 40, "AdminPass": ADMIN_PASS}  # not declared secret: only the package says password
    first = run_playbook(STATE_PLAYBOOK, device, extra_vars={"package": str(package), "wanted": wanted}, diff=True)
    assert first.rc == 0, first
    result = first.task("state")
    assert result["actions"]["parameters:%s" % APP] == ["set Threshold=40", "set AdminPass"], result
    assert stored(device)["AdminPass"] == ADMIN_PASS
    # The hidden flag is no secret: listed in clear by cameras, shown as it is.
    assert result["diff"]["after"]["parameters:%s" % APP]["Token"] == "visible-token"
    assert ADMIN_PASS not in first.stdout + first.stderr + without_invocation(first)

    # The nightly drift run (check mode, the drift report callback): in sync, the password not comparable.
    report_dir = tmp_path / "report"
    device.clear_log()
    drift = run_playbook(STATE_PLAYBOOK, device, extra_vars={"package": str(package), "wanted": wanted}, check=True,
                         diff=True, env={"ANSIBLE_CALLBACKS_ENABLED": "vapix_recorder,vapix.acap.drift_report",
                                         "ACAP_DRIFT_REPORT_DIR": str(report_dir)})
    assert drift.rc == 0, drift
    result = drift.task("state")
    assert result.status == "ok" and result["changed"] is False, result
    record = next(item for item in result["resources"] if item["resource"] == "parameters:%s" % APP)
    assert record["not_comparable"] == ["AdminPass"] and record["changed"] is False
    assert not result.get("warnings"), result
    report = json.loads((report_dir / "drift.json").read_text(encoding="utf-8"))
    assert report["hosts"][device.inventory_name]["status"] == "in_sync", report["hosts"]
    texts = [path.read_text(encoding="utf-8") for path in Path(report_dir).iterdir() if path.is_file()]
    for text in texts + [drift.stdout, drift.stderr, without_invocation(drift)]:
        assert ADMIN_PASS not in text
    assert [op for op in operations(device) if op[1] == "update"] == []

    gathered = run_logic("axis_acap_state", device.conn_params(state="gathered"))["gathered"]
    (app,) = [item for item in gathered["applications"] if item["name"] == APP]
    assert app["secret_parameters"] == {"AdminPass": "********"} and "AdminPass" not in app["parameters"]
    assert app["parameters"]["Token"] == "visible-token"
    info = run_logic("axis_acap_info", device.conn_params())
    assert info["secret_parameters"][APP] == {"AdminPass": "********"}
    assert ADMIN_PASS not in json.dumps([gathered, info])


def test_update_secrets_always_writes_a_hidden_secret_on_every_run(device, run_playbook):
    install(device)
    for run_number in range(2):
        device.clear_log()
        run = run_playbook(PLAYBOOK, device, extra_vars={"secrets": {"AdminPass": ADMIN_PASS}, "policy": "always"})
        assert run.rc == 0, run
        result = run.task("parameters")
        assert result.status == "changed" and result["actions"] == ["set AdminPass"], (run_number, result)
        assert ("param.cgi", "update") in operations(device)
        if run_number:
            assert "written on every run (update_secrets: always)" in result["resources"][0]["notes"][0]
        assert ADMIN_PASS not in run.stdout + without_invocation(run)
    # on_create (the default): the same declaration is now left as it is.
    device.clear_log()
    run = run_playbook(PLAYBOOK, device, extra_vars={"secrets": {"AdminPass": ADMIN_PASS + "-other"}})
    assert run.rc == 0 and run.task("parameters").status == "ok", run
    assert run.task("parameters")["not_comparable"] == ["AdminPass"]
    assert stored(device)["AdminPass"] == ADMIN_PASS
    assert ("param.cgi", "update") not in operations(device)


def test_a_plain_value_of_stars_is_not_taken_for_a_secret(device, run_playbook):
    install(device)
    first = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Label": "***"}})
    assert first.rc == 0 and first.task("parameters")["actions"] == ["set Label=***"], first
    device.clear_log()
    again = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Label": "***"}})
    result = again.task("parameters")
    assert result.status == "ok" and result["actions"] == [] and result["not_comparable"] == [], result
    # A row of * may be a password: the types tell it is not (one listdefinitions), and nothing is written.
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions")]


def test_a_partial_update_reports_what_was_applied_and_what_was_refused(device, run_playbook):
    # Firmware without listdefinitions: nothing checks the type first, the device refuses per parameter.
    device.reset(firmware="6.20.1")
    install(device)
    run = run_playbook(PLAYBOOK, device, extra_vars={"wanted": {"Threshold": 150, "Mode": "area", "Server": "s.example"}})
    assert run.rc != 0
    result = run.task("parameters")
    assert result.status == "failed"
    assert result["changed"] is True and result["actions"] == ["set Mode=area", "set Server=s.example"], result
    assert result["applied"] == ["Mode", "Server"] and result["refused"] == ["Threshold"]
    assert "param.cgi refused Threshold of %s and applied Mode, Server" % APP in result["msg"], result["msg"]
    assert "Error setting 'root.%s.Threshold' to '150'!" % APP in result["msg"]
    assert result["parameters"]["Mode"] == "area" and result["parameters"]["Threshold"] == "50"
    assert stored(device)["Mode"] == "area" and stored(device)["Threshold"] == "50"
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions"), ("param.cgi", "update"),
                                  ("param.cgi", "list")]


def test_an_error_answer_with_http_400_for_a_missing_group_means_no_parameters(device, run_logic):
    device.reset(param_error_status=400)
    device.install(build_eap(name="plain", signed=True))
    install(device)
    info = run_logic("axis_acap_info", device.conn_params())
    assert info["parameters"]["plain"] == {} and info["parameters"][APP]["Label"] == "door"
    assert not [entry for entry in info["missing"] if "param" in entry], info["missing"]
    with pytest.raises(ParameterError, match="declares no parameters"):
        run_logic("axis_acap_parameters", dict(params(device, parameters={"Label": "x"}), name="plain"))
    # A refused update answered with 400 is the device's answer too: reported per parameter.
    device.reset(param_error_status=400, firmware="6.20.1")
    install(device)
    with pytest.raises(Exception) as raised:
        run_logic("axis_acap_parameters", params(device, parameters={"Threshold": "x", "Label": "y"}))
    assert raised.value.result["applied"] == ["Label"] and raised.value.result["refused"] == ["Threshold"]


def test_a_device_that_declares_utf8_gets_utf8(device, run_logic):
    device.reset(param_charset="utf-8")
    install(device)
    first = run_logic("axis_acap_parameters", params(device, parameters={"Label": "entrée 5 €"}))
    assert first["changed"] is True and stored(device)["Label"] == "entrée 5 €"
    device.clear_log()
    again = run_logic("axis_acap_parameters", params(device, parameters={"Label": "entrée 5 €"}))
    assert again["changed"] is False and operations(device) == [("param.cgi", "list")]


def test_firmware_without_listdefinitions_keeps_the_star_rule(device, run_logic):
    device.reset(firmware="6.20.1")
    install(device)
    device.admin_post(PARAM, data={"action": "update", "root.%s.AdminPass" % APP: ADMIN_PASS,
                                   "root.%s.Label" % APP: "***"})
    device.clear_log()
    # Without types, a row of * is taken for a hidden password: not comparable, left as it is, masked.
    result = run_logic("axis_acap_parameters", params(device, parameters={"Label": "****"},
                                                      secret_parameters={"AdminPass": "other"}))
    assert result["changed"] is False and result["not_comparable"] == ["AdminPass", "Label"]
    assert result["parameters"]["Label"] == "********" and result["parameters"]["AdminPass"] == "********"
    assert operations(device) == [("param.cgi", "list"), ("param.cgi", "listdefinitions")]
    info = run_logic("axis_acap_info", device.conn_params())
    assert info["secret_parameters"][APP] == {"AdminPass": "********", "Label": "********"}


def test_a_plain_value_of_stars_that_the_device_does_not_take_is_not_called_done(device, run_logic):
    install(device)
    device.admin_post(PARAM, data={"action": "update", "root.%s.Label" % APP: "***"})
    device.inject_fault("ok_not_applied", match={"path": "param.cgi", "action": "update"})
    # The device answers OK and keeps "***": where it gives types, that is a value, not a hidden secret.
    with pytest.raises(Exception, match="did not do what it answered"):
        run_logic("axis_acap_parameters", params(device, parameters={"Label": "****"}))
    assert stored(device)["Label"] == "***"
