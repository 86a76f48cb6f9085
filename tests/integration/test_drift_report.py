# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report: the playbooks vapix.acap.drift and vapix.acap.converge with the callback
vapix.acap.drift_report, on a fleet of emulated cameras.

The playbooks run as a user runs them (``ansible-playbook vapix.acap.drift -i inventory.yml``), with an
inventory of the fleet written here: the role's variables for every camera, and per-host connection
variables (a closed port, a wrong password) where a test needs them.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

import pytest

from acap_helpers import changing_operations, make_eap, play_head
from conftest import PLAYBOOK_TIMEOUT, REPO_ROOT, ansible_command, ansible_env
from vapix_emulator.builders import build_license_key

SCHEMA_PATH = REPO_ROOT / "docs" / "drift-report.schema.json"
CALLBACK = "vapix.acap.drift_report"
APP = "hello_world"
LICENSED = "counter"
LICENSED_ID = "515151"
WRONG_PASSWORD = "Wr0ng-drift-s3cret!"  # distinctive: must appear in no report file
STATUSES = ("in_sync", "drift", "changed", "not_declared", "failed", "unreachable")


@dataclass
class Run:
    rc: int
    stdout: str
    stderr: str
    report_dir: Path

    def __str__(self) -> str:
        return "ansible-playbook rc=%d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            self.rc, self.stdout[-8000:], self.stderr[-4000:])

    __repr__ = __str__

    @property
    def report(self) -> Dict[str, Any]:
        return json.loads((self.report_dir / "drift.json").read_text(encoding="utf-8"))

    def not_in_sync(self) -> Dict[str, str]:
        return {name: host["status"] for name, host in self.report["hosts"].items() if host["status"] != "in_sync"}


class Fleet:
    """Emulated cameras, the declared state every camera shares, and per-host inventory overrides."""

    def __init__(self, cameras: Sequence[Any], work_dir: Path) -> None:
        self.cameras = list(cameras)
        self.work_dir = work_dir
        self.overrides: Dict[str, Dict[str, Any]] = {}
        self.runs = 0
        key_dir = work_dir / "keys"
        key_dir.mkdir(parents=True, exist_ok=True)
        self.key_codes = []
        for camera in self.cameras:
            code = "KEYCODE-%s-DRIFT-SECRET" % camera.serial_number
            self.key_codes.append(code)
            build_license_key(key_dir / ("%s.xml" % camera.serial_number), product=LICENSED,
                              productid=LICENSED_ID, serial_number=camera.serial_number, expires="2031-12-31",
                              key=code)
        self.declared: Dict[str, Any] = {
            "axis_camera_settings": {"allow_unsigned": False},
            "axis_camera_applications": [
                {"name": APP, "src": make_eap(work_dir, name=APP, version="1.1.0", architecture="all")},
                {"name": LICENSED, "license_src": str(key_dir),
                 "src": make_eap(work_dir, name=LICENSED, version="2.0.0", architecture="all",
                                 application_id=LICENSED_ID, licensed=True)},
            ],
        }

    def inventory(self) -> Path:
        hosts = {}
        for camera in self.cameras:
            host_vars = camera.inventory_vars()
            host_vars.update(self.overrides.get(camera.inventory_name, {}))
            hosts[camera.inventory_name] = host_vars
        inventory = {"cameras": {"hosts": hosts, "vars": self.declared}}
        path = self.work_dir / "inventory.yml"
        path.write_text(json.dumps(inventory, indent=1), encoding="utf-8")  # JSON is YAML
        return path

    def playbook(self, name: str, report_dir: Path, *args: str, callback: bool = True,
                 extra_env: Optional[Dict[str, str]] = None) -> Run:
        """``ansible-playbook vapix.acap.<name> -i inventory.yml`` in a directory of its own."""
        self.runs += 1
        run_dir = self.work_dir / ("run-%02d-%s" % (self.runs, name))
        run_dir.mkdir()
        env = {"ACAP_DRIFT_REPORT_DIR": str(report_dir), "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp")}
        if callback:
            env["ANSIBLE_CALLBACKS_ENABLED"] = CALLBACK
        env.update(extra_env or {})
        command = ansible_command("ansible-playbook") + ["-i", str(self.inventory()), "--forks", "10",
                                                         "vapix.acap.%s" % name, *args]
        completed = subprocess.run(command, cwd=str(run_dir), env=ansible_env(env), stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, timeout=PLAYBOOK_TIMEOUT, check=False)
        return Run(completed.returncode, completed.stdout, completed.stderr, report_dir)

    def camera(self, index: int) -> Any:
        return self.cameras[index]


