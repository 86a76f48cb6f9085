# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report document (drift.json): built from the recorder, merged from several, written out.

- ``build_report``: the recorder's hosts, the summary, what changed since each host's baseline.
- ``merge_reports``: several drift.json (job slices, sites) as one fleet report.
- ``write_report``: drift.json, drift.md, drift.html and the history into their folders.
- ``published``: what the playbook gets (counts and each host's status) and the summary line.
"""

from __future__ import annotations

import datetime
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence

from ansible_collections.vapix.acap.plugins.plugin_utils import _drift_history as history
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_files import ReportFolder, runner_ident
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_record import (
    STATUS_ORDER, Recorder, report_warnings)
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_render import render_html, render_markdown
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_text import clean_text

REPORT_NAME = "vapix.acap.drift_report"
REPORT_FORMAT_VERSION = 2
REPORT_FILES = {"json": "drift.json", "md": "drift.md", "html": "drift.html"}
PREVIOUS_FILE = "drift.previous.json"
ARTIFACT_KEY = "vapix_acap_drift"


def now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def empty_summary() -> Dict[str, int]:
    return dict.fromkeys(("hosts",) + STATUS_ORDER, 0)


def build_report(recorder: Recorder, check_mode: bool, started: str, playbooks: Sequence[str],
                 baseline: Optional[Mapping[str, Dict[str, Any]]] = None) -> Dict[str, Any]:
    hosts, summary = recorder.hosts_report(check_mode)
    since = history.since_previous(hosts, baseline or {}, check_mode)
    return {
        "report": REPORT_NAME,
        "format_version": REPORT_FORMAT_VERSION,
        "check_mode": check_mode,
        "started": started,
        "finished": now(),
        "playbooks": [clean_text(name) for name in playbooks if name],
        "summary": summary,
        "since_previous": since,
        "warnings": report_warnings(hosts),
        "hosts": hosts,
    }


def published(report: Mapping[str, Any], report_dir: str, files: List[str]) -> Dict[str, Any]:
    """The report for a play of the run and for set_stats: counts and each host's status, no items."""
    ident = runner_ident()
    return {
        "report_dir": report_dir,
        "files": files,
        "check_mode": report["check_mode"],
        "started": report["started"],
        "summary": report["summary"],
        "since_previous": report["since_previous"],
        "hosts": {name: host["status"] for name, host in report["hosts"].items()},
        "warnings": [entry["warning"] for entry in report.get("warnings") or []][:50],
        # One key per runner job, so that the slices of a sliced AWX job do not overwrite each other.
        "artifact_key": ARTIFACT_KEY if ident is None else "%s_%s" % (ARTIFACT_KEY, _key_safe(ident)),
    }


def _key_safe(text: str) -> str:
    return "".join(char if char.isalnum() else "_" for char in text)[:64]


def summary_line(report: Mapping[str, Any], path: str) -> str:
    summary = report["summary"]
    check_mode = report["check_mode"]
    parts = ["%d in sync" % summary["in_sync"]]
    if check_mode:
        parts.append("%d drift" % summary["drift"])
    else:
        parts.append("%d changed" % summary["changed"])
        if summary["drift"]:
            parts.append("%d drift" % summary["drift"])
    parts += ["%d not declared" % summary["not_declared"], "%d failed" % summary["failed"],
              "%d unreachable" % summary["unreachable"]]
    line = "%s: %d hosts: %s" % ("DRIFT REPORT" if check_mode else "CHANGE LOG", summary["hosts"], ", ".join(parts))
    since = report.get("since_previous")
    if since:
        line += " (since the previous report: %d new, %d fixed)" % (len(since["new"]), len(since["fixed"]))
    return line + " -> " + path


def render(report: Mapping[str, Any], fmt: str, title: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=1, ensure_ascii=False) + "\n"
    if fmt == "md":
        return render_markdown(report, title)
    return render_html(report, title)


def write_report(folder: ReportFolder, report: Mapping[str, Any], formats: Iterable[str], title: str,
                 baseline: Optional[Mapping[str, Dict[str, Any]]] = None) -> List[str]:
    """The files of ``formats`` (and drift.previous.json with json), each replaced atomically; the others
    are left as they are. Returns the paths written."""
    written = []
    formats = [fmt for fmt in REPORT_FILES if fmt in formats]
    for fmt in formats:
        folder.write_text(REPORT_FILES[fmt], render(report, fmt, title))
        written.append(os.path.join(folder.path, REPORT_FILES[fmt]))
    if "json" in formats and baseline:
        folder.write_text(PREVIOUS_FILE, json.dumps(history.previous_document(baseline, report["check_mode"]),
                                                    indent=1, ensure_ascii=False) + "\n")
    return written


def _valid_report(document: Any) -> bool:
    return (isinstance(document, dict) and document.get("report") == REPORT_NAME
            and isinstance(document.get("hosts"), dict) and isinstance(document.get("check_mode"), bool))


def _host_entry(entry: Mapping[str, Any]) -> Dict[str, Any]:
    """A host entry of another report with every key the renderers read, of the type they read."""
    merged: Dict[str, Any] = {"items": [], "notes": [], "warnings": [], "error": None, "files": [],
                              "resources_checked": 0, "device": {}}
    merged.update(entry)
    for key in ("items", "notes"):
        merged[key] = [item for item in merged[key] if isinstance(item, dict) and isinstance(item.get("resource"), str)
                       ] if isinstance(merged[key], list) else []
        for item in merged[key]:
            item.setdefault("actions", [])
            item.setdefault("warnings", [])
    for key in ("warnings", "files"):
        merged[key] = [clean_text(text) for text in merged[key]] if isinstance(merged[key], list) else []
    if not isinstance(merged["error"], dict):
        merged["error"] = None
    if not isinstance(merged["device"], dict):
        merged["device"] = {}
    return merged


def merge_reports(documents: Sequence[Any], sources: Sequence[str]) -> Dict[str, Any]:
    """One report of several (job slices, sites). A host in more than one keeps the latest entry; a document
    that is not a drift report is named in ``sources`` as skipped."""
    hosts: Dict[str, Any] = {}
    finished: Dict[str, str] = {}
    used = []
    new: List[str] = []
    fixed: List[str] = []
    any_since = False
    for document, source in zip(documents, sources):
        if not _valid_report(document):
            used.append({"path": source, "skipped": "not a drift.json of %s" % REPORT_NAME})
            continue
        used.append({"path": source, "started": document.get("started"), "hosts": len(document["hosts"]),
                     "check_mode": document["check_mode"]})
        stamp = str(document.get("finished") or "")
        for name, entry in document["hosts"].items():
            if isinstance(entry, dict) and entry.get("status") in STATUS_ORDER and stamp >= finished.get(name, ""):
                hosts[name] = _host_entry(entry)
                finished[name] = stamp
        since = document.get("since_previous")
        if isinstance(since, dict):
            any_since = True
            new += [name for name in since.get("new") or [] if isinstance(name, str)]
            fixed += [name for name in since.get("fixed") or [] if isinstance(name, str)]
    valid = [document for document in documents if _valid_report(document)]
    if not valid:
        raise ValueError("none of these files is a drift.json of %s: %s" % (REPORT_NAME, ", ".join(sources)))
    summary = empty_summary()
    for entry in hosts.values():
        summary[entry["status"]] += 1
    summary["hosts"] = len(hosts)
    starts = sorted(str(document.get("started") or "") for document in valid)
    ends = sorted(str(document.get("finished") or "") for document in valid)
    check_modes = {document["check_mode"] for document in valid}
    return {
        "report": REPORT_NAME, "format_version": REPORT_FORMAT_VERSION,
        # A merge of change logs and drift reports is a change log: something ran for real.
        "check_mode": check_modes == {True}, "started": starts[0], "finished": ends[-1],
        "playbooks": sorted({name for document in valid for name in document.get("playbooks") or []
                             if isinstance(name, str)}),
        "summary": summary,
        "since_previous": {"previous_started": None, "previous_check_mode": None, "new": sorted(set(new)),
                           "fixed": sorted(set(fixed)), "hosts_compared": 0} if any_since else None,
        "warnings": report_warnings(hosts), "hosts": dict(sorted(hosts.items())), "sources": used,
    }
