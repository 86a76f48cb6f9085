# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The history of the drift report: each camera's last result per kind of run, and what changed since.

Layout (docs/drift_report.md, "History"): ``<history_dir>/<kind>/hosts-NN.json`` per kind of run
(``drift``: check mode; ``changelog``: tasks ran for real), each camera's last entry in one of
``SHARDS`` files chosen by a hash of its name (10,000 files would be slow to replace each night). A run
replaces only the entries of the cameras it checked, of its own kind: a converge never becomes the
nightly check's baseline, and a ``--limit`` run or one job slice leaves the other cameras' entries
alone. A run updates a file under a lock (``.hosts-NN.lock``), so two runs at once both keep theirs.
"""

from __future__ import annotations

import json
import zlib
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ansible_collections.vapix.acap.plugins.plugin_utils._drift_files import ReportFolder, ReportFolderError
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_text import clean_text

HISTORY_FORMAT = 2
SHARDS = 64


def kind_of(check_mode: bool) -> str:
    return "drift" if check_mode else "changelog"


def shard_file(name: str) -> str:
    return "hosts-%02d.json" % (zlib.crc32(name.encode("utf-8", "replace")) % SHARDS)


def _shard_hosts(document: Any) -> Dict[str, Any]:
    if isinstance(document, dict) and isinstance(document.get("hosts"), dict):
        return document["hosts"]
    return {}


def _valid(entry: Any) -> Optional[Dict[str, Any]]:
    """A history entry as this module wrote it, or None (any other shape is ignored, never trusted)."""
    if not isinstance(entry, dict) or not isinstance(entry.get("status"), str):
        return None
    resources = entry.get("resources")
    if not isinstance(resources, list):
        resources = []
    return {"status": clean_text(entry["status"], 40),
            "resources": [clean_text(resource, 300) for resource in resources if isinstance(resource, str)],
            "started": clean_text(entry["started"], 40) if isinstance(entry.get("started"), str) else None}


def load_baseline(folder: ReportFolder, kind: str, hosts: List[str]) -> Dict[str, Dict[str, Any]]:
    """The last entry of ``kind`` of each host that has one (an entry or a file of another shape: none)."""
    try:
        kind_folder = folder.subfolder(kind)
    except ReportFolderError:
        return {}
    by_shard: Dict[str, List[str]] = {}
    for name in hosts:
        by_shard.setdefault(shard_file(name), []).append(name)
    baseline: Dict[str, Dict[str, Any]] = {}
    with kind_folder:
        for shard, names in sorted(by_shard.items()):
            try:
                entries = _shard_hosts(kind_folder.read_json(shard))
            except ReportFolderError:
                continue
            for name in names:
                entry = _valid(entries.get(name))
                if entry is not None:
                    baseline[name] = entry
    return baseline


def save(folder: ReportFolder, kind: str, started: str, hosts: Mapping[str, Any]) -> None:
    """This run's entry of each of its hosts becomes that host's baseline for the next run of ``kind``."""
    by_shard: Dict[str, List[str]] = {}
    for name in hosts:
        by_shard.setdefault(shard_file(name), []).append(name)
    with folder.subfolder(kind) as kind_folder:
        for shard, names in sorted(by_shard.items()):
            with kind_folder.locked("." + shard[:-len(".json")] + ".lock"):
                try:
                    entries = _shard_hosts(kind_folder.read_json(shard))
                except ReportFolderError:
                    entries = {}
                for name in names:
                    entries[name] = {"started": started, "status": hosts[name]["status"],
                                     "resources": [item["resource"] for item in hosts[name]["items"]]}
                kind_folder.write_text(shard, json.dumps({"history_format": HISTORY_FORMAT, "kind": kind,
                                                          "hosts": entries}, ensure_ascii=False) + "\n")


def compare(hosts: Dict[str, Any], baseline: Mapping[str, Dict[str, Any]], check_mode: bool
            ) -> Tuple[List[str], List[str]]:
    """Mark each host's items new or not and its fixed resources; returns (new hosts, fixed hosts)."""
    new_hosts: List[str] = []
    fixed_hosts: List[str] = []
    for name, entry in hosts.items():
        before = baseline.get(name)
        status = entry["status"]
        before_status = before["status"] if before else None
        before_resources = set(before["resources"]) if before else set()
        now_resources = {item["resource"] for item in entry["items"]}
        for item in entry["items"]:
            item["new"] = item["resource"] not in before_resources
        entry["previous_status"] = before_status
        # Fixed: differed before, and this run could tell (the host was checked, not failed).
        checked = status not in ("failed", "unreachable")
        entry["fixed"] = sorted(before_resources - now_resources) if checked else []
        problem_before = before_status not in (None, "in_sync")
        worse = before_status != status and status in ("failed", "unreachable", "not_declared")
        if status != "in_sync" and (not problem_before or any(item["new"] for item in entry["items"]) or worse):
            new_hosts.append(name)
        if status == "in_sync" and problem_before:
            fixed_hosts.append(name)
    return new_hosts, fixed_hosts


def since_previous(hosts: Dict[str, Any], baseline: Mapping[str, Dict[str, Any]], check_mode: bool
                   ) -> Optional[Dict[str, Any]]:
    """The report's ``since_previous`` (None when no host of this run has a baseline of its kind)."""
    if not baseline:
        return None
    new_hosts, fixed_hosts = compare(hosts, baseline, check_mode)
    started = sorted(entry["started"] for entry in baseline.values() if entry.get("started"))
    return {"previous_started": started[-1] if started else None, "previous_check_mode": check_mode,
            "new": new_hosts, "fixed": fixed_hosts, "hosts_compared": len(baseline)}


def previous_document(baseline: Mapping[str, Dict[str, Any]], check_mode: bool) -> Dict[str, Any]:
    """drift.previous.json: the baselines this report was compared with."""
    started = sorted(entry["started"] for entry in baseline.values() if entry.get("started"))
    return {"report": "vapix.acap.drift_report.baseline", "check_mode": check_mode,
            "started": started[-1] if started else None,
            "hosts": {name: {"status": entry["status"], "started": entry["started"],
                             "items": [{"resource": resource} for resource in entry["resources"]]}
                      for name, entry in sorted(baseline.items())}}