def closed_port(camera: Any) -> int:
    """A port on the camera's loopback address that nothing listens on."""
    import socket  # pylint: disable=import-outside-toplevel

    with socket.socket() as probe:
        probe.bind((camera.host, 0))
        return probe.getsockname()[1]  # closed again when the block ends


def report_files(report_dir: Path) -> Dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(report_dir.iterdir()) if path.is_file()}


def check_against_schema(value: Any, schema: Dict[str, Any], root: Dict[str, Any], where: str = "$") -> List[str]:
    """The subset of JSON Schema that docs/drift-report.schema.json uses (jsonschema is not installed with
    ansible-core): type, enum, const, required, properties, additionalProperties, items, $ref, minimum."""
    if "$ref" in schema:
        ref = schema["$ref"]
        assert ref.startswith("#/$defs/"), ref
        schema = root["$defs"][ref.split("/")[-1]]
    errors: List[str] = []
    types = schema.get("type")
    if types is not None:
        names = types if isinstance(types, list) else [types]
        checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
                  "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
                  "integer": lambda v: isinstance(v, int) and not isinstance(v, bool), "null": lambda v: v is None,
                  "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)}
        if not any(checks[name](value) for name in names):
            return ["%s: %r is not of type %s" % (where, value, types)]
    if "enum" in schema and value not in schema["enum"]:
        errors.append("%s: %r not in %s" % (where, value, schema["enum"]))
    if "const" in schema and value != schema["const"]:
        errors.append("%s: %r is not %r" % (where, value, schema["const"]))
    if "minimum" in schema and isinstance(value, (int, float)) and value < schema["minimum"]:
        errors.append("%s: %r < %r" % (where, value, schema["minimum"]))
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append("%s: %r is required" % (where, key))
        properties = schema.get("properties", {})
        for key, item in value.items():
            if key in properties:
                errors += check_against_schema(item, properties[key], root, "%s.%s" % (where, key))
            elif isinstance(schema.get("additionalProperties"), dict):
                errors += check_against_schema(item, schema["additionalProperties"], root, "%s.%s" % (where, key))
            elif schema.get("additionalProperties") is False:
                errors.append("%s: unexpected key %r" % (where, key))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            errors += check_against_schema(item, schema["items"], root, "%s[%d]" % (where, index))
    return errors


def assert_schema_valid(report: Dict[str, Any]) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    errors = check_against_schema(report, schema, schema)
    assert not errors, "drift.json does not match %s:\n%s" % (SCHEMA_PATH, "\n".join(errors[:30]))


def resources(host: Dict[str, Any]) -> List[str]:
    return [item["resource"] for item in host["items"]]


def assert_no_secret(report_dir: Path, fleet: Fleet) -> None:
    """No report file holds the wrong password, a license key's code or the default password."""
    files = report_files(report_dir)
    assert files, report_dir
    for file_name, text in files.items():
        assert WRONG_PASSWORD not in text, file_name
        for code in fleet.key_codes:
            assert code not in text, (file_name, code)
        assert '"pass"' not in text and "password: pass" not in text, file_name


def custom_stats(stdout: str) -> Dict[str, Any]:
    """The run-wide set_stats data the default callback prints (ANSIBLE_SHOW_CUSTOM_STATS)."""
    lines = [line.strip()[len("RUN:"):] for line in stdout.splitlines() if line.strip().startswith("RUN:")]
    assert len(lines) == 1, stdout[-3000:]
    return json.loads(lines[0])


