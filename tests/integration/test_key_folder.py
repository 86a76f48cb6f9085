# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A license key folder through ansible-playbook: its index (plugins/module_utils/_key_index.py) and
what the module path sends (docs/axis_acap_license.md, "How a key folder is read").

Each test fails on d438431, where the index was kept across runs in ~/.cache keyed by size and mtime
(VAPIX_ACAP_CACHE_DIR), and the module path copied the whole folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List

from acap_helpers import make_eap
from vapix_emulator.builders import build_license_key

APP = "FleetApp"
APP_ID = "515151"
EXPIRES = "2031-12-31"
FIXED_NS = 1_700_000_000 * 10 ** 9  # one mtime for every key file: only the content tells them apart

PLAYBOOK = """
- name: Keys
  hosts: %s
  gather_facts: false
  tasks:
    - name: License key from the folder
      vapix.acap.axis_acap_license:
        hostname: "{{ axis_hostname }}"
        port: "{{ axis_port }}"
        use_https: false
        username: "{{ axis_username }}"
        password: "{{ axis_password }}"
        name: %s
        src: "{{ key_dir }}"
"""


def install(devices: List[Any], tmp_path: Path) -> None:
    eap = Path(make_eap(tmp_path, name=APP, application_id=APP_ID, licensed=True)).read_bytes()
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda device: device.install(eap), devices))


def key_bytes(serial: str) -> bytes:
    return build_license_key(product=APP, productid=APP_ID, serial_number=serial, expires=EXPIRES)


