# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report's history (docs/drift_report.md, "History"): the nightly check's baseline is replaced only
by a run of the same kind, and only for the cameras that run checked. Every run here shares one report folder,
as with the fleet guide's ``ansible.cfg`` recipe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

from test_drift_report import APP, Fleet, assert_schema_valid, closed_port


def history_entries(folder: Path) -> Dict[str, Any]:
    entries: Dict[str, Any] = {}
    for path in sorted(folder.glob("hosts-*.json")):
        entries.update(json.loads(path.read_text(encoding="utf-8"))["hosts"])
    return entries


def test_a_limited_run_and_a_converge_leave_the_nightly_baseline_alone(devices, tmp_path):
    fleet = Fleet(devices(3), tmp_path)
    stopped, converged_alone, checked_alone = fleet.cameras
    report_dir = tmp_path / "report"
    assert fleet.playbook("converge", report_dir).rc == 0
    stopped.patch_state({"applications": {APP: {"status": "Stopped"}}})

    nightly = fleet.playbook("drift", report_dir)
    assert nightly.not_in_sync() == {stopped.inventory_name: "drift"}, nightly
    assert nightly.report["since_previous"] is None  # the converge before it is a change log: not its baseline

    # During the day: a check of one camera, and a converge of another (both with --limit).
    limited = fleet.playbook("drift", report_dir, "--limit", checked_alone.inventory_name)
    assert set(limited.report["hosts"]) == {checked_alone.inventory_name}, limited.report
    day_converge = fleet.playbook("converge", report_dir, "--limit", converged_alone.inventory_name)
    assert day_converge.rc == 0, day_converge
    assert day_converge.report["check_mode"] is False
    day_converge_started = day_converge.report["started"]  # Run.report reads the folder's drift.json now

    # The next night: the stopped camera is still stopped, and that is not new.
    next_night = fleet.playbook("drift", report_dir)
    report = next_night.report
    assert_schema_valid(report)
    assert next_night.not_in_sync() == {stopped.inventory_name: "drift"}
    assert report["since_previous"]["new"] == [], report["since_previous"]
    assert report["since_previous"]["fixed"] == []
    assert report["hosts"][stopped.inventory_name]["previous_status"] == "drift"
    assert [item["new"] for item in report["hosts"][stopped.inventory_name]["items"]] == [False]
    assert report["since_previous"]["hosts_compared"] == 3

    # The layout: per kind of run, each camera's last entry in one of the hosts-NN.json files.
    drift_entries = history_entries(report_dir / "history" / "drift")
    changelog_entries = history_entries(report_dir / "history" / "changelog")
    assert set(drift_entries) == set(changelog_entries) == {camera.inventory_name for camera in fleet.cameras}
    entry = drift_entries[stopped.inventory_name]
    assert entry["status"] == "drift" and entry["resources"] == ["application:%s" % APP], entry
    entry = changelog_entries[converged_alone.inventory_name]
    assert entry["started"] == day_converge_started, entry


def test_a_check_mode_run_of_converge_is_a_drift_report(devices, tmp_path):
    """``ansible-playbook --check`` (AWX's Job Type: Check) on the converge playbook: a drift report, never
    titled a change log, and its history is the drift kind's."""
    fleet = Fleet(devices(2), tmp_path)
    stopped, dummy = fleet.cameras
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    stopped.patch_state({"applications": {APP: {"status": "Stopped"}}})
    report_dir = tmp_path / "report"
    run = fleet.playbook("converge", report_dir, "--check")
    assert run.rc == 0, run
    assert run.report["check_mode"] is True, run.report
    assert run.not_in_sync() == {stopped.inventory_name: "drift"}
    assert "DRIFT REPORT:" in run.stdout and "CHANGE LOG" not in run.stdout
    for name in ("drift.md", "drift.html"):
        text = (report_dir / name).read_text(encoding="utf-8")
        assert "Change log" not in text and "Drift report" in text, name
    assert (report_dir / "history" / "drift").is_dir() and not (report_dir / "history" / "changelog").exists()


def test_a_drift_run_where_every_camera_is_unreachable_is_still_a_drift_report(devices, tmp_path):
    """No task of the collection returned a result: the kind of run comes from the tasks' check mode (the
    drift playbook sets it on its play), not from the command line."""
    fleet = Fleet(devices(2), tmp_path)
    for camera in fleet.cameras:
        fleet.overrides[camera.inventory_name] = {"axis_port": closed_port(camera)}
    report_dir = tmp_path / "report"
    run = fleet.playbook("drift", report_dir)
    assert run.rc != 0, run
    assert run.report["check_mode"] is True, run.report
    assert set(run.not_in_sync().values()) == {"unreachable"}, run.report
    assert "DRIFT REPORT: 2 hosts:" in run.stdout, run
    text = (report_dir / "drift.html").read_text(encoding="utf-8")
    assert "Change log" not in text and "Drift report" in text
    assert (report_dir / "history" / "drift").is_dir() and not (report_dir / "history" / "changelog").exists()