def make_drift(fleet: Fleet) -> Dict[str, str]:
    """The hand-made changes of the issue's scenario; returns {host: expected status}."""
    stopped, other_version, flipped, unreachable, wrong_password = fleet.cameras[:5]
    stopped.patch_state({"applications": {APP: {"status": "Stopped"}}})
    # Someone installs another version by hand (an older one, so the declared one is an upgrade).
    other_version.install(Path(make_eap(fleet.work_dir, name=APP, version="1.0.0", architecture="all"))
                          .read_bytes())  # it keeps running
    flipped.patch_state({"config": {"AllowUnsigned": True}})
    fleet.overrides[unreachable.inventory_name] = {"axis_port": closed_port(unreachable)}
    fleet.overrides[wrong_password.inventory_name] = {"axis_password": WRONG_PASSWORD}
    return {stopped.inventory_name: "drift", other_version.inventory_name: "drift",
            flipped.inventory_name: "drift", unreachable.inventory_name: "unreachable",
            wrong_password.inventory_name: "failed"}


@pytest.fixture
def fleet(devices, tmp_path) -> Fleet:
    return Fleet(devices(20), tmp_path)


def test_drift_on_a_converged_fleet(fleet, tmp_path):
    report_dir = tmp_path / "report"
    converged = fleet.playbook("converge", tmp_path / "changelog-first",
                               "-e", "axis_converge_serial=10", "-e", "axis_converge_max_fail_percentage=0")
    assert converged.rc == 0, converged
    # The first converge is a change log: every camera changed.
    assert converged.report["check_mode"] is False
    assert set(converged.report["hosts"]) == {camera.inventory_name for camera in fleet.cameras}
    assert {host["status"] for host in converged.report["hosts"].values()} == {"changed"}, converged.report

    expected = make_drift(fleet)
    stopped, other_version, flipped, unreachable, wrong_password = (camera.inventory_name
                                                                    for camera in fleet.cameras[:5])
    for camera in fleet.cameras:
        camera.clear_log()

    checked = fleet.playbook("drift", report_dir, extra_env={"ANSIBLE_SHOW_CUSTOM_STATS": "1"})
    assert checked.rc != 0, checked
    report = checked.report
    assert_schema_valid(report)
    assert report["check_mode"] is True
    assert set(report["hosts"]) == {camera.inventory_name for camera in fleet.cameras}
    assert checked.not_in_sync() == expected, json.dumps(report, indent=1)
    assert report["summary"] == {"hosts": 20, "in_sync": 15, "drift": 3, "changed": 0, "not_declared": 0,
                                 "failed": 1, "unreachable": 1}
    assert report["since_previous"] is None
    # Nothing that changes a device was sent.
    changed_devices = {camera.inventory_name: changing_operations(camera) for camera in fleet.cameras
                       if changing_operations(camera)}
    assert changed_devices == {}

    hosts = report["hosts"]
    for name, host in hosts.items():
        if name not in expected:
            assert host["items"] == [] and host["error"] is None, (name, host)
            assert host["resources_checked"] > 0, (name, host)
    assert resources(hosts[stopped]) == ["application:%s" % APP], hosts[stopped]
    assert "start" in hosts[stopped]["items"][0]["actions"], hosts[stopped]
    assert resources(hosts[other_version]) == ["application:%s" % APP], hosts[other_version]
    item = hosts[other_version]["items"][0]
    assert item["before"].get("version") == "1.0.0" and item["after"].get("version") == "1.1.0", item
    assert item["actions"] and item["source"] and item["source"].endswith(".eap"), item
    assert resources(hosts[flipped]) == ["setting:allow_unsigned"], hosts[flipped]
    assert hosts[flipped]["items"][0]["actions"], hosts[flipped]
    assert hosts[unreachable]["error"]["msg"] and "refused" in hosts[unreachable]["error"]["msg"].lower()
    assert hosts[wrong_password]["error"]["msg"], hosts[wrong_password]
    for name in (stopped, other_version, flipped):
        assert hosts[name]["error"] is None
        assert all(item["task"] for item in hosts[name]["items"])

    # One summary line on the terminal, with the counts and the path.
    lines = [line for line in checked.stdout.splitlines() if line.startswith("DRIFT REPORT:")]
    assert lines == ["DRIFT REPORT: 20 hosts: 15 in sync, 3 drift, 0 not declared, 1 failed, 1 unreachable -> %s"
                     % (report_dir / "drift.html")], checked.stdout[-3000:]
    assert (report_dir / "drift.md").is_file() and (report_dir / "drift.html").is_file()
    # The job artifacts (set_stats data, shown here by the default callback's show_custom_stats).
    artifacts = custom_stats(checked.stdout)["vapix_acap_drift"]
    assert artifacts["summary"] == report["summary"] and artifacts["check_mode"] is True
    assert artifacts["hosts"] == {name: host["status"] for name, host in report["hosts"].items()}
    assert artifacts["report_dir"] == str(report_dir)

    assert_no_secret(report_dir, fleet)

    # Repair the inventory, converge (a change log of the three drifted cameras), check again.
    fleet.overrides.clear()
    repaired = fleet.playbook("converge", tmp_path / "changelog", "-e", "axis_converge_serial=50%")
    assert repaired.rc == 0, repaired
    assert repaired.not_in_sync() == {stopped: "changed", other_version: "changed", flipped: "changed"}, \
        repaired.report
    assert repaired.report["check_mode"] is False

    rechecked = fleet.playbook("drift", report_dir)
    assert rechecked.rc == 0, rechecked
    report = rechecked.report
    assert_schema_valid(report)
    assert rechecked.not_in_sync() == {}
    assert report["summary"]["in_sync"] == 20
    # Against the previous report: the five are fixed, nothing is new; the previous one is kept.
    assert sorted(report["since_previous"]["fixed"]) == sorted(expected)
    assert report["since_previous"]["new"] == []
    previous = json.loads((report_dir / "drift.previous.json").read_text(encoding="utf-8"))
    assert {name for name, host in previous["hosts"].items() if host["status"] != "in_sync"} == set(expected)
    assert "(since the previous report: 0 new, 5 fixed)" in rechecked.stdout, rechecked.stdout[-2000:]
    assert_no_secret(report_dir, fleet)
    assert_no_secret(tmp_path / "changelog", fleet)


