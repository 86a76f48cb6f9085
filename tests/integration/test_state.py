# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap_state in-process against the emulator: a whole camera in one task, check mode, idempotence,
exclusive mode, gathered mode, request counts and failures that tell what was done."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict

import pytest

from acap_helpers import applications, changing_operations, connection, make_eap, operations
from ansible_collections.vapix.acap.plugins.module_utils._errors import DeviceError, ParameterError
from vapix_emulator.builders import build_license_key

MODULE = "axis_acap_state"
LICENSED = "counter"
LICENSED_ID = "515151"


def declaration(device: Any, tmp_path: Path, **overrides: Any) -> Dict[str, Any]:
    """Unsigned packages allowed, one unsigned application started, one licensed application stopped with its key
    picked from a folder by serial number."""
    keys = tmp_path / "keys"
    if not keys.is_dir():
        keys.mkdir()
        build_license_key(keys / ("%s.xml" % device.serial_number), product=LICENSED, productid=LICENSED_ID,
                          serial_number=device.serial_number, expires=datetime.date(2031, 12, 31))
    params = {
        "settings": {"allow_unsigned": True},
        "applications": [
            {"name": "hello_world", "src": [make_eap(tmp_path, version="1.1.0", architecture="all", signed=False)]},
            {"name": LICENSED, "state": "stopped", "license_src": str(keys),
             "src": [make_eap(tmp_path, name=LICENSED, version="2.0.0", architecture=arch, application_id=LICENSED_ID,
                              licensed=True) for arch in ("aarch64", "armv7hf")]},
        ],
    }
    params.update(overrides)
    return connection(device, **params)


def test_a_new_camera_is_planned_in_check_mode_converged_then_left_alone(device, run_logic, tmp_path):
    device.reset(firmware="12.2.1")  # AllowUnsigned is false by default from AXIS OS 12.0
    params = declaration(device, tmp_path)

    checked = run_logic(MODULE, params, check_mode=True)
    assert checked["actions"] == {
        "setting:allow_unsigned": ["set AllowUnsigned=true"],
        "application:hello_world": ["upload", "start"],
        "application:counter": ["upload"],
        "license:counter": ["upload_license"],
    }
    # The settings step allows the unsigned package and the application step installs the licensed one, so
    # check mode plans across steps without assuming anything.
    assert not checked.get("warnings"), checked.get("warnings")
    assert changing_operations(device) == []

    applied = run_logic(MODULE, params)
    assert applied["actions"] == checked["actions"]
    assert [record["resource"] for record in applied["resources"] if record["changed"]] == list(checked["actions"])
    listed = applications(device)
    assert listed["hello_world"]["status"] == "Running" and listed[LICENSED]["license"] == "Valid"
    license_record = next(r for r in applied["resources"] if r["resource"] == "license:counter")
    assert license_record["source"].endswith("%s.xml" % device.serial_number)

    device.clear_log()
    again = run_logic(MODULE, params)
    assert (again["changed"], again["actions"]) == (False, {})
    # One list.cgi and one config.cgi get: a converged camera costs the reads its declaration needs.
    assert sorted(operations(device)) == [("config.cgi", "get"), ("list.cgi", None)]


def test_drift_is_reported_per_resource_and_repaired(device, run_logic, tmp_path):
    params = declaration(device, tmp_path)
    run_logic(MODULE, params)
    device.patch_state({"applications": {"hello_world": {"status": "Stopped"}}, "config": {"AllowUnsigned": False}})
    checked = run_logic(MODULE, params, check_mode=True)
    assert checked["actions"] == {"setting:allow_unsigned": ["set AllowUnsigned=true"],
                                  "application:hello_world": ["start"]}
    record = next(r for r in checked["resources"] if r["resource"] == "application:hello_world")
    assert (record["before"]["status"], record["after"]["status"]) == ("Stopped", "Running")
    assert checked["diff"]["before"]["setting:allow_unsigned"] is False
    assert run_logic(MODULE, params)["actions"] == checked["actions"]
    assert run_logic(MODULE, params)["changed"] is False


def test_exclusive_mode_needs_an_explicit_list_and_sends_nothing_without_one(device, run_logic):
    with pytest.raises(ParameterError, match="exclusive is true but no applications list was given"):
        run_logic(MODULE, connection(device, exclusive=True))
    assert device.log() == []


def test_exclusive_mode_removes_the_undeclared_but_not_the_protected(device, run_logic, tmp_path):
    for name in ("intruder", "partner_app"):
        device.install(Path(make_eap(tmp_path, name=name, version="0.9.0")).read_bytes(), start=True)
    params = declaration(device, tmp_path, exclusive=True, protected=["partner_app"])
    checked = run_logic(MODULE, params, check_mode=True)
    assert checked["actions"]["removed:intruder"] == ["remove"]
    assert "removed:partner_app" not in checked["actions"]
    assert "intruder" in applications(device)
    run_logic(MODULE, params)
    assert sorted(applications(device)) == ["counter", "hello_world", "partner_app"]


