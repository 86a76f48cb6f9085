# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The role vapix.acap.camera through ansible-playbook against the emulator: converge, idempotence,
check mode, exclusive mode, drift, argument validation and secrecy of license keys."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Dict, List

from acap_helpers import applications, changing_operations, make_eap, operations
from vapix_emulator.builders import build_license_key

PLAYBOOK = "role_camera_converge.yml"
ROLE = "vapix.acap.camera : "
CONVERGE = ROLE + "Converge the camera"
VALIDATE_PREFIX = ROLE + "Validating arguments against arg spec 'main'"
EXPLICIT_LIST = ROLE + "Converge the camera"

LICENSED = "counter"
LICENSED_ID = "515151"
EXPIRES = datetime.date(2031, 12, 31)
# Reads only: what check mode and a run with nothing to do may send.
READS = {("list.cgi", None), ("config.cgi", "get"), ("param.cgi", "list"), ("info.cgi", None)}


def camera_vars(device: Any, tmp_path: Path, **overrides: Any) -> Dict[str, Any]:
    """A camera declared the way an inventory would: unsigned packages allowed, two applications,
    one running (one unsigned package for every architecture), one stopped and licensed (a package
    per architecture, its key picked from a folder of keys by serial number)."""
    key_dir = tmp_path / "keys"
    if not key_dir.is_dir():
        key_dir.mkdir()
        build_license_key(key_dir / ("%s.xml" % device.serial_number), product=LICENSED, productid=LICENSED_ID,
                          serial_number=device.serial_number, expires=EXPIRES)
        build_license_key(key_dir / "other-camera.xml", product=LICENSED, productid=LICENSED_ID,
                          serial_number="B8A44F999999", expires=EXPIRES)
    role_vars: Dict[str, Any] = {
        "axis_camera_settings": {"allow_unsigned": True},
        "axis_camera_applications": [
            # Unsigned: needs allow_unsigned, which the role sets first.
            {"name": "hello_world", "src": make_eap(tmp_path, version="1.1.0", architecture="all", signed=False)},
            {"name": LICENSED, "state": "stopped", "license_src": str(key_dir),
             "src": [make_eap(tmp_path, name=LICENSED, version="2.0.0", architecture=arch,
                              application_id=LICENSED_ID, licensed=True) for arch in ("aarch64", "armv7hf")]},
        ],
    }
    role_vars.update(overrides)
    return role_vars


def assert_converged(device: Any) -> None:
    apps = applications(device)
    assert sorted(apps) == ["counter", "hello_world"], apps
    assert (apps["hello_world"]["version"], apps["hello_world"]["status"]) == ("1.1.0", "Running")
    assert (apps[LICENSED]["version"], apps[LICENSED]["status"]) == ("2.0.0", "Stopped")
    assert apps[LICENSED]["license"] == "Valid"
    assert apps[LICENSED]["license_key"]["serial_number"] == device.serial_number
    assert device.state()["config"]["AllowUnsigned"] is True


def actions(run: Any, device: Any) -> Dict[str, List[str]]:
    """The one task's actions per resource, for one camera."""
    return run.task(CONVERGE, device)["actions"]


def role_tasks(run: Any) -> List[str]:
    """The role's tasks that ran (not skipped), without the argument validation Ansible adds."""
    return sorted({record["task"] for record in run.results
                   if record["task"].startswith(ROLE) and not record["task"].startswith(VALIDATE_PREFIX)
                   and record["status"] != "skipped"})


def assert_nothing_changed(run: Any) -> None:
    changed = sorted({record["task"] for record in run.results
                      if record["status"] == "changed" or (record["result"] or {}).get("changed")})
    assert changed == [], "tasks reported a change: %s\n%s" % (changed, run)
    assert "changed=0" in run.stdout and "failed=0" in run.stdout, run