def test_new_drift_is_marked_against_the_previous_report(devices, tmp_path):
    fleet = Fleet(devices(3), tmp_path)
    report_dir = tmp_path / "report"
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    first, second, third = fleet.cameras
    first.patch_state({"applications": {APP: {"status": "Stopped"}}})
    before = fleet.playbook("drift", report_dir)
    assert before.not_in_sync() == {first.inventory_name: "drift"}, before
    # Next night: the first is still stopped, the third now has unsigned packages allowed.
    third.patch_state({"config": {"AllowUnsigned": True}})
    after = fleet.playbook("drift", report_dir)
    assert after.rc != 0, after
    report = after.report
    assert_schema_valid(report)
    assert report["since_previous"]["new"] == [third.inventory_name], report["since_previous"]
    assert report["since_previous"]["fixed"] == []
    assert [item["new"] for item in report["hosts"][first.inventory_name]["items"]] == [False]
    assert [item["new"] for item in report["hosts"][third.inventory_name]["items"]] == [True]
    assert report["hosts"][first.inventory_name]["previous_status"] == "drift"
    assert second.inventory_name not in report["since_previous"]["new"]


def test_the_drift_playbook_refuses_to_run_without_its_callback(devices, tmp_path):
    fleet = Fleet(devices(1), tmp_path)
    (camera,) = fleet.cameras
    run = fleet.playbook("drift", tmp_path / "report", callback=False)
    assert run.rc != 0, run
    assert "ANSIBLE_CALLBACKS_ENABLED=vapix.acap.drift_report" in run.stdout, run
    assert camera.authenticated_log() == []
    assert not (tmp_path / "report").exists()