def test_names_declared_twice_are_refused_before_any_request(device, run_logic, tmp_path):
    twice = [{"name": "hello_world", "src": [make_eap(tmp_path)]}, {"name": "hello_world", "state": "absent"}]
    with pytest.raises(ParameterError, match="hello_world more than once"):
        run_logic(MODULE, connection(device, applications=twice))
    assert device.log() == []


def test_gathered_state_declares_the_camera_as_it_is(device, run_logic, tmp_path):
    run_logic(MODULE, declaration(device, tmp_path))
    gathered = run_logic(MODULE, connection(device, state="gathered"))["gathered"]
    assert gathered["settings"]["allow_unsigned"] is True
    assert sorted(gathered["applications"], key=lambda app: app["name"]) == [
        {"name": "counter", "state": "stopped"}, {"name": "hello_world", "state": "started"}]
    device.clear_log()
    # Fed back as the declaration, the camera is in sync (no src needed for installed applications).
    assert run_logic(MODULE, connection(device, **gathered))["changed"] is False
    assert changing_operations(device) == []


def test_a_failure_midway_says_what_was_already_done(device, run_logic, tmp_path):
    # Firmware before 12.6 limits running applications: the start fails after the settings and the upload.
    device.reset(firmware="12.2.1", max_running=0)
    with pytest.raises(DeviceError) as info:
        run_logic(MODULE, declaration(device, tmp_path))
    result = info.value.result
    assert result["changed"] is True
    assert result["actions"] == {"setting:allow_unsigned": ["set AllowUnsigned=true"],
                                 "application:hello_world": ["upload"]}
    assert "start of hello_world failed" in info.value.message.lower()
    assert [r["resource"] for r in result["resources"]][:2] == ["setting:allow_unsigned", "application:hello_world"]


COUNTER_PARAMETERS = [
    {"name": "Threshold", "default": "50", "type": "int:min=0,max=100"},
    {"name": "Upload", "default": "no", "type": "bool:no,yes"},
    {"name": "ApiKey", "default": "", "type": "password"},
]


def test_application_parameters_in_the_same_task_as_the_install(device, run_logic, tmp_path):
    secret = "k3y-7f1a9c"
    package = make_eap(tmp_path, name="pcounter", parameters=COUNTER_PARAMETERS)
    declared = [{"name": "pcounter", "src": [package], "parameters": {"Threshold": 40, "Upload": True},
                 "secret_parameters": {"ApiKey": secret}}]
    checked = run_logic(MODULE, connection(device, applications=declared), check_mode=True)
    # Planned against the application this task installs: no warning about an earlier task.
    assert checked["actions"]["parameters:pcounter"] == ["set ApiKey", "set Threshold=40", "set Upload=yes"] or \
        sorted(checked["actions"]["parameters:pcounter"]) == ["set ApiKey", "set Threshold=40", "set Upload=yes"]
    assert not checked.get("warnings"), checked.get("warnings")

    applied = run_logic(MODULE, connection(device, applications=declared))
    assert list(applied["actions"]) == ["application:pcounter", "parameters:pcounter"]
    assert secret not in str(applied)
    gathered = run_logic(MODULE, connection(device, state="gathered"))["gathered"]
    assert gathered["applications"] == [{"name": "pcounter", "state": "started",
                                         "parameters": {"Threshold": "40", "Upload": "yes"},
                                         "secret_parameters": {"ApiKey": "********"}}]

    device.clear_log()
    again = run_logic(MODULE, connection(device, applications=[dict(declared[0], secret_parameters={})]))
    assert again["changed"] is False
    assert sorted(operations(device)) == [("list.cgi", None), ("param.cgi", "list")]


def test_each_warning_is_on_its_own_resource_once_and_never_on_a_name_it_contains(device, run_logic, tmp_path):
    # hello_world runs a newer version than declared (kept, with a warning); hello is as declared. A warning
    # attached by matching names would also land on hello ("hello" is in "hello_world").
    for name, version in (("hello", "1.0.0"), ("hello_world", "2.0.0")):
        device.install(Path(make_eap(tmp_path, name=name, version=version)).read_bytes(), start=True)
    declared = [{"name": "hello", "src": [make_eap(tmp_path, name="hello", version="1.0.0")]},
                {"name": "hello_world", "src": [make_eap(tmp_path, name="hello_world", version="1.0.0")]}]
    for check_mode in (True, False):
        result = run_logic(MODULE, connection(device, applications=declared), check_mode=check_mode)
        records = {record["resource"]: record for record in result["resources"]}
        assert records["application:hello"]["warnings"] == [], records["application:hello"]
        (warning,) = records["application:hello_world"]["warnings"]
        assert "newer" in warning, warning
        assert result["warnings"] == [warning], result["warnings"]
