# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The verdict of vapix.acap.drift holds whatever the scope: --limit (AWX's Limit, a job slice's
inventory), -e axis_drift_hosts, a limit that leaves no camera, and cameras that declare nothing.
The playbooks run by name, as a user runs them, on emulated cameras."""

from __future__ import annotations

import pytest

from test_drift_report import APP, Fleet


@pytest.fixture
def drifted(devices, tmp_path) -> Fleet:
    """Four converged cameras; the first has its application stopped by hand."""
    fleet = Fleet(devices(4), tmp_path)
    converged = fleet.playbook("converge", tmp_path / "changelog")
    assert converged.rc == 0, converged
    fleet.cameras[0].patch_state({"applications": {APP: {"status": "Stopped"}}})
    for camera in fleet.cameras:
        camera.clear_log()
    return fleet


def test_a_limit_to_the_drifted_camera_fails(drifted, tmp_path):
    stopped = drifted.cameras[0].inventory_name
    run = drifted.playbook("drift", tmp_path / "report", "--limit", stopped)
    assert run.rc != 0, run
    assert "1 of 1 cameras are not in sync: %s (drift)" % stopped in run.stdout, run
    assert run.report["hosts"][stopped]["status"] == "drift", run.report
    assert set(run.report["hosts"]) == {stopped}


def test_a_limit_to_a_group_of_cameras_with_one_drifted_fails_and_the_others_stay_in_sync(drifted, tmp_path):
    names = [camera.inventory_name for camera in drifted.cameras]
    run = drifted.playbook("drift", tmp_path / "report", "--limit", ",".join(names[:3]))
    assert run.rc != 0, run
    assert run.not_in_sync() == {names[0]: "drift"}, run.report
    assert run.report["summary"]["in_sync"] == 2, run.report


def test_a_limit_to_cameras_in_sync_passes(drifted, tmp_path):
    names = [camera.inventory_name for camera in drifted.cameras]
    run = drifted.playbook("drift", tmp_path / "report", "--limit", ",".join(names[1:]))
    assert run.rc == 0, run
    assert run.not_in_sync() == {} and run.report["summary"]["in_sync"] == 3, run.report


def test_a_limit_without_the_callback_still_refuses_to_run(drifted, tmp_path):
    run = drifted.playbook("drift", tmp_path / "report", "--limit", drifted.cameras[0].inventory_name,
                           callback=False)
    assert run.rc != 0, run
    assert "ANSIBLE_CALLBACKS_ENABLED=vapix.acap.drift_report" in run.stdout, run
    assert drifted.cameras[0].authenticated_log() == []


def test_a_pattern_that_leaves_no_camera_is_an_error(drifted, tmp_path):
    run = drifted.playbook("drift", tmp_path / "report", "-e", "axis_drift_hosts=no_such_group")
    assert run.rc != 0, run
    assert "No camera was compared" in run.stdout, run


def test_a_limit_that_leaves_no_camera_of_the_pattern_is_an_error(drifted, tmp_path):
    first, second = (camera.inventory_name for camera in drifted.cameras[:2])
    run = drifted.playbook("drift", tmp_path / "report", "-e", "axis_drift_hosts=%s" % first, "--limit", second)
    assert run.rc != 0, run
    assert "No camera was compared" in run.stdout and "--limit %s" % second in run.stdout, run


def test_a_wrong_playbook_variable_is_refused_at_the_start(drifted, tmp_path):
    run = drifted.playbook("drift", tmp_path / "report", "-e", "axis_drift_check_role_variables=sometimes")
    assert run.rc != 0, run
    assert "axis_drift_check_role_variables" in run.stdout, run
    assert all(camera.authenticated_log() == [] for camera in drifted.cameras)


def test_a_camera_that_declares_nothing_is_not_in_sync(devices, tmp_path):
    fleet = Fleet(devices(2), tmp_path)
    fleet.overrides[fleet.cameras[1].inventory_name] = {}
    fleet.declared = {"axis_camera_aplications": fleet.declared["axis_camera_applications"]}  # misspelled
    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run
    assert set(run.not_in_sync().values()) == {"not_declared"}, run.report


def test_converge_refuses_a_wrong_variable_at_the_start(drifted, tmp_path):
    run = drifted.playbook("converge", tmp_path / "changelog", "-e", "axis_converge_check_role_variables=sometimes")
    assert run.rc != 0, run
    assert "axis_converge_check_role_variables" in run.stdout, run
    assert all(camera.authenticated_log() == [] for camera in drifted.cameras)