def test_first_run_converges_and_second_run_changes_nothing(device, run_playbook, tmp_path):
    role_vars = camera_vars(device, tmp_path)

    first = run_playbook(PLAYBOOK, device, extra_vars=role_vars, diff=True)
    assert first.rc == 0, first
    # One task per camera.
    assert role_tasks(first) == [CONVERGE]
    assert actions(first, device) == {
        "setting:allow_unsigned": ["set AllowUnsigned=true"],
        "application:hello_world": ["upload", "start"],
        "application:counter": ["upload"],
        "license:counter": ["upload_license"],
    }
    # Settings before the uploads, the key after its application.
    ops = operations(device)
    assert ops.index(("config.cgi", "set")) < ops.index(("upload.cgi", None))
    assert ops.index(("upload.cgi", None)) < ops.index(("license.cgi", "uploadlicensekey"))
    assert_converged(device)

    device.clear_log()
    second = run_playbook(PLAYBOOK, device, extra_vars=role_vars, diff=True)
    assert second.rc == 0, second
    assert_nothing_changed(second)
    # One config.cgi get for the setting and one list.cgi for everything: nothing else.
    assert sorted(operations(device), key=str) == [("config.cgi", "get"), ("list.cgi", None)], operations(device)
    assert_converged(device)


def test_check_mode_on_a_fresh_camera_reports_changes_and_changes_nothing(device, run_playbook, tmp_path):
    before = device.state()
    role_vars = camera_vars(device, tmp_path)

    checked = run_playbook(PLAYBOOK, device, extra_vars=role_vars, check=True, diff=True)
    assert checked.rc == 0, checked
    assert checked.task(CONVERGE, device).status == "changed"
    # The unsigned package: AllowUnsigned is false on the device, but the same task sets it first, so the
    # upload is planned without any assumption or warning.
    assert actions(checked, device) == {
        "setting:allow_unsigned": ["set AllowUnsigned=true"],
        "application:hello_world": ["upload", "start"],
        "application:counter": ["upload"],
        "license:counter": ["upload_license"],
    }
    assert not checked.task(CONVERGE, device).get("warnings")
    # What a person sees: one diff for the camera, headed with the camera and the resources.
    assert '-    "setting:allow_unsigned": false' in checked.stdout, checked.stdout
    assert '+    "setting:allow_unsigned": true' in checked.stdout
    assert "%s: setting:allow_unsigned, application:hello_world" % device.host in checked.stdout

    assert changing_operations(device) == []
    assert set(operations(device)) <= READS, operations(device)
    after = device.state()
    assert after["applications"] == before["applications"] and after["config"] == before["config"]


def test_exclusive_mode_removes_what_the_list_does_not_name_and_check_mode_only_reports(device, run_playbook,
                                                                                        tmp_path):
    role_vars = camera_vars(device, tmp_path)
    assert run_playbook(PLAYBOOK, device, extra_vars=role_vars).rc == 0
    # Installed by hand, outside the inventory.
    device.install(Path(make_eap(tmp_path, name="intruder", version="0.9.0")).read_bytes(), start=True)
    exclusive = dict(role_vars, axis_camera_exclusive=True)

    device.clear_log()
    checked = run_playbook(PLAYBOOK, device, extra_vars=exclusive, check=True, diff=True)
    assert checked.rc == 0, checked
    assert actions(checked, device) == {"removed:intruder": ["remove"]}
    assert changing_operations(device) == []
    assert "intruder" in applications(device)

    device.clear_log()
    applied = run_playbook(PLAYBOOK, device, extra_vars=exclusive)
    assert applied.rc == 0, applied
    assert actions(applied, device) == {"removed:intruder": ["remove"]}
    assert changing_operations(device) == [("control.cgi", "remove")]
    assert sorted(applications(device)) == ["counter", "hello_world"]
    assert_converged(device)

    again = run_playbook(PLAYBOOK, device, extra_vars=exclusive)
    assert again.rc == 0, again
    assert_nothing_changed(again)


