# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action plugins: the same task, run in the controller's worker process and as the module
(forced with vapix_acap_in_process: false), gives the same result on the same device state.

Each scenario runs a playbook twice on one device, reset to the same state before each run; which
path ran is read from Ansible's own -vvv output ("Using module file" is printed only when a module
is sent)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import pytest

from acap_helpers import applications, changing_operations, make_eap
from vapix_emulator.builders import build_license_key

APP = "hello_world"
APP_ID = "4711"
MODULE_MARK = "Using module file"
PATHS = ("in_process", "module")

PLAY_HEAD = """
- name: Action paths
  hosts: all
  gather_facts: false
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: false
      username: "{{ axis_username }}"
      password: "{{ test_password | default(axis_password) }}"
  tasks:
"""

# Keys that make a result: what both paths must agree on.
COMPARED = ("status", "changed", "actions", "diff", "warnings", "failed", "msg", "error_code", "http_status",
            "endpoint", "resources", "application", "package", "applications", "settings", "license", "missing")


def project(tmp_path: Path, tasks: str, files: Optional[Dict[str, bytes]] = None) -> Path:
    """A playbook with a files/ folder next to it (for relative src), as users lay projects out."""
    root = tmp_path / "project"
    (root / "files").mkdir(parents=True, exist_ok=True)
    for relative, data in (files or {}).items():
        target = root / "files" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    playbook = root / "site.yml"
    playbook.write_text(PLAY_HEAD + tasks, encoding="utf-8")
    return playbook


def warning_texts(warnings: Any) -> List[str]:
    """Warning messages, however the Ansible version recorded them (strings or summaries)."""
    texts = []
    for warning in warnings or []:
        if isinstance(warning, dict):
            event = warning.get("event") or {}
            texts.append(str(event.get("msg") or warning.get("msg") or warning))
        else:
            texts.append(str(warning))
    return texts


def comparable(result: Dict[str, Any]) -> Dict[str, Any]:
    found = {key: result[key] for key in COMPARED if key in result}
    if isinstance(found.get("msg"), str):
        # Each run has its own folder (its inventory's, where relative paths are looked up too).
        found["msg"] = re.sub(r"/playbook-\d+/", "/playbook-N/", found["msg"])
    if "warnings" in found:
        found["warnings"] = warning_texts(found["warnings"])
    return found


def run_both(device: Any, run_playbook: Callable[..., Any], playbook: Path, prepare: Callable[[], None],
             task_names: List[str], **options: Any) -> Dict[str, Any]:
    """Run ``playbook`` in both paths, each on a freshly prepared device; check which path ran and that
    every named task gave the same result. Returns the runs by path."""
    runs = {}
    for path in PATHS:
        device.reset()
        prepare()
        extra_vars = dict(options.get("extra_vars") or {})
        extra_vars["vapix_acap_in_process"] = path == "in_process"
        run = run_playbook(playbook, device, extra_vars=extra_vars, check=options.get("check", False),
                           diff=options.get("diff", False), verbosity=max(3, options.get("verbosity", 0)))
        # A task that fails before anything is sent (a missing file) starts no module in either path.
        assert (MODULE_MARK in run.stdout) == (path == "module" and options.get("module_runs", True)), run
        assert "Traceback" not in run.stdout + run.stderr, run
        runs[path] = run
    for name in task_names:
        in_process = comparable(runs["in_process"].task(name))
        module = comparable(runs["module"].task(name))
        assert in_process == module, "task %r differs:\nin-process: %s\nmodule:     %s" % (
            name, json.dumps(in_process, indent=1, sort_keys=True), json.dumps(module, indent=1, sort_keys=True))
    return runs


