# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The README's example, run as written: its inventory, playbook and commands are read from README.md
(between ``<!-- example ... -->`` and ``<!-- end example -->``) and run against emulated cameras with
only the install step the README documents (build the tarball, ``ansible-galaxy collection install``).
The cameras are substituted the way the README's "Rehearse it on the emulator" section says: a second
inventory, ``emulator.yml``, with the keys the README shows."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from conftest import REPO_ROOT, ansible_command, ansible_env
from test_collection import build_collection

README = REPO_ROOT / "README.md"
EXAMPLE = re.compile(r"^<!-- example (?P<label>[^(\n]*?)\s*(?:\([^)\n]*\))?\s*-->\n```(?P<language>\w+)\n(?P<body>.*?)^```\n"
                     r"<!-- end example -->$", re.MULTILINE | re.DOTALL)
RECAP_LINE = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)
APP_ID = "415050"
# The emulated cameras: one per package architecture of the example, old and new firmware.
PROFILES = [
    {"firmware": "12.6.1", "architecture": "aarch64", "embedded_development": "3.6"},
    {"firmware": "11.11.73", "architecture": "armv7hf", "embedded_development": "3.5"},
]


def readme_examples() -> Dict[str, str]:
    examples = {match.group("label"): match.group("body") for match in EXAMPLE.finditer(README.read_text(encoding="utf-8"))}
    expected = {"inventory.yml", "site.yml", "commands", "emulator.yml", "rehearsal commands"}
    assert expected <= set(examples), "README.md lacks the marked examples %s" % sorted(expected - set(examples))
    return examples


def command_lines(block: str) -> List[List[str]]:
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def split_environment(words: List[str]) -> Tuple[Dict[str, str], List[str]]:
    """``NAME=value ... command args`` -> ({NAME: value}, [command, args...])."""
    environment = {}
    while words and re.match(r"^[A-Z_][A-Z0-9_]*=", words[0]):
        name, value = words[0].split("=", 1)
        environment[name] = value
        words = words[1:]
    return environment, words


def recap(stdout: str) -> Dict[str, int]:
    """{host: changed count} from the play recap."""
    return {host: int(changed) for host, _ok, changed, _unreachable, _failed in RECAP_LINE.findall(stdout)}


def test_readme_commands_match_the_rehearsal_commands() -> None:
    # The rehearsal runs the README's commands with the emulator's inventory added (and no vault):
    # the commands a user copies are the ones this test runs.
    examples = readme_examples()
    documented = [[word for word in words if word != "--ask-vault-pass"] for words in command_lines(examples["commands"])]
    rehearsed = [[word for index, word in enumerate(words) if "emulator.yml" not in words[index:index + 2]]
                 for words in command_lines(examples["rehearsal commands"])]
    assert documented == rehearsed, (documented, rehearsed)
    assert all(split_environment(words)[1][0] == "ansible-playbook" for words in documented)