def test_exclusive_mode_off_leaves_other_applications_alone(device, run_playbook, tmp_path):
    device.install(Path(make_eap(tmp_path, name="bystander", version="0.9.0")).read_bytes(), start=True)
    run = run_playbook(PLAYBOOK, device, extra_vars=camera_vars(device, tmp_path))
    assert run.rc == 0, run
    assert sorted(applications(device)) == ["bystander", "counter", "hello_world"]
    assert not any(resource.startswith("removed:") for resource in actions(run, device))


def test_a_camera_changed_by_hand_is_found_in_check_mode_and_repaired(device, run_playbook, tmp_path):
    role_vars = camera_vars(device, tmp_path)
    assert run_playbook(PLAYBOOK, device, extra_vars=role_vars).rc == 0
    # Someone stopped the application that should run, and started the one that should not.
    device.patch_state({"applications": {"hello_world": {"status": "Stopped"}, LICENSED: {"status": "Running"}}})

    device.clear_log()
    checked = run_playbook(PLAYBOOK, device, extra_vars=role_vars, check=True, diff=True)
    assert checked.rc == 0, checked
    assert actions(checked, device) == {"application:hello_world": ["start"], "application:counter": ["stop"]}
    assert changing_operations(device) == []
    assert applications(device)["hello_world"]["status"] == "Stopped"

    device.clear_log()
    repaired = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert repaired.rc == 0, repaired
    assert actions(repaired, device) == {"application:hello_world": ["start"], "application:counter": ["stop"]}
    assert sorted(changing_operations(device)) == [("control.cgi", "start"), ("control.cgi", "stop")]
    assert_converged(device)


def test_an_application_removed_from_the_camera_is_installed_again_with_its_key(device, run_playbook, tmp_path):
    role_vars = camera_vars(device, tmp_path)
    assert run_playbook(PLAYBOOK, device, extra_vars=role_vars).rc == 0
    device.patch_state({"applications": {LICENSED: None}})

    repaired = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert repaired.rc == 0, repaired
    assert actions(repaired, device) == {"application:counter": ["upload"], "license:counter": ["upload_license"]}
    assert_converged(device)


def test_argument_spec_rejects_an_application_without_name(device, run_playbook, tmp_path):
    bad = {"axis_camera_applications": [{"src": make_eap(tmp_path)}]}
    run = run_playbook(PLAYBOOK, device, extra_vars=bad)
    assert run.rc != 0, run
    validation = next(record for record in run.results if record["task"].startswith(VALIDATE_PREFIX))
    assert validation["status"] == "failed", validation
    errors = "\n".join(validation["result"]["argument_errors"])
    assert "missing required arguments: name found in axis_camera_applications" in errors, errors
    assert operations(device) == []


def test_an_application_without_src_is_managed_if_installed_and_fails_alike_on_every_path(
        device, run_playbook, tmp_path):
    # The role (with Ansible's argument check), the module and the drift playbook (without it) accept the same
    # declarations: without src an application that came with the camera has its run state managed.
    device.install(Path(make_eap(tmp_path, name="preinstalled", version="1.0.0")).read_bytes(), start=True)
    stopped = {"axis_camera_applications": [{"name": "preinstalled", "state": "stopped"}]}
    run = run_playbook(PLAYBOOK, device, extra_vars=stopped)
    assert run.rc == 0, run
    assert actions(run, device) == {"application:preinstalled": ["stop"]}
    assert applications(device)["preinstalled"]["status"] == "Stopped"

    device.clear_log()
    missing = {"axis_camera_applications": [{"name": "no_package"}]}
    run = run_playbook(PLAYBOOK, device, extra_vars=missing)
    assert run.rc != 0, run
    message = run.task(CONVERGE, device)["msg"]
    assert "no_package" in message and "src" in message, message
    assert changing_operations(device) == []


