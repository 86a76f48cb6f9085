# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report under ansible-runner, the engine AWX and Automation Platform run jobs with
(docs/awx.md, "The drift report in AWX"): exit status, job status, artifacts, report files in the job's
artifact folder, history in a persistent folder, slices that do not overwrite each other, a merged fleet
report, and no secret in any job event."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence

import pytest

from conftest import COLLECTIONS_ROOT, PLAYBOOK_TIMEOUT
from test_drift_history import history_entries
from test_drift_report import APP, CALLBACK, WRONG_PASSWORD, Fleet, assert_schema_valid, closed_port

ansible_runner = pytest.importorskip("ansible_runner", reason="ansible-runner is in requirements-dev.txt")


class Job:
    """One ansible-runner job: its runner, events and artifact folder."""

    def __init__(self, private_data_dir: Path, ident: str, runner: Any) -> None:
        self.runner = runner
        self.artifacts = private_data_dir / "artifacts" / ident
        self.report_dir = self.artifacts / "drift-report"

    @property
    def events(self) -> List[Dict[str, Any]]:
        return list(self.runner.events)

    def stats_artifacts(self) -> Dict[str, Any]:
        (stats,) = [event for event in self.events if event.get("event") == "playbook_on_stats"]
        return stats["event_data"].get("artifact_data") or {}

    @property
    def report(self) -> Dict[str, Any]:
        return json.loads((self.report_dir / "drift.json").read_text(encoding="utf-8"))

    def __repr__(self) -> str:
        return "runner job rc=%s status=%s\n%s" % (
            self.runner.rc, self.runner.status, self.runner.stdout.read()[-6000:])


def run_job(fleet: Fleet, private_data_dir: Path, ident: str, playbook: str = "vapix.acap.drift",
            hosts: Sequence[Any] = (), extra_env: Dict[str, str] = None, extravars: Dict[str, Any] = None) -> Job:
    """``ansible-runner run`` of a playbook of the collection, as AWX starts a job (its own private data folder,
    inventory in it, the callback enabled in the job's environment)."""
    (private_data_dir / "inventory").mkdir(parents=True, exist_ok=True)
    inventory = json.loads(fleet.inventory().read_text(encoding="utf-8"))
    if hosts:  # a slice: AWX gives each slice job the part of the inventory it runs
        names = {camera.inventory_name for camera in hosts}
        inventory["cameras"]["hosts"] = {name: value for name, value in inventory["cameras"]["hosts"].items()
                                         if name in names}
    (private_data_dir / "inventory" / "hosts.json").write_text(json.dumps(inventory), encoding="utf-8")
    envvars = {
        "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        "ANSIBLE_CALLBACKS_ENABLED": CALLBACK, "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_LOCAL_TEMP": str(private_data_dir / "tmp"),
    }
    envvars.update(extra_env or {})
    runner = ansible_runner.run(private_data_dir=str(private_data_dir), ident=ident, playbook=playbook,
                                envvars=envvars, extravars=extravars or {}, quiet=True,
                                timeout=int(PLAYBOOK_TIMEOUT), settings={"suppress_ansible_output": True})
    return Job(private_data_dir, ident, runner)


def assert_no_secret_in_events(job: Job, fleet: Fleet) -> None:
    texts = [json.dumps(event) for event in job.events]
    texts += [path.read_text(encoding="utf-8", errors="replace") for path in job.artifacts.rglob("*")
              if path.is_file()]
    assert texts
    for text in texts:
        assert WRONG_PASSWORD not in text
        for code in fleet.key_codes:
            assert code not in text


