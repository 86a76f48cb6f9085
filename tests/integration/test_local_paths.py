# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rule for relative paths (docs/architecture.md, "Relative paths"): a user's project with a files/ folder
works from vapix.acap.drift and converge run by name, and from a playbook of the project that imports them
(import_playbook, as an AWX project does), wherever ansible-playbook runs; ca_path follows the same rule."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from acap_helpers import applications, make_eap
from conftest import PLAYBOOK_TIMEOUT, ansible_command, ansible_env
from vapix_emulator.builders import build_license_key

CALLBACK = "vapix.acap.drift_report"
LICENSED_ID = "515151"


def make_project(root: Path, cameras: Sequence[Any], inventory_dir: str = ".") -> Path:
    """A project: files/ (packages, a key folder, the cameras' CA), an inventory whose paths are relative."""
    files = root / "files"
    (files / "keys").mkdir(parents=True)
    make_eap(files, name="counter", version="2.0.0", architecture="all", application_id=LICENSED_ID, licensed=True)
    for camera in cameras:
        build_license_key(files / "keys" / ("%s.xml" % camera.serial_number), product="counter",
                          productid=LICENSED_ID, serial_number=camera.serial_number, expires="2031-12-31")
    shutil.copy(cameras[0].ca_file, str(files / "device-ca.pem"))
    package = next(files.glob("counter_*.eap")).name
    hosts = {}
    for camera in cameras:
        host = camera.inventory_vars()
        host.update(axis_use_https=True, axis_port=camera.https_port, axis_ca_path="files/device-ca.pem")
        hosts[camera.inventory_name] = host
    declared = {"axis_camera_applications": [{"name": "counter", "src": "files/%s" % package,
                                              "license_src": "files/keys/"}]}
    inventory = root / inventory_dir / "inventory.yml"
    inventory.parent.mkdir(parents=True, exist_ok=True)
    inventory.write_text(json.dumps({"cameras": {"hosts": hosts, "vars": declared}}), encoding="utf-8")
    return inventory


def playbook(words: List[str], cwd: Path, report_dir: Path,
             extra_env: Optional[Dict[str, str]] = None) -> subprocess.CompletedProcess:
    cwd.mkdir(parents=True, exist_ok=True)
    env = ansible_env(dict({"ANSIBLE_CALLBACKS_ENABLED": CALLBACK, "ACAP_DRIFT_REPORT_DIR": str(report_dir),
                            "ANSIBLE_LOCAL_TEMP": str(cwd / "tmp")}, **(extra_env or {})))
    return subprocess.run(ansible_command("ansible-playbook") + words, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, check=False)


def statuses(report_dir: Path) -> dict:
    report = json.loads((report_dir / "drift.json").read_text(encoding="utf-8"))
    return {name: host["status"] for name, host in report["hosts"].items()}


def test_the_shipped_playbooks_run_by_name_find_the_projects_files(devices, tmp_path):
    cameras = devices(2)
    project = tmp_path / "project"
    inventory = make_project(project, cameras)
    elsewhere = tmp_path / "elsewhere"  # not the project: the rule does not depend on the working directory

    before = playbook(["-i", str(inventory), "vapix.acap.drift"], elsewhere, tmp_path / "report")
    assert before.returncode != 0, before.stdout + before.stderr
    assert set(statuses(tmp_path / "report").values()) == {"drift"}, before.stdout  # not "failed": files found

    converged = playbook(["-i", str(inventory), "vapix.acap.converge"], elsewhere, tmp_path / "changelog")
    assert converged.returncode == 0, converged.stdout + converged.stderr
    for camera in cameras:
        app = applications(camera)["counter"]
        assert (app["status"], app["license"]) == ("Running", "Valid"), app

    after = playbook(["-i", str(inventory), "vapix.acap.drift"], elsewhere, tmp_path / "report")
    assert after.returncode == 0, after.stdout + after.stderr
    assert set(statuses(tmp_path / "report").values()) == {"in_sync"}


def test_a_project_playbook_that_imports_the_shipped_ones_finds_the_projects_files(devices, tmp_path):
    cameras = devices(1)
    project = tmp_path / "project"
    inventory = make_project(project, cameras, inventory_dir="inventories/site-a")  # no files/ next to it
    (project / "converge.yml").write_text("- ansible.builtin.import_playbook: vapix.acap.converge\n", encoding="utf-8")
    (project / "drift.yml").write_text("- ansible.builtin.import_playbook: vapix.acap.drift\n", encoding="utf-8")
    runner_dir = tmp_path / "runner"  # like AWX: the playbook named by its path, run from elsewhere

    converged = playbook(["-i", str(inventory), str(project / "converge.yml")], runner_dir, tmp_path / "changelog")
    assert converged.returncode == 0, converged.stdout + converged.stderr
    assert applications(cameras[0])["counter"]["license"] == "Valid"
    checked = playbook(["-i", str(inventory), str(project / "drift.yml")], runner_dir, tmp_path / "report")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert statuses(tmp_path / "report") == {cameras[0].inventory_name: "in_sync"}


def test_a_missing_file_names_where_it_looked_and_no_option_the_modules_lack(devices, tmp_path):
    cameras = devices(1)
    project = tmp_path / "project"
    inventory = make_project(project, cameras)
    shutil.rmtree(str(project / "files" / "keys"))
    run = playbook(["-i", str(inventory), "vapix.acap.drift"], tmp_path / "elsewhere", tmp_path / "report")
    assert run.returncode != 0
    report = json.loads((tmp_path / "report" / "drift.json").read_text(encoding="utf-8"))
    message = report["hosts"][cameras[0].inventory_name]["error"]["msg"]
    assert "'files/keys/' not found on the controller" in message, message
    assert str(project / "files/keys/") in message, message  # the inventory's folder, where it looked first
    assert "remote_src" not in message, message
    assert cameras[0].authenticated_log() == []