def test_argument_spec_rejects_a_wrong_state_and_a_key_given_twice(device, run_playbook, tmp_path):
    bad = {"axis_camera_applications": [
        {"name": "a", "src": make_eap(tmp_path), "state": "running"},
        {"name": "b", "src": make_eap(tmp_path), "license_src": "/keys", "license_content": "<x/>"},
    ], "axis_camera_settings": {"allow_unsigned": "sometimes"}}
    run = run_playbook(PLAYBOOK, device, extra_vars=bad)
    assert run.rc != 0, run
    validation = next(record for record in run.results if record["task"].startswith(VALIDATE_PREFIX))
    errors = "\n".join(validation["result"]["argument_errors"])
    assert "value of state must be one of: present, started, stopped, absent, got: running" in errors, errors
    assert "parameters are mutually exclusive: license_src|license_content" in errors, errors
    assert "allow_unsigned" in errors and "bool" in errors, errors
    assert operations(device) == []


def test_restarted_is_refused_as_a_declared_state_even_without_the_argument_check(device, run_playbook, tmp_path):
    # vapix.acap.converge and vapix.acap.drift import the role without Ansible's argument check: the role's
    # task must refuse what its argument spec refuses, or the camera restarts on every run and every
    # nightly drift check reports it.
    device.install(Path(make_eap(tmp_path, name="preinstalled", version="1.0.0")).read_bytes(), start=True)
    device.clear_log()
    unchecked = tmp_path / "unchecked.yml"
    unchecked.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n"
                         "    - ansible.builtin.import_role:\n        name: vapix.acap.camera\n"
                         "        rolespec_validate: false\n", encoding="utf-8")
    restarted = {"axis_camera_applications": [{"name": "preinstalled", "state": "restarted"}]}
    for check in (True, False):
        run = run_playbook(unchecked, device, extra_vars=restarted, check=check)
        assert run.rc != 0, run
        message = run.task(CONVERGE, device)["msg"]
        assert "axis_camera_applications[0]" in message and "restarted" in message, message
        assert "vapix.acap.axis_acap" in message, message
    assert changing_operations(device) == []


def test_an_application_named_twice_fails_before_any_request(device, run_playbook, tmp_path):
    package = make_eap(tmp_path)
    twice = {"axis_camera_applications": [{"name": "hello_world", "src": package},
                                          {"name": "hello_world", "src": package, "state": "stopped"}]}
    run = run_playbook(PLAYBOOK, device, extra_vars=twice)
    assert run.rc != 0, run
    result = run.task(CONVERGE, device)
    assert result.status == "failed"
    assert "hello_world more than once" in result["msg"], result
    assert operations(device) == []


def test_license_content_never_appears_in_output(device, run_playbook, tmp_path):
    secret = "SECRET-LICENSE-CODE-4f9a1c"
    content = build_license_key(product=LICENSED, productid=LICENSED_ID, serial_number=device.serial_number,
                                expires=EXPIRES, key=secret).decode("utf-8")
    role_vars = camera_vars(device, tmp_path)
    role_vars["axis_camera_applications"][1].pop("license_src")
    role_vars["axis_camera_applications"][1]["license_content"] = content

    for check in (True, False):
        run = run_playbook(PLAYBOOK, device, extra_vars=role_vars, check=check, diff=True, verbosity=3)
        assert run.rc == 0, run
        assert secret not in run.stdout and secret not in run.stderr
        assert all(secret not in str(record["result"]) for record in run.results)
    assert applications(device)[LICENSED]["license"] == "Valid"
    assert applications(device)[LICENSED]["license_key"]["license_code"] == secret


def test_connection_variables_of_the_role_win_over_the_inventory(device, run_playbook, tmp_path):
    # The inventory says plain HTTP; the role's own variables say HTTPS with the emulator's CA.
    role_vars = camera_vars(device, tmp_path, axis_camera_use_https=True, axis_camera_port=device.https_port,
                            axis_camera_ca_path=device.ca_file, axis_camera_auth_method="digest")
    # Only all three together reach the device: HTTPS on the HTTP port, HTTP on the HTTPS port, or
    # HTTPS without the CA (the emulator's certificate is self-signed) fail.
    run = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert run.rc == 0, run
    assert_converged(device)

    password = "Wr0ng-Passw0rd-7d1e"
    failed = run_playbook(PLAYBOOK, device, extra_vars=dict(role_vars, axis_camera_password=password),
                          verbosity=3)
    assert failed.rc != 0
    assert failed.task(CONVERGE, device).status == "failed"
    assert failed.task(CONVERGE, device)["http_status"] == 401, failed.task(CONVERGE, device)
    assert password not in failed.stdout and password not in failed.stderr