def test_a_drift_job_under_ansible_runner(devices, tmp_path):
    fleet = Fleet(devices(4), tmp_path)
    stopped, wrong_password = fleet.cameras[:2]
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    stopped.patch_state({"applications": {APP: {"status": "Stopped"}}})
    fleet.overrides[wrong_password.inventory_name] = {"axis_password": WRONG_PASSWORD}
    history = tmp_path / "persistent-history"
    env = {"ACAP_DRIFT_REPORT_HISTORY_DIR": str(history)}

    job = run_job(fleet, tmp_path / "job", "101", extra_env=env)
    assert job.runner.rc != 0 and job.runner.status == "failed", job
    # The report is in the job's artifact folder (not in the project folder AWX discards).
    report = job.report
    assert_schema_valid(report)
    assert {name: host["status"] for name, host in report["hosts"].items() if host["status"] != "in_sync"} == {
        stopped.inventory_name: "drift", wrong_password.inventory_name: "failed"}
    assert sorted(path.name for path in job.report_dir.iterdir() if path.is_file()) == [
        "drift.html", "drift.json", "drift.md"]
    assert not (tmp_path / "job" / "project" / "drift-report").exists()
    # The job's artifacts (set_stats): the counts and each camera's status.
    published = [value for key, value in job.stats_artifacts().items() if key.startswith("vapix_acap_drift")]
    assert len(published) == 1, job.stats_artifacts()
    assert published[0]["summary"] == report["summary"]
    assert published[0]["artifact_key"] == "vapix_acap_drift_101"
    assert published[0]["report_dir"] == str(job.report_dir)
    assert_no_secret_in_events(job, fleet)

    # The next job (a new artifact folder) compares with the persistent history.
    fleet.overrides.clear()
    again = run_job(fleet, tmp_path / "job", "102", extra_env=env)
    assert again.runner.rc != 0, again
    since = again.report["since_previous"]
    assert since["new"] == [] and since["fixed"] == [wrong_password.inventory_name], since
    assert history_entries(history / "drift")[stopped.inventory_name]["status"] == "drift"


def test_slices_keep_their_own_report_and_merge_into_one(devices, tmp_path):
    fleet = Fleet(devices(4), tmp_path)
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    fleet.cameras[0].patch_state({"applications": {APP: {"status": "Stopped"}}})
    fleet.overrides[fleet.cameras[3].inventory_name] = {"axis_port": closed_port(fleet.cameras[3])}
    slices = [run_job(fleet, tmp_path / ("slice-%d" % number), "20%d" % number, hosts=fleet.cameras[2 * number:][:2])
              for number in range(2)]
    for job in slices:
        assert job.runner.status == "failed", job
        assert len(job.report["hosts"]) == 2
    keys = [next(value["artifact_key"] for key, value in job.stats_artifacts().items()
                 if key.startswith("vapix_acap_drift")) for job in slices]
    assert keys == ["vapix_acap_drift_200", "vapix_acap_drift_201"]

    merged_dir = tmp_path / "fleet"
    merge = run_job(fleet, tmp_path / "merge", "300", playbook="vapix.acap.merge_reports",
                    extravars={"axis_merge_src": [str(job.report_dir) for job in slices],
                               "axis_merge_dest": str(merged_dir)})
    assert merge.runner.rc == 0 and merge.runner.status == "successful", merge
    merged = json.loads((merged_dir / "drift.json").read_text(encoding="utf-8"))
    assert_schema_valid(merged)
    assert set(merged["hosts"]) == {camera.inventory_name for camera in fleet.cameras}
    assert merged["summary"] == {"hosts": 4, "in_sync": 2, "drift": 1, "changed": 0, "not_declared": 0,
                                 "failed": 0, "unreachable": 1}, merged["summary"]
    assert [source["hosts"] for source in merged["sources"]] == [2, 2]
    page = (merged_dir / "drift.html").read_text(encoding="utf-8")
    assert "merged from 2 reports" in page


def test_when_every_camera_fails_the_job_still_has_its_report(devices, tmp_path):
    fleet = Fleet(devices(2), tmp_path)
    for camera in fleet.cameras:
        fleet.overrides[camera.inventory_name] = {"axis_password": WRONG_PASSWORD}
    job = run_job(fleet, tmp_path / "job", "400")
    assert job.runner.rc != 0 and job.runner.status == "failed", job
    report = job.report
    assert {host["status"] for host in report["hosts"].values()} == {"failed"}, report
    assert (job.report_dir / "drift.html").is_file() and (job.report_dir / "drift.md").is_file()
    assert_no_secret_in_events(job, fleet)


def test_when_every_camera_fails_the_job_still_publishes_its_artifacts(devices, tmp_path):
    fleet = Fleet(devices(2), tmp_path)
    for camera in fleet.cameras:
        fleet.overrides[camera.inventory_name] = {"axis_password": WRONG_PASSWORD}
    job = run_job(fleet, tmp_path / "job", "401")
    assert job.runner.status == "failed", job
    assert job.stats_artifacts()["vapix_acap_drift_401"]["summary"]["failed"] == 2, job.stats_artifacts()