def test_axis_acap_relative_src_check_diff_and_apply(device, run_playbook, tmp_path):
    package = Path(make_eap(tmp_path, version="1.1.0")).read_bytes()
    older = Path(make_eap(tmp_path, version="1.0.0")).read_bytes()
    playbook = project(tmp_path, """
    - name: Converge
      vapix.acap.axis_acap:
        src: packages/hello.eap
        state: started
""", {"packages/hello.eap": package})

    def prepare() -> None:
        device.install(older, start=True)
        device.clear_log()

    checked = run_both(device, run_playbook, playbook, prepare, ["Converge"], check=True, diff=True)
    result = checked["in_process"].task("Converge")
    assert result.status == "changed" and result["actions"] == ["upload"], result
    assert result["diff"]["after"]["version"] == "1.1.0"
    assert applications(device)[APP]["version"] == "1.0.0" and changing_operations(device) == []

    applied = run_both(device, run_playbook, playbook, prepare, ["Converge"])
    result = applied["module"].task("Converge")
    assert result["actions"] == ["upload"] and "diff" not in result, result
    # The package was found in the playbook's files/ folder and is reported by its controller path.
    assert applications(device)[APP]["version"] == "1.1.0"


def test_axis_acap_failure_fields_are_the_same(device, run_playbook, tmp_path):
    playbook = project(tmp_path, """
    - name: Unsigned on new firmware
      vapix.acap.axis_acap:
        src: unsigned.eap
""", {"unsigned.eap": Path(make_eap(tmp_path, signed=False)).read_bytes()})

    def prepare() -> None:
        device.reset(firmware="12.6.1")

    runs = run_both(device, run_playbook, playbook, prepare, ["Unsigned on new firmware"])
    result = runs["in_process"].task("Unsigned on new firmware")
    assert result.status == "failed" and result["error_code"] == 2 and "allow_unsigned" in result["msg"], result
    assert applications(device) == {}


def test_axis_acap_missing_relative_src_lists_where_it_looked(device, run_playbook, tmp_path):
    playbook = project(tmp_path, """
    - name: Missing package
      vapix.acap.axis_acap:
        src: nowhere/hello.eap
""")
    runs = run_both(device, run_playbook, playbook, lambda: None, ["Missing package"], module_runs=False)
    result = runs["module"].task("Missing package")
    assert result.status == "failed", result
    assert "nowhere/hello.eap" in result["msg"] and str(playbook.parent / "files") in result["msg"], result
    assert device.authenticated_log() == []


def test_axis_acap_config_check_and_diff(device, run_playbook, tmp_path):
    playbook = project(tmp_path, """
    - name: Settings
      vapix.acap.axis_acap_config:
        allow_unsigned: true
""")
    runs = run_both(device, run_playbook, playbook, lambda: None, ["Settings"], check=True, diff=True)
    result = runs["in_process"].task("Settings")
    assert result["status"] in ("changed", "ok") and "diff" in result, result


def test_axis_acap_info(device, run_playbook, tmp_path):
    package = Path(make_eap(tmp_path, version="2.0.0")).read_bytes()
    playbook = project(tmp_path, """
    - name: Read
      vapix.acap.axis_acap_info:
""")
    runs = run_both(device, run_playbook, playbook, lambda: device.install(package, start=True), ["Read"])
    result = runs["module"].task("Read")
    assert [app["name"] for app in result["applications"]] == [APP], result


def test_axis_acap_license_relative_key_folder(device, run_playbook, tmp_path):
    package = Path(make_eap(tmp_path, application_id=APP_ID, licensed=True)).read_bytes()
    keys = {
        "keys/%s.xml" % device.serial_number: build_license_key(
            product=APP, productid=APP_ID, serial_number=device.serial_number, expires="2031-01-01"),
        "keys/other.xml": build_license_key(product=APP, productid=APP_ID, serial_number="B8A44F000001",
                                            expires="2031-01-01"),
    }
    playbook = project(tmp_path, """
    - name: Key
      vapix.acap.axis_acap_license:
        name: %s
        src: keys
""" % APP, keys)

    def prepare() -> None:
        device.install(package)

    run_both(device, run_playbook, playbook, prepare, ["Key"], check=True, diff=True)
    runs = run_both(device, run_playbook, playbook, prepare, ["Key"], diff=True)
    result = runs["module"].task("Key")
    assert result["actions"] == ["upload_license"], result
    assert applications(device)[APP]["license"] == "Valid"


