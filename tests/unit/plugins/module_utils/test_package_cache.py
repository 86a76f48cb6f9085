# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Package facts read once per file and run (_package_cache)."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.vapix.acap.plugins.module_utils import _package_cache, _run_cache
from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError
from ansible_collections.vapix.acap.tests.unit.plugins.module_utils.test_package import _manifest, _write


@pytest.fixture
def run_dir(tmp_path, monkeypatch):
    directory = tmp_path / "run"
    directory.mkdir(mode=0o700)
    _run_cache.set_run_directory(str(directory))
    monkeypatch.setattr(_package_cache, "_MEMORY", {})
    yield directory
    _run_cache.set_run_directory(None)


def package_file(tmp_path, version="1.2.3", name="app.eap"):
    return _write(tmp_path, name, {"manifest.json": json.dumps(_manifest(version=version)).encode()})


def test_a_package_is_read_once_and_its_facts_shared(tmp_path, run_dir, monkeypatch):
    path = package_file(tmp_path)
    before = dict(_package_cache.STATS)
    first = _package_cache.read_package_once(path)
    monkeypatch.setattr(_package_cache, "_MEMORY", {})  # another worker
    second = _package_cache.read_package_once(path)
    assert second == first
    assert _package_cache.STATS["packages_read"] - before["packages_read"] == 1
    assert _package_cache.STATS["packages_reused"] - before["packages_reused"] == 1
    (shared,) = run_dir.glob("vapix-acap-package-*.json")
    assert oct(shared.stat().st_mode & 0o777) == "0o600"


def test_a_replaced_package_is_read_again(tmp_path, run_dir):
    path = package_file(tmp_path, "1.2.3")
    assert _package_cache.read_package_once(path).version == "1.2.3"
    stat = os.stat(path)
    os.replace(package_file(tmp_path, "1.2.4", name="new.eap"), path)  # the same size: one digit differs
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert _package_cache.read_package_once(path).version == "1.2.4"


def test_hostile_facts_are_ignored_and_failures_not_kept(tmp_path, run_dir, monkeypatch):
    path = package_file(tmp_path)
    expected = _package_cache.read_package_once(path)
    (shared,) = run_dir.glob("vapix-acap-package-*.json")
    document = json.loads(shared.read_text())
    document["facts"]["size"] = "12"  # right shape, wrong type
    shared.write_text(json.dumps(document))
    monkeypatch.setattr(_package_cache, "_MEMORY", {})
    assert _package_cache.read_package_once(path) == expected

    broken = tmp_path / "broken.eap"
    broken.write_bytes(b"not a package")
    for _attempt in range(2):
        with pytest.raises(PackageError):
            _package_cache.read_package_once(str(broken))
    assert len(list(run_dir.glob("vapix-acap-package-*.json"))) == 1