def test_no_log_values_and_key_content_stay_out_of_the_report(devices, run_playbook, tmp_path):
    """A task under no_log that would change something is an item without its values; a license key given
    as content reaches no report file."""
    (camera,) = devices(1)
    package = make_eap(tmp_path, name=LICENSED, version="2.0.0", architecture="all", application_id=LICENSED_ID,
                       licensed=True)
    key_code = "KEYCODE-%s-CONTENT-SECRET" % camera.serial_number
    key = build_license_key(product=LICENSED, productid=LICENSED_ID, serial_number=camera.serial_number,
                            expires="2031-12-31", key=key_code).decode()
    playbook = play_head("Secrets") + """
    - name: Counter installed (output hidden)
      vapix.acap.axis_acap:
        src: %s
        state: started
      no_log: true
    - name: Counter key from content
      vapix.acap.axis_acap_license:
        name: %s
        content: "{{ key_content }}"
""" % (package, LICENSED)
    report_dir = tmp_path / "report"
    run = run_playbook(playbook, camera, extra_vars={"key_content": key}, check=True,
                       env={"ANSIBLE_CALLBACKS_ENABLED": "vapix_recorder,%s" % CALLBACK,
                            "ACAP_DRIFT_REPORT_DIR": str(report_dir)})
    assert run.rc == 0, run
    assert changing_operations(camera) == []
    report = json.loads((report_dir / "drift.json").read_text(encoding="utf-8"))
    assert_schema_valid(report)
    host = report["hosts"][camera.inventory_name]
    assert host["status"] == "drift", host
    assert resources(host) == ["task:Counter installed (output hidden)", "license:%s" % LICENSED], host
    assert host["items"][0]["before"] == {} and host["items"][0]["after"] == {}
    for file_name, text in report_files(report_dir).items():
        assert key_code not in text and "<signature>" not in text, file_name


def test_drift_leaves_the_role_argument_task_out_and_the_module_still_checks_every_value(devices, tmp_path):
    """One worker per camera: the playbook imports the role with rolespec_validate false, so a value of the
    wrong type fails in the module, which names the option and the role; the switch brings Ansible's
    role argument task back, which names the variable."""
    fleet = Fleet(devices(2), tmp_path)
    good, typo = fleet.cameras
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    fleet.overrides[typo.inventory_name] = {"axis_camera_exclusive": "maybe"}
    typo.clear_log()
    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run
    assert "Validating arguments against arg spec" not in run.stdout, run
    assert run.not_in_sync() == {typo.inventory_name: "failed"}, run
    message = run.report["hosts"][typo.inventory_name]["error"]["msg"]
    assert "argument 'exclusive' is of type" in message and "unable to convert to bool" in message, message
    assert "of role vapix.acap.camera: it sets these options from the role's variables" in message, message
    assert typo.authenticated_log() == [], "a task with invalid options must send nothing"

    checked = fleet.playbook("drift", tmp_path / "report", "-e", "axis_drift_check_role_variables=true")
    assert "Validating arguments against arg spec 'main'" in checked.stdout, checked
    assert checked.not_in_sync() == {typo.inventory_name: "failed"}, checked
    message = checked.report["hosts"][typo.inventory_name]["error"]["msg"]
    assert "argument 'axis_camera_exclusive' is of type" in message, message
    assert good.authenticated_log(), "the camera with valid variables is read in both runs"


def test_converge_stops_after_a_failing_batch(devices, tmp_path):
    fleet = Fleet(devices(3), tmp_path)
    first, second, third = fleet.cameras
    fleet.overrides[first.inventory_name] = {"axis_password": WRONG_PASSWORD}
    run = fleet.playbook("converge", tmp_path / "changelog", "-e", "axis_converge_serial=2",
                         "-e", "axis_converge_max_fail_percentage=0")
    assert run.rc != 0, run
    # Half of the first batch failed, more than 0 %: Ansible stopped the play after the running task. The
    # other camera of the batch finished that task (the role is one task) and says the play was stopped;
    # the second batch never ran (not in the report).
    assert run.not_in_sync() == {first.inventory_name: "failed", second.inventory_name: "changed"}, run.report
    assert any("stopped the play" in warning for warning in run.report["hosts"][second.inventory_name]["warnings"])
    assert set(run.report["hosts"]) == {first.inventory_name, second.inventory_name}
    assert third.authenticated_log() == []
    assert "401" in run.report["hosts"][first.inventory_name]["error"]["msg"]

    # With 50 % allowed, the second batch runs.
    tolerant = fleet.playbook("converge", tmp_path / "changelog-2", "-e", "axis_converge_serial=2",
                              "-e", "axis_converge_max_fail_percentage=50")
    assert tolerant.rc != 0, tolerant
    assert tolerant.not_in_sync() == {first.inventory_name: "failed", third.inventory_name: "changed"}, \
        tolerant.report
    assert not any("stopped the play" in warning for host in tolerant.report["hosts"].values()
                   for warning in host["warnings"])