def test_a_list_given_as_null_is_refused_not_taken_as_empty(device, run_playbook):
    # An inventory line "axis_camera_applications:" with nothing after it is null. With exclusive mode an
    # empty list would remove every application, so null is an error, not an empty list.
    run = run_playbook(PLAYBOOK, device, extra_vars={"axis_camera_applications": None, "axis_camera_exclusive": True})
    assert run.rc != 0, run
    assert "axis_camera_applications is null" in run.task(EXPLICIT_LIST, device)["msg"], run
    assert device.log() == []


def test_nothing_declared_sends_nothing_that_changes(device, run_playbook):
    run = run_playbook(PLAYBOOK, device)
    assert run.rc == 0, run
    assert_nothing_changed(run)
    assert changing_operations(device) == []


def test_a_fleet_of_mixed_architectures_with_one_key_folder(devices, run_playbook, tmp_path):
    fleet = devices(3)
    fleet[1].reset(architecture="armv7hf", firmware="11.11.73")
    # One folder holds the keys of every camera; each camera takes its own.
    role_vars = camera_vars(fleet[0], tmp_path)
    for device in fleet[1:]:
        build_license_key(tmp_path / "keys" / ("%s.xml" % device.serial_number), product=LICENSED,
                          productid=LICENSED_ID, serial_number=device.serial_number, expires=EXPIRES)

    first = run_playbook(PLAYBOOK, fleet, extra_vars=role_vars)
    assert first.rc == 0, first
    for device, architecture in zip(fleet, ("aarch64", "armv7hf", "aarch64")):
        assert_converged(device)
        assert applications(device)[LICENSED]["architecture"] == architecture
        assert actions(first, device)["license:counter"] == ["upload_license"]
        device.clear_log()

    second = run_playbook(PLAYBOOK, fleet, extra_vars=role_vars)
    assert second.rc == 0, second
    assert_nothing_changed(second)
    for device in fleet:
        assert changing_operations(device) == []


def test_an_unsigned_package_nothing_allows_fails_in_check_mode_and_for_real(device, run_playbook, tmp_path):
    # The declaration itself refuses unsigned packages: check mode knows the real run would fail (Error 2),
    # so it fails too, before anything is uploaded.
    role_vars = {"axis_camera_applications": [{"name": "hello_world", "src": make_eap(tmp_path, signed=False)}],
                 "axis_camera_settings": {"allow_unsigned": False}}
    for check in (True, False):
        run = run_playbook(PLAYBOOK, device, extra_vars=role_vars, check=check)
        assert run.rc != 0, run
        result = run.task(CONVERGE, device)
        assert result.status == "failed" and "refuses unsigned applications" in result["msg"], result
        assert result["error_code"] == 2
    assert changing_operations(device) == []


def test_an_application_declared_absent_is_removed(device, run_playbook, tmp_path):
    device.install(Path(make_eap(tmp_path, name="retired", version="3.0.0")).read_bytes(), start=True)
    role_vars = {"axis_camera_applications": [{"name": "retired", "state": "absent"}]}

    device.clear_log()
    checked = run_playbook(PLAYBOOK, device, extra_vars=role_vars, check=True)
    assert checked.rc == 0, checked
    assert actions(checked, device) == {"application:retired": ["remove"]}
    assert changing_operations(device) == [] and "retired" in applications(device)

    removed = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert removed.rc == 0, removed
    assert actions(removed, device) == {"application:retired": ["remove"]}
    assert applications(device) == {}
    assert run_playbook(PLAYBOOK, device, extra_vars=role_vars).task(CONVERGE, device).status == "ok"