def test_axis_acap_state_relative_package_and_key_folder(device, run_playbook, tmp_path):
    package = Path(make_eap(tmp_path, version="1.2.0", application_id=APP_ID, licensed=True)).read_bytes()
    keys = {"keys/%s.xml" % device.serial_number: build_license_key(
        product=APP, productid=APP_ID, serial_number=device.serial_number, expires="2031-01-01")}
    playbook = project(tmp_path, """
    - name: Camera
      vapix.acap.axis_acap_state:
        settings:
          allow_unsigned: false
        applications:
          - name: %s
            src: hello.eap
            state: started
            license_src: keys
""" % APP, dict(keys, **{"hello.eap": package}))
    checked = run_both(device, run_playbook, playbook, lambda: None, ["Camera"], check=True, diff=True)
    assert checked["in_process"].task("Camera")["changed"] is True
    assert changing_operations(device) == []
    applied = run_both(device, run_playbook, playbook, lambda: None, ["Camera"], diff=True)
    assert applied["module"].task("Camera")["changed"] is True
    app = applications(device)[APP]
    assert (app["version"], app["status"], app["license"]) == ("1.2.0", "Running", "Valid"), app


def test_wrong_password_is_sent_once_per_run(device, run_playbook, tmp_path):
    playbook = project(tmp_path, """
    - name: Read with a wrong password
      vapix.acap.axis_acap_info:
      loop: [1, 2, 3]
      ignore_errors: true
    - name: Again in a later task
      vapix.acap.axis_acap_info:
      ignore_errors: true
""")

    def prepare() -> None:
        device.clear_log()

    runs = run_both(device, run_playbook, playbook, prepare, [], extra_vars={"test_password": "Wr0ng-Secret-9"})
    for path, run in runs.items():
        items = run.items("Read with a wrong password")
        later = run.task("Again in a later task")
        assert len(items) == 3 and all(item.status == "failed" for item in items), run
        assert [comparable(item) for item in items[1:]] == [comparable(items[1])] * 2
        for result in items + [later]:
            assert result["http_status"] == 401 and result["endpoint"] == items[0]["endpoint"], result
        assert "not sent again" in items[1]["msg"] and "not sent again" in later["msg"]
        assert "Wr0ng-Secret-9" not in run.stdout + run.stderr
    assert comparable(runs["in_process"].items("Read with a wrong password")[0]) == \
        comparable(runs["module"].items("Read with a wrong password")[0])


def test_rejected_login_reaches_the_device_once(device, run_playbook, tmp_path):
    tasks = """
    - name: Read with a wrong password
      vapix.acap.axis_acap_info:
      loop: %s
      ignore_errors: true
"""
    once = project(tmp_path / "once", tasks % "[1]")
    three_times = project(tmp_path / "three", tasks % "[1, 2, 3]" + """
    - name: Again in a later task
      vapix.acap.axis_acap_info:
      ignore_errors: true
""")
    for path in PATHS:
        sent = []
        for playbook in (once, three_times):
            device.reset()
            run = run_playbook(playbook, device, extra_vars={"test_password": "Wr0ng-Secret-9",
                                                             "vapix_acap_in_process": path == "in_process"})
            assert run.rc == 0, run
            sent.append([(entry["path"], entry["status"]) for entry in device.log()])
        # The later items and the later task send nothing: the device saw what one task sends.
        assert sent[1] == sent[0] and {status for dummy, status in sent[0]} == {401}, (path, sent)


