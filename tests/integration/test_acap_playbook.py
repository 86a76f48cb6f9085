# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap as users run it: ansible-playbook, --check, --diff, a fleet, failures."""

from __future__ import annotations

from acap_helpers import applications, changing_operations, make_eap, operations

TASK = "Converge application"


def test_check_apply_idempotent_with_diff(device, run_playbook, tmp_path):
    device.install(open(make_eap(tmp_path, version="1.0.0"), "rb").read(), start=True)
    extra = {"acap_src": make_eap(tmp_path, version="1.1.0"), "acap_state": "started"}

    device.clear_log()
    checked = run_playbook("acap_converge.yml", device, extra_vars=extra, check=True, diff=True)
    assert checked.rc == 0, checked
    result = checked.task(TASK)
    assert result.status == "changed"
    assert result["actions"] == ["upload"]
    assert changing_operations(device) == []
    assert applications(device)["hello_world"]["version"] == "1.0.0"
    assert '-    "version": "1.0.0"' in checked.stdout and '+    "version": "1.1.0"' in checked.stdout

    device.clear_log()
    applied = run_playbook("acap_converge.yml", device, extra_vars=extra, diff=True)
    assert applied.rc == 0, applied
    result = applied.task(TASK)
    assert result.status == "changed"
    assert result["actions"] == ["upload"]
    assert result["application"]["version"] == "1.1.0"
    assert result["application"]["status"] == "Running"
    assert result["package"]["version"] == "1.1.0"
    assert '-    "version": "1.0.0"' in applied.stdout and '+    "version": "1.1.0"' in applied.stdout
    assert applications(device)["hello_world"]["version"] == "1.1.0"

    device.clear_log()
    again = run_playbook("acap_converge.yml", device, extra_vars=extra, diff=True)
    assert again.rc == 0, again
    assert again.task(TASK).status == "ok"
    assert operations(device) == [("list.cgi", None)]


def test_fleet_of_mixed_architectures(devices, run_playbook, tmp_path):
    fleet = devices(3)
    fleet[0].reset(architecture="aarch64")
    fleet[1].reset(architecture="armv7hf", firmware="11.11.73")
    fleet[2].reset(architecture="aarch64")
    # The third camera already runs an older version: it is upgraded and keeps running.
    fleet[2].install(open(make_eap(tmp_path, version="1.2.0"), "rb").read(), start=True)
    packages = [make_eap(tmp_path, version="1.3.0", architecture=arch) for arch in ("aarch64", "armv7hf")]

    run = run_playbook("acap_fleet.yml", fleet, extra_vars={"fleet_packages": packages})
    assert run.rc == 0, run
    expected_actions = [["upload", "start"], ["upload", "start"], ["upload"]]
    for camera, architecture, actions in zip(fleet, ("aarch64", "armv7hf", "aarch64"), expected_actions):
        result = run.task("Install or upgrade, keep it running", host=camera)
        assert result["actions"] == actions
        assert result["package"]["architecture"] == architecture
        app = applications(camera)["hello_world"]
        assert (app["version"], app["status"], app["architecture"]) == ("1.3.0", "Running", architecture)

    for camera in fleet:
        camera.clear_log()
    again = run_playbook("acap_fleet.yml", fleet, extra_vars={"fleet_packages": packages})
    assert again.rc == 0, again
    for camera in fleet:
        assert again.task("Install or upgrade, keep it running", host=camera).status == "ok"
        assert operations(camera) == [("list.cgi", None)]


def test_failure_names_cause_and_code(device, run_playbook, tmp_path):
    device.reset(firmware="12.6.1")
    run = run_playbook("acap_converge.yml", device, extra_vars={"acap_src": make_eap(tmp_path, signed=False)})
    assert run.rc != 0
    result = run.task(TASK)
    assert result.status == "failed"
    assert "unsigned" in result["msg"] and "allow_unsigned" in result["msg"]
    assert result["error_code"] == 2
    assert "Traceback" not in run.stdout + run.stderr
    assert applications(device) == {}


def test_downgrade_refused_warns(device, run_playbook, tmp_path):
    device.install(open(make_eap(tmp_path, version="2.0.0"), "rb").read())
    run = run_playbook("acap_converge.yml", device, extra_vars={"acap_src": make_eap(tmp_path, version="1.0.0")})
    assert run.rc == 0, run
    assert run.task(TASK).status == "ok"
    # ansible-core before 2.19 wraps warnings at 79 columns: compare with white space folded.
    assert "%s: hello_world 2.0.0 is installed, newer than the package's 1.0.0" % device.host in " ".join(
        (run.stdout + run.stderr).split())
    assert applications(device)["hello_world"]["version"] == "2.0.0"


def test_remove_by_name(device, run_playbook, tmp_path):
    device.install(open(make_eap(tmp_path), "rb").read(), start=True)
    extra = {"acap_name": "hello_world", "acap_state": "absent"}
    checked = run_playbook("acap_converge.yml", device, extra_vars=extra, check=True)
    assert checked.task(TASK).status == "changed"
    assert "hello_world" in applications(device)
    run = run_playbook("acap_converge.yml", device, extra_vars=extra, diff=True)
    assert run.task(TASK)["actions"] == ["remove"]
    assert applications(device) == {}
    device.clear_log()
    again = run_playbook("acap_converge.yml", device, extra_vars=extra)
    assert again.task(TASK).status == "ok"
    assert operations(device) == [("list.cgi", None)]


def test_check_diff_of_a_new_installation(device, run_playbook, tmp_path):
    extra = {"acap_src": make_eap(tmp_path, version="3.1.4"), "acap_state": "started"}
    checked = run_playbook("acap_converge.yml", device, extra_vars=extra, check=True, diff=True)
    assert checked.rc == 0, checked
    result = checked.task(TASK)
    assert result.status == "changed"
    assert result["actions"] == ["upload", "start"]
    assert result["application"]["status"] == "Running"
    assert '+    "version": "3.1.4"' in checked.stdout
    assert '+    "status": "Running"' in checked.stdout
    assert applications(device) == {}
    assert changing_operations(device) == []