def test_exclusive_mode_with_a_misspelled_application_list_fails_before_any_request(device, run_playbook, tmp_path):
    # The list is misspelled, so the role's own list is undefined: exclusive mode must not read that as
    # "no applications" and empty the camera.
    device.install(Path(make_eap(tmp_path, name="keeper", version="1.0.0")).read_bytes(), start=True)
    device.clear_log()
    misspelled = {"axis_camera_aplications": [{"name": "keeper", "src": make_eap(tmp_path, name="keeper")}],
                  "axis_camera_exclusive": True}
    run = run_playbook(PLAYBOOK, device, extra_vars=misspelled)
    assert run.rc != 0, run
    message = run.task(EXPLICIT_LIST, device)["msg"]
    assert "axis_camera_applications is not defined" in message, message
    assert "axis_camera_aplications" in message, message  # the likely typo is named
    assert device.log() == []
    assert "keeper" in applications(device)


def test_exclusive_mode_never_removes_protected_applications(device, run_playbook, tmp_path):
    for name in ("intruder", "partner_app"):
        device.install(Path(make_eap(tmp_path, name=name, version="0.9.0")).read_bytes(), start=True)
    role_vars = dict(camera_vars(device, tmp_path), axis_camera_exclusive=True,
                     axis_camera_protected=["partner_app"])
    run = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert run.rc == 0, run
    assert sorted(applications(device)) == ["counter", "hello_world", "partner_app"]


def test_exclusive_mode_keeps_protected_names_written_as_one_string_in_any_case(device, run_playbook, tmp_path):
    # "partner_app, vmd" is how people write a short list in an inventory: Ansible splits it on the comma and
    # keeps the blank (" vmd"). Letter case and stray blanks must not turn protection off either: the device
    # keeps one application per name whatever its case (upload.cgi Error: 14), so that is how names compare.
    for name in ("intruder", "partner_app", "vmd", "Recorder"):
        device.install(Path(make_eap(tmp_path, name=name, version="0.9.0")).read_bytes(), start=True)
    role_vars = dict(camera_vars(device, tmp_path), axis_camera_exclusive=True,
                     axis_camera_protected="partner_app, vmd ,  RECORDER , gone_app")

    device.clear_log()
    checked = run_playbook(PLAYBOOK, device, extra_vars=role_vars, check=True)
    assert checked.rc == 0, checked
    assert {resource for resource, done in actions(checked, device).items() if "remove" in done} == \
        {"removed:intruder"}, actions(checked, device)
    assert changing_operations(device) == []

    applied = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert applied.rc == 0, applied
    assert sorted(applications(device)) == ["Recorder", "counter", "hello_world", "partner_app", "vmd"]
    warnings = applied.task(CONVERGE, device).get("warnings") or []
    # A protected name that matches nothing installed may be a typo: said once, naming it.
    assert [warning for warning in warnings if "gone_app" in warning], warnings


def test_exclusive_mode_never_removes_an_application_declared_absent_in_another_letter_case(device, run_playbook,
                                                                                            tmp_path):
    # The entry says "absent" in another spelling; the planner leaves it alone (it is not the declared name),
    # so exclusive mode must not remove it behind that warning's back.
    device.install(Path(make_eap(tmp_path, name="vmd", version="0.9.0")).read_bytes(), start=True)
    role_vars = camera_vars(device, tmp_path, axis_camera_exclusive=True)
    role_vars["axis_camera_applications"] = role_vars["axis_camera_applications"] + [{"name": "VMD", "state": "absent"}]
    run = run_playbook(PLAYBOOK, device, extra_vars=role_vars)
    assert run.rc == 0, run
    assert "vmd" in applications(device)
    warnings = run.task(CONVERGE, device).get("warnings") or []
    assert [warning for warning in warnings if "left alone" in warning], warnings