@pytest.mark.parametrize("path", PATHS)
def test_secrets_stay_out_of_vvvv_output(device, run_playbook, tmp_path, path):
    package = Path(make_eap(tmp_path, application_id=APP_ID, licensed=True)).read_bytes()
    key_text = build_license_key(product=APP, productid=APP_ID, serial_number=device.serial_number,
                                 expires="2031-01-01", key="KEYCODE-7Q2W9E4R").decode("utf-8")
    playbook = project(tmp_path, """
    - name: Key from content
      vapix.acap.axis_acap_license:
        name: %s
        content: "{{ key_text }}"
    - name: A wrong password
      vapix.acap.axis_acap_info:
        password: Wr0ng-Secret-9
      ignore_errors: true
""" % APP)
    device.install(package)
    run = run_playbook(playbook, device, extra_vars={"key_text": key_text, "vapix_acap_in_process": path == "in_process"},
                       diff=True, verbosity=4)
    assert run.rc == 0, run
    assert run.task("Key from content")["actions"] == ["upload_license"]
    assert run.task("A wrong password")["http_status"] == 401
    output = run.stdout + run.stderr
    for secret in ("KEYCODE-7Q2W9E4R", "Wr0ng-Secret-9", '"password": "pass"'):
        assert secret not in output, secret
    assert "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output  # the invocation is shown, masked


def test_missing_requests_on_the_controller_is_named(device, run_playbook, tmp_path):
    blocker = tmp_path / "blocker"
    (blocker / "requests").mkdir(parents=True)
    (blocker / "requests" / "__init__.py").write_text("raise ImportError('requests blocked for this test')\n")
    playbook = project(tmp_path, """
    - name: Read
      vapix.acap.axis_acap_info:
""")
    run = run_playbook(playbook, device, env={"PYTHONPATH": str(blocker)})
    result = run.task("Read")
    assert result.status == "failed", run
    assert "pip install requests" in result["msg"] and "Python that runs Ansible" in result["msg"], result
    assert device.authenticated_log() == []


def test_refused_credentials_are_remembered_per_route_and_retried_by_until(device, run_playbook, tmp_path):
    # The same camera address and account reached through two routes (ansible_host names the host the
    # connection goes through: another site's jump host): a refusal on one route says nothing of the other.
    routes = project(tmp_path / "routes", """
    - name: Through site A
      vapix.acap.axis_acap_info:
      vars:
        ansible_host: 127.0.0.1
      ignore_errors: true
    - name: Through site B
      vapix.acap.axis_acap_info:
      vars:
        ansible_host: 127.0.0.2
      ignore_errors: true
""")
    run = run_playbook(routes, device, extra_vars={"test_password": "Wr0ng-Secret-9"})
    assert run.rc == 0, run
    for task in ("Through site A", "Through site B"):
        result = run.task(task, device)
        assert result["http_status"] == 401 and "not sent again" not in result["msg"], (task, result)

    # One passing 401 (a device busy at login): until: asks for another try, and gets it.
    retried = project(tmp_path / "until", """
    - name: Read until it works
      vapix.acap.axis_acap_info:
      register: read
      until: read is succeeded
      retries: 3
      delay: 0
""")
    device.inject_fault("unauthorized", count=1)
    run = run_playbook(retried, device)
    assert run.rc == 0, run
    result = run.task("Read until it works", device)
    assert result.status == "ok" and result["attempts"] == 2, result

    # The documented opt-out: every task and loop item tries.
    opted_out = project(tmp_path / "opt-out", """
    - name: Read with a wrong password
      vapix.acap.axis_acap_info:
      loop: [1, 2]
      ignore_errors: true
""")
    device.clear_log()
    run = run_playbook(opted_out, device, extra_vars={"test_password": "Wr0ng-Secret-9",
                                                      "vapix_acap_remember_refused_logins": False})
    assert run.rc == 0, run
    items = run.items("Read with a wrong password", device)
    assert [item["http_status"] for item in items] == [401, 401]
    assert not [item for item in items if "not sent again" in item["msg"]], items