def test_readme_example_runs_as_written(devices: Any, tmp_path: Path) -> None:
    from vapix_emulator.builders import build_eap, build_license_key  # pylint: disable=import-outside-toplevel

    examples = readme_examples()
    cameras = devices(2)
    for camera, profile in zip(cameras, PROFILES):
        camera.reset(**profile)

    # The documented install: the tarball from the checkout, installed with ansible-galaxy.
    installed = tmp_path / "collections"
    tarball = build_collection(REPO_ROOT, tmp_path / "dist")
    env = ansible_env({"ANSIBLE_COLLECTIONS_PATH": str(installed)})
    completed = subprocess.run(ansible_command("ansible-galaxy") + ["collection", "install", "--offline", "-p", str(installed),
                                                                    str(tarball)],
                               env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr

    # The project folder of the example: inventory.yml and site.yml verbatim, files/ with its inputs.
    project = tmp_path / "project"
    project.mkdir()
    (project / "inventory.yml").write_text(examples["inventory.yml"], encoding="utf-8")
    (project / "site.yml").write_text(examples["site.yml"], encoding="utf-8")
    inventory = yaml.safe_load(examples["inventory.yml"])
    assert "ansible_python_interpreter" in inventory["cameras"]["vars"]
    (play,) = yaml.safe_load(examples["site.yml"])
    assert play["roles"] == [{"role": "vapix.acap.camera"}], play
    (declared,) = inventory["cameras"]["vars"]["axis_camera_applications"]
    app_name = declared["name"]
    key_dir = project / declared["license_src"]
    key_dir.mkdir(parents=True)
    for package in declared["src"]:
        architecture = re.search(r"_(aarch64|armv7hf)\.eap$", package)
        assert architecture, package
        (project / package).parent.mkdir(parents=True, exist_ok=True)
        build_eap(project / package, name=app_name, friendly_name="People Counter", version="2.4.1",
                  architecture=architecture.group(1), application_id=APP_ID, licensed=True, signed=True)
    for camera in cameras:
        build_license_key(key_dir / ("%s_%s.xml" % (app_name, camera.serial_number)), product=app_name,
                          productid=APP_ID, serial_number=camera.serial_number, expires="2035-12-31T23:59:59Z")

    # emulator.yml: the README's keys, with the emulated cameras' values.
    rehearsal = yaml.safe_load(examples["emulator.yml"])
    hosts = rehearsal["cameras"]["hosts"]
    assert list(hosts) == list(inventory["cameras"]["hosts"]), "emulator.yml must name the inventory's hosts"
    for camera, name in zip(cameras, hosts):
        assert set(hosts[name]) == {"axis_hostname"}
        hosts[name]["axis_hostname"] = camera.host
    group_vars = rehearsal["cameras"]["vars"]
    assert set(group_vars) == {"axis_port", "axis_ca_path", "axis_username", "axis_password"}, group_vars
    group_vars.update(axis_port=cameras[0].https_port, axis_ca_path=cameras[0].ca_file,
                      axis_username="root", axis_password="pass")
    (project / "emulator.yml").write_text(yaml.safe_dump(rehearsal), encoding="utf-8")
    for camera in cameras:
        camera.clear_log()

    def run(words: List[str], expect_rc: int = 0) -> str:
        environment, words = split_environment(words)
        assert words[0] == "ansible-playbook"
        completed = subprocess.run(ansible_command("ansible-playbook") + words[1:], cwd=str(project),
                                   env=dict(env, **environment), stdin=subprocess.DEVNULL, capture_output=True,
                                   text=True, timeout=600, check=False)
        output = "$ %s\n%s\n%s" % (" ".join(words), completed.stdout, completed.stderr)
        assert completed.returncode == expect_rc, output
        for symptom in ("deserialization failed", "Failed to import the required Python library"):
            assert symptom not in output, output
        if expect_rc == 0:
            assert "[ERROR]" not in output, output
        return completed.stdout

    check, converge, drift = command_lines(examples["rehearsal commands"])
    assert "--check" in check and "--check" not in converge and "vapix.acap.drift" in drift

    planned = recap(run(check))
    assert planned == {name: planned[name] for name in hosts} and all(planned.values()), planned
    for camera in cameras:
        assert camera.state()["applications"] == [], "check mode installed something"
        writes = [entry for entry in camera.log() if entry["path"].endswith(("/upload.cgi", "/control.cgi"))]
        assert not writes, writes

    run(converge)
    for camera in cameras:
        state = camera.state()
        (app,) = state["applications"]
        assert (app["name"], app["version"], app["status"]) == (app_name, "2.4.1", "Running"), app
        assert app["license"] == "Valid", app
        assert state["effective"]["allow_unsigned"] is False

    # Converged: the README's check command finds nothing to change, and its drift command agrees.
    assert set(recap(run(check)).values()) == {0}
    run(drift)
    report = json.loads((project / "drift-report" / "drift.json").read_text(encoding="utf-8"))
    assert {host["status"] for host in report["hosts"].values()} == {"in_sync"}, report

    # Someone stops the application on one camera: the README's drift command says so, and fails.
    cameras[0].patch_state({"applications": {app_name: {"status": "Stopped"}}})
    output = run(drift, expect_rc=2)
    report = json.loads((project / "drift-report" / "drift.json").read_text(encoding="utf-8"))
    statuses = {name: host["status"] for name, host in report["hosts"].items()}
    assert statuses == {list(hosts)[0]: "drift", list(hosts)[1]: "in_sync"}, output
    assert "1 of 2 cameras are not in sync: %s (drift)" % list(hosts)[0] in output, output


@pytest.mark.parametrize("label", ["inventory.yml", "site.yml", "emulator.yml"])
def test_readme_yaml_examples_parse(label: str) -> None:
    assert yaml.safe_load(readme_examples()[label])
