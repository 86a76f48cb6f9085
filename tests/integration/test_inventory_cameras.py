# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The inventory plugin vapix.acap.cameras: ansible-inventory and ansible-playbook on emulated cameras."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any, Dict, List

from conftest import ansible_command, ansible_env

CONFIG = "plugin: vapix.acap.cameras\nsource: %s\nuse_https: false\n"
# A loopback address where nothing listens (the emulator uses 127.20-254.x.x).
NOWHERE = "127.1.2.3"


def inventory(work: Path, config: str, extra_env: Dict[str, str] = None) -> Dict[str, Any]:
    path = work / "site.cameras.vapix.yml"
    path.write_text(config, encoding="utf-8")
    completed = subprocess.run(ansible_command("ansible-inventory") + ["-i", str(path), "--list"], cwd=str(work),
                               env=ansible_env(extra_env), capture_output=True, text=True, check=False, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert "WARNING" not in completed.stderr, completed.stderr
    return json.loads(completed.stdout)


def csv_list(work: Path, rows: List[str]) -> str:
    (work / "cameras.csv").write_text("Device name,IP address,Port,Credentials,Site\n" + "\n".join(rows) + "\n",
                                      encoding="utf-8")
    return "cameras.csv"


def plain(value: Any) -> Any:
    """ansible-inventory marks strings from an inventory plugin as unsafe: {"__ansible_unsafe": text}."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def test_probed_cameras_are_grouped_by_model_architecture_and_firmware_line(devices, tmp_path):
    first, second = devices(2)
    second.reset(product="AXIS P1465-LE", architecture="armv7hf", firmware="11.11.73")
    source = csv_list(tmp_path, ["entrance,%s,%d,site_a,north" % (first.host, first.port),
                                 "yard,%s,%d,site_a,south" % (second.host, second.port),
                                 "gone,%s,%d,site_a,south" % (NOWHERE, first.port)])
    listed = plain(inventory(tmp_path, CONFIG % source + "credentials:\n  site_a: {username: root, password: pass}\n"))
    hostvars = listed["_meta"]["hostvars"]
    assert hostvars["entrance"]["axis_serial_number"] == first.serial_number
    assert hostvars["entrance"]["axis_architecture"] == "aarch64"
    assert hostvars["yard"]["axis_model"] == "AXIS P1465-LE"
    assert hostvars["yard"]["axis_firmware_version"] == "11.11.73"
    assert listed["arch_armv7hf"]["hosts"] == ["yard"] and listed["arch_aarch64"]["hosts"] == ["entrance"]
    assert listed["firmware_11_11"]["hosts"] == ["yard"] and listed["firmware_12_6"]["hosts"] == ["entrance"]
    assert listed["model_AXIS_P1465_LE"]["hosts"] == ["yard"]
    # The unreachable camera stays in the inventory, marked, with the reason.
    assert listed["vapix_probe_unreachable"]["hosts"] == ["gone"]
    assert hostvars["gone"]["axis_probe"]["status"] == "unreachable" and NOWHERE in hostvars["gone"]["axis_probe"]["message"]
    assert sorted(listed["credentials_site_a"]["hosts"]) == ["entrance", "gone", "yard"]
    for host in hostvars.values():
        assert host["ansible_connection"] == "local"
        assert host["axis_use_https"] is False and host["axis_validate_certs"] is True
        assert host["axis_list_columns"]["Site"] in ("north", "south")
        # Credentials are for the probe only: never a host variable.
        assert "pass" not in json.dumps(host) and "axis_password" not in host


def test_without_credentials_the_probe_is_anonymous_and_a_refusal_is_marked(device, tmp_path):
    (tmp_path / "cameras.yml").write_text("cameras:\n  - {name: lobby, address: %s, port: %d}\n" % (device.host, device.port),
                                          encoding="utf-8")
    listed = plain(inventory(tmp_path, CONFIG % "cameras.yml"))
    probe = listed["_meta"]["hostvars"]["lobby"]["axis_probe"]
    assert probe["status"] == "auth_failed" and "credentials" in probe["message"]
    assert listed["vapix_probe_auth_failed"]["hosts"] == ["lobby"]
    entries = device.log()
    assert [(entry["path"], entry["user"]) for entry in entries] == [("/axis-cgi/basicdeviceinfo.cgi", None)]


def test_the_inventory_cache_spares_the_second_probe(device, tmp_path):
    source = csv_list(tmp_path, ["cam,%s,%d,,x" % (device.host, device.port)])
    config = (CONFIG % source + "username: root\npassword: pass\ncache: true\ncache_plugin: ansible.builtin.jsonfile\n"
              "cache_connection: %s\n" % (tmp_path / "cache"))
    first = plain(inventory(tmp_path, config))
    probed = len(device.log())
    second = plain(inventory(tmp_path, config))
    assert probed >= 1 and len(device.log()) == probed  # no request the second time
    assert first["_meta"]["hostvars"]["cam"]["axis_serial_number"] == device.serial_number
    assert second["_meta"]["hostvars"] == first["_meta"]["hostvars"]
    assert "pass" not in "".join(path.read_text() for path in (tmp_path / "cache").iterdir())


def test_a_list_without_probe_sends_nothing(device, tmp_path):
    source = csv_list(tmp_path, ["cam,%s,%d,,x" % (device.host, device.port)])
    listed = plain(inventory(tmp_path, CONFIG % source + "probe: false\n"))
    assert listed["_meta"]["hostvars"]["cam"]["axis_probe"] == {"status": "not_probed"}
    assert device.log() == []


def test_a_bad_list_fails_with_the_row_and_the_cause(tmp_path):
    source = csv_list(tmp_path, ["a,192.0.2.1,80,,x", "b,,80,,x"])
    path = tmp_path / "bad.cameras.vapix.yml"
    path.write_text(CONFIG % source + "probe: false\n", encoding="utf-8")
    completed = subprocess.run(ansible_command("ansible-inventory") + ["-i", str(path), "--list"], cwd=str(tmp_path),
                               env=ansible_env({"ANSIBLE_INVENTORY_UNPARSED_FAILED": "true"}), capture_output=True,
                               text=True, check=False, timeout=120)
    assert completed.returncode != 0
    assert "cameras.csv line 3 has no address" in " ".join(completed.stderr.split())
    assert "Traceback" not in completed.stderr


def test_the_drift_playbook_runs_on_the_inventory(devices, tmp_path):
    cameras = devices(2)
    source = csv_list(tmp_path, ["cam%d,%s,%d,lab,x" % (index, camera.host, camera.port)
                                 for index, camera in enumerate(cameras)])
    config = CONFIG % source + "credentials:\n  lab: {username: root, password: pass}\n"
    (tmp_path / "site.cameras.vapix.yml").write_text(config, encoding="utf-8")
    (tmp_path / "group_vars").mkdir()
    (tmp_path / "group_vars" / "credentials_lab.yml").write_text(
        "axis_username: root\naxis_password: pass\naxis_camera_settings: {allow_unsigned: true}\n"
        "axis_camera_applications: []\n", encoding="utf-8")
    command = ansible_command("ansible-playbook") + ["-i", "site.cameras.vapix.yml", "vapix.acap.drift"]
    env = ansible_env({"ANSIBLE_CALLBACKS_ENABLED": "vapix.acap.drift_report",
                       "ACAP_DRIFT_REPORT_DIR": str(tmp_path / "report")})
    drift = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False, timeout=300)
    assert drift.returncode == 2, drift.stdout + drift.stderr  # allow_unsigned differs on both
    report = json.loads((tmp_path / "report" / "drift.json").read_text(encoding="utf-8"))
    assert {name: host["status"] for name, host in report["hosts"].items()} == {"cam0": "drift", "cam1": "drift"}
    converge = subprocess.run(ansible_command("ansible-playbook") + ["-i", "site.cameras.vapix.yml", "vapix.acap.converge"],
                              cwd=str(tmp_path), env=ansible_env(), capture_output=True, text=True, check=False,
                              timeout=300)
    assert converge.returncode == 0, converge.stdout + converge.stderr
    assert all(camera.state()["config"]["AllowUnsigned"] is True for camera in cameras)
    again = subprocess.run(command, cwd=str(tmp_path), env=env, capture_output=True, text=True, check=False, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_vaulted_password_in_a_credentials_set(device, tmp_path):
    (tmp_path / "vault-pass").write_text("correct horse\n", encoding="utf-8")
    encrypted = subprocess.run(ansible_command("ansible-vault") + ["encrypt_string", "--vault-password-file",
                                                                   str(tmp_path / "vault-pass"), "pass"],
                               env=ansible_env(), capture_output=True, text=True, check=True).stdout
    source = csv_list(tmp_path, ["cam,%s,%d,vaulted,x" % (device.host, device.port)])
    config = (CONFIG % source + "credentials:\n  vaulted:\n    username: root\n    password: "
              + encrypted.strip().replace("\n", "\n    ") + "\n")
    listed = plain(inventory(tmp_path, config, {"ANSIBLE_VAULT_PASSWORD_FILE": str(tmp_path / "vault-pass")}))
    host = listed["_meta"]["hostvars"]["cam"]
    assert host["axis_probe"]["status"] == "ok" and host["axis_probe"]["authenticated"] is True
    assert host["axis_serial_number"] == device.serial_number


def test_the_ca_file_comes_from_the_environment_as_for_the_modules(device, tmp_path):
    """AXIS_CA_PATH names the CA for the inventory as for every module; empty (how the AWX credential type
    leaves it without a CA) means none."""
    source = csv_list(tmp_path, ["cam,%s,%d,,x" % (device.host, device.port)])
    ca_file = tmp_path / "device-ca.pem"
    ca_file.write_text("not used: nothing is probed\n", encoding="utf-8")
    listed = plain(inventory(tmp_path, CONFIG % source + "probe: false\n", {"AXIS_CA_PATH": str(ca_file)}))
    assert listed["_meta"]["hostvars"]["cam"]["axis_ca_path"] == str(ca_file)
    listed = plain(inventory(tmp_path, CONFIG % source + "probe: false\n", {"AXIS_CA_PATH": ""}))
    assert "axis_ca_path" not in listed["_meta"]["hostvars"]["cam"]