def write_key(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    os.utime(path, ns=(FIXED_NS, FIXED_NS))


def installed(device: Any) -> Dict[str, Any]:
    return next(app for app in device.state()["applications"] if app["name"] == APP)


def playbook(tmp_path: Path, hosts: str = "all", text: str = "") -> Path:
    path = tmp_path / ("keys-%d.yml" % len(list(tmp_path.glob("keys-*.yml"))))
    path.write_text(text or PLAYBOOK % (hosts, APP), encoding="utf-8")
    return path


def old_index_env(tmp_path: Path) -> Dict[str, str]:
    """Where d438431 kept its index (so that these tests do not touch ~/.cache)."""
    return {"VAPIX_ACAP_CACHE_DIR": str(tmp_path / "cache")}


def assert_own_keys(run: Any, fleet: List[Any]) -> None:
    assert run.rc == 0, run
    for device in fleet:
        result = run.task("License key from the folder", device)
        assert result["key"]["serial_number"] == device.serial_number, result
        application = installed(device)
        assert application["license"] == "Valid", application
        assert application["license_key"]["serial_number"] == device.serial_number, application


def test_key_files_swapped_at_equal_size_and_mtime_give_each_camera_its_own_key(devices, tmp_path, run_playbook):
    fleet = devices(2)
    install(fleet, tmp_path)
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    first, second = key_dir / "a.xml", key_dir / "b.xml"
    write_key(first, key_bytes(fleet[0].serial_number))
    write_key(second, key_bytes(fleet[1].serial_number))
    assert first.stat().st_size == second.stat().st_size
    extra = {"key_dir": str(key_dir)}
    planned = run_playbook(playbook(tmp_path), fleet, extra_vars=extra, check=True, env=old_index_env(tmp_path))
    assert planned.rc == 0, planned

    # mv keeps each file's size and mtime: a.xml now holds the second camera's key.
    os.rename(first, key_dir / "swap")
    os.rename(second, first)
    os.rename(key_dir / "swap", second)
    assert (first.stat().st_mtime_ns, second.stat().st_mtime_ns) == (FIXED_NS, FIXED_NS)

    applied = run_playbook(playbook(tmp_path), fleet, extra_vars=extra, env=old_index_env(tmp_path))
    assert_own_keys(applied, fleet)


def test_a_fixed_key_file_is_read_on_the_next_run(devices, tmp_path, run_playbook):
    # A failure is never kept across runs. (The tests run as root, which reads a chmod 000 file, so
    # the file is broken by its content and fixed at the same size and mtime.)
    (device,) = devices(1)
    install([device], tmp_path)
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    good = key_bytes(device.serial_number)
    broken = good.replace(b"</licensekey>", b"</licensekeX>", 1)
    assert len(broken) == len(good)
    write_key(key_dir / "camera.xml", broken)
    extra = {"key_dir": str(key_dir)}
    failed = run_playbook(playbook(tmp_path), [device], extra_vars=extra, env=old_index_env(tmp_path))
    assert failed.rc != 0
    assert "not well-formed" in failed.task("License key from the folder", device)["msg"]

    write_key(key_dir / "camera.xml", good)
    fixed = run_playbook(playbook(tmp_path), [device], extra_vars=extra, env=old_index_env(tmp_path))
    assert_own_keys(fixed, [device])


TAMPER = r"""
import glob, json, sqlite3, sys
for path in glob.glob(sys.argv[1]):
    connection = sqlite3.connect(path)
    with connection:
        (meta,) = connection.execute("SELECT value FROM meta").fetchone()
        meta = json.loads(meta)
        meta["count"] = str(meta["count"])  # right shape, wrong types
        meta["groups"][0][2] = "many"
        connection.execute("UPDATE meta SET value = ?", (json.dumps(meta),))
        for rowid, row in connection.execute("SELECT rowid, row FROM keys").fetchall():
            row = json.loads(row)
            row[6] = [str(part) for part in row[6]]
            connection.execute("UPDATE keys SET row = ? WHERE rowid = ?", (json.dumps(row), rowid))
    print("tampered %s" % path)
"""


def test_a_hostile_index_is_ignored_and_rebuilt(devices, tmp_path, run_playbook):
    fleet = devices(2)
    install(fleet, tmp_path)
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    names = ["a.xml", "b.xml"]
    for name, device in zip(names, fleet):
        write_key(key_dir / name, key_bytes(device.serial_number))
    # An index where d438431 kept one, of its shape: one entry steers, one has the wrong types.
    digest = hashlib.sha256(os.path.realpath(str(key_dir)).encode()).hexdigest()[:32]
    old_index = tmp_path / "cache" / "license-key-index" / (digest + ".json")
    old_index.parent.mkdir(parents=True)
    size = (key_dir / "a.xml").stat().st_size
    old_index.write_text(json.dumps({"format": 2, "files": {
        "a.xml": [size, FIXED_NS, [APP, APP_ID, fleet[1].serial_number, EXPIRES, EXPIRES + "T23:59:59+00:00"]],
        "b.xml": [size, FIXED_NS, [APP, 515151, fleet[0].serial_number, 20311231, None]],
    }}), encoding="utf-8")
    # This run's own index, made hostile between the first camera's task and the second's.
    tamper = tmp_path / "tamper.py"
    tamper.write_text(TAMPER, encoding="utf-8")
    pattern = str(tmp_path / "playbook-*" / "ansible-tmp" / "*" / "vapix-acap-keys-*.sqlite")
    text = (PLAYBOOK % (fleet[0].inventory_name, APP)) + """
- name: Make this run's index hostile
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Tamper
      ansible.builtin.command:
        argv: [%s, %s, %s]
      changed_when: true
""" % (json.dumps(sys.executable), json.dumps(str(tamper)), json.dumps(pattern)) + (PLAYBOOK % (fleet[1].inventory_name, APP))
    run = run_playbook(playbook(tmp_path, text=text), fleet, extra_vars={"key_dir": str(key_dir)},
                       env=old_index_env(tmp_path), forks=1)
    assert_own_keys(run, fleet)
    assert "tampered" in run.task("Tamper")["stdout"], run.task("Tamper")
    assert "Traceback" not in run.stdout + run.stderr


INDEX_LINE = re.compile(r"vapix\.acap key folder index: files parsed (\d+), indexes built (\d+), indexes reused (\d+)")


def test_the_index_is_built_once_per_run_and_shared_by_the_forks(devices, tmp_path, run_playbook):
    fleet = devices(6)
    install(fleet, tmp_path)
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    for device in fleet:
        write_key(key_dir / ("%s.xml" % device.serial_number), key_bytes(device.serial_number))
    write_key(key_dir / "spare.xml", key_bytes("B8A44F999998"))
    write_key(key_dir / "broken.xml", b"<license>")
    for attempt in range(2):  # the second run builds its own index again (nothing is kept across runs)
        run = run_playbook(playbook(tmp_path), fleet, extra_vars={"key_dir": str(key_dir)}, forks=3, verbosity=3)
        assert run.rc == 0, run
        counts = [tuple(int(number) for number in match) for match in INDEX_LINE.findall(run.stdout)]
        assert len(counts) == len(fleet), run.stdout[-3000:]
        assert sum(count[0] for count in counts) == 8  # every file parsed once in the run
        assert sum(count[1] for count in counts) == 1  # by one worker
        assert sum(count[2] for count in counts) == len(fleet) - 1, counts  # the others read its index
        if attempt == 0:
            assert_own_keys(run, fleet)


def test_module_path_with_5000_keys_sends_one_key_file_per_camera_and_leaves_nothing(devices, tmp_path, run_playbook):
    fleet = devices(2)
    install(fleet, tmp_path)
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    template = key_bytes("B8A44F000000")
    for number in range(5000 - len(fleet)):
        serial = "C0FFEE%06d" % number
        (key_dir / ("%s.xml" % serial)).write_bytes(template.replace(b"B8A44F000000", serial.encode()))
    for device in fleet:
        write_key(key_dir / ("%s.xml" % device.serial_number), key_bytes(device.serial_number))
    (key_dir / ".vault_pass").write_text("secret-vault-password\n")
    (key_dir / "README.txt").write_text("keys of the fleet\n")
    remote_tmp = tmp_path / "remote-tmp"
    remote_tmp.mkdir()
    run = run_playbook(playbook(tmp_path), fleet, extra_vars={"key_dir": str(key_dir), "vapix_acap_in_process": False},
                       verbosity=3, env=dict(old_index_env(tmp_path), ANSIBLE_REMOTE_TMP=str(remote_tmp)), timeout=900)
    assert_own_keys(run, fleet)
    puts = re.findall(r"PUT (\S+) TO (\S+)", run.stdout)
    sent_keys = [Path(local).name for local, _remote in puts if Path(local).parent == key_dir]
    assert sorted(sent_keys) == sorted("%s.xml" % device.serial_number for device in fleet), sent_keys
    assert ".vault_pass" not in run.stdout and "secret-vault-password" not in run.stdout
    assert "README.txt" not in " ".join(local for local, _remote in puts)
    assert list(remote_tmp.iterdir()) == [], list(remote_tmp.rglob("*"))
    assert not (tmp_path / "cache").exists()  # no index written where the module ran
