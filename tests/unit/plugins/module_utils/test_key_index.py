# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The key folder index shared by the workers of a run (_key_index, _run_cache)."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from ansible_collections.vapix.acap.plugins.module_utils import _key_index, _run_cache
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import load_keys

from ansible_collections.vapix.acap.tests.unit.plugins.module_utils.test_license_key import SECRET_CODE, key_xml


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    """A run directory as Ansible makes it (0700), and no index in this process's memory."""
    directory = tmp_path / "run"
    directory.mkdir(mode=0o700)
    _run_cache.set_run_directory(str(directory))
    monkeypatch.setattr(_key_index, "_MEMORY", {})
    yield directory
    _run_cache.set_run_directory(None)


def folder_of(tmp_path, serials):
    folder = tmp_path / "keys"
    folder.mkdir()
    for serial in serials:
        (folder / ("%s.xml" % serial)).write_bytes(key_xml(serial=serial))
    return folder


def another_worker(monkeypatch):
    monkeypatch.setattr(_key_index, "_MEMORY", {})


def test_the_index_is_shared_and_holds_no_key(tmp_path, run_dir, monkeypatch):
    folder = folder_of(tmp_path, ["B8A44F000001", "B8A44F000002"])
    built = dict(_key_index.STATS)
    assert [key.serial_number for key in load_keys(str(folder)).for_serial("B8A44F000002")] == ["B8A44F000002"]
    (database,) = run_dir.glob("vapix-acap-keys-*.sqlite")
    assert oct(database.stat().st_mode & 0o777) == "0o600"
    assert SECRET_CODE.encode() not in database.read_bytes()
    another_worker(monkeypatch)
    keys = load_keys(str(folder))
    assert keys.count == 2 and keys.for_serial("B8A44F000001")[0].read_data().count(SECRET_CODE.encode()) == 1
    assert _key_index.STATS["indexes_built"] - built["indexes_built"] == 1
    assert _key_index.STATS["indexes_reused"] - built["indexes_reused"] == 1


@pytest.mark.parametrize("damage", ["count", "row_identity", "row_serial_type", "not_sqlite", "group_never",
                                    "row_under_another_serial"])
def test_a_hostile_or_corrupt_shared_index_is_rebuilt(tmp_path, run_dir, monkeypatch, damage):
    folder = folder_of(tmp_path, ["B8A44F000001", "B8A44F000002"])
    load_keys(str(folder))
    (database,) = run_dir.glob("vapix-acap-keys-*.sqlite")
    if damage == "not_sqlite":
        database.write_bytes(b"not a database")
    else:
        connection = sqlite3.connect(str(database))
        with connection:
            meta = json.loads(connection.execute("SELECT value FROM meta").fetchone()[0])
            if damage == "count":
                meta["count"] = "2"
            if damage == "group_never":
                meta["groups"][0][4] = "yes"
            connection.execute("UPDATE meta SET value = ?", (json.dumps(meta),))
            for rowid, row in connection.execute("SELECT rowid, row FROM keys").fetchall():
                row = json.loads(row)
                if damage == "row_identity":
                    row[6] = [str(part) for part in row[6]]
                if damage == "row_serial_type":
                    row[3] = 42
                if damage == "row_under_another_serial" and row[3] == "B8A44F000002":
                    row[3] = "B8A44F000001"  # right types, filed under B8A44F000002
                connection.execute("UPDATE keys SET row = ? WHERE rowid = ?", (json.dumps(row), rowid))
        connection.close()
    another_worker(monkeypatch)
    keys = load_keys(str(folder))
    assert keys.count == 2
    assert [key.serial_number for key in keys.for_serial("B8A44F000002")] == ["B8A44F000002"]


def test_a_shared_index_open_to_others_or_a_link_is_not_used(tmp_path, run_dir, monkeypatch):
    folder = folder_of(tmp_path, ["B8A44F000001"])
    load_keys(str(folder))
    (database,) = run_dir.glob("vapix-acap-keys-*.sqlite")
    os.chmod(database, 0o644)
    another_worker(monkeypatch)
    built = _key_index.STATS["indexes_built"]
    load_keys(str(folder))
    assert _key_index.STATS["indexes_built"] == built + 1  # not trusted: built (and written) again
    assert oct(database.stat().st_mode & 0o777) == "0o600"


def test_a_run_directory_open_to_others_is_not_used(tmp_path, run_dir, monkeypatch):
    os.chmod(run_dir, 0o755)
    load_keys(str(folder_of(tmp_path, ["B8A44F000001"])))
    assert list(run_dir.glob("vapix-acap-keys-*")) == []


def test_a_file_swapped_in_place_is_seen_by_a_worker_that_reads_the_shared_index(tmp_path, run_dir, monkeypatch):
    folder = folder_of(tmp_path, [])
    first, second = folder / "a.xml", folder / "b.xml"
    first.write_bytes(key_xml(serial="B8A44F000001"))
    second.write_bytes(key_xml(serial="B8A44F000002"))
    for path in (first, second):
        os.utime(path, ns=(10 ** 18, 10 ** 18))
    load_keys(str(folder))
    # Same size and mtime, other content, and the folder's own times put back: only the file's ctime tells.
    stat = os.stat(folder)
    first.write_bytes(key_xml(serial="B8A44F000003"))
    os.utime(first, ns=(10 ** 18, 10 ** 18))
    os.utime(folder, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    another_worker(monkeypatch)
    keys = load_keys(str(folder))
    assert [key.source for key in keys.for_serial("B8A44F000001")] == []
    assert [os.path.basename(key.source) for key in keys.for_serial("B8A44F000003")] == ["a.xml"]


def test_a_key_swapped_after_it_was_chosen_is_not_uploaded(tmp_path, run_dir):
    folder = folder_of(tmp_path, ["B8A44F000001", "B8A44F000002"])
    (key,) = load_keys(str(folder)).for_serial("B8A44F000001")
    (folder / "B8A44F000001.xml").write_bytes(key_xml(serial="B8A44F000002"))
    with pytest.raises(Exception, match="changed while the task ran"):
        key.read_data()
