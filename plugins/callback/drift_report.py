# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift report: what differs per camera, as drift.json, drift.md and drift.html."""

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_report
type: aggregate
short_description: Write a per-camera drift report (JSON, Markdown, HTML) of the vapix.acap tasks of a run
description:
  - Records, for every task of the C(vapix.acap) collection, each resource that differs from its declaration
    (V(setting:allow_unsigned), V(application:NAME), V(license:NAME), V(parameters:NAME), V(removed:NAME)) per host,
    with before and after, the planned (check mode) or done actions, the task name and the file chosen,
    the warnings of that host, and the files chosen.
  - It reads only the C(resources), C(failed), C(unreachable), C(msg), C(error_code) and C(warnings) keys of a
    result, never a task's arguments, so no password or license key content reaches the report.
  - A host is V(failed) when any of its tasks failed (module message and C(error_code) kept), V(unreachable) when
    Ansible could not reach it or the module could not reach the camera; neither is ever counted in sync.
  - At the end of the run it writes C(drift.json) (schema in the collection's C(docs/drift-report.schema.json)),
    C(drift.md) and C(drift.html) (one self-contained page) into O(report_dir), and prints one summary line with
    the counts and the report's path. It also writes them when a play starts, so that a later play of the same
    run (the V(vapix.acap.drift) playbook's last play) can read C(drift.json), publish it with
    M(ansible.builtin.set_stats) and set the exit status.
  - In check mode (every task of the collection ran in check mode) a host that differs has status V(drift);
    otherwise the report is a change log and such a host has status V(changed).
  - When O(report_dir) holds the C(drift.json) of a previous run, the new report marks what is new and what was
    fixed since then, and the previous report is kept as C(drift.previous.json).
version_added: 0.2.0
requirements:
  - enable it in C(callbacks_enabled) (C(ansible.cfg) C([defaults]) section) or with E(ANSIBLE_CALLBACKS_ENABLED)
options:
  report_dir:
    description:
      - Directory the report is written to; created when missing. A relative path is relative to the
        directory C(ansible-playbook) runs in.
    type: path
    default: drift-report
    env:
      - name: ACAP_DRIFT_REPORT_DIR
    ini:
      - section: vapix_acap_drift_report
        key: report_dir
  formats:
    description:
      - Which files to write besides the summary line. C(drift.json) is what the V(vapix.acap.drift) playbook
        reads, so leave V(json) in unless you run other playbooks.
    type: list
    elements: str
    choices: [json, md, html]
    default: [json, md, html]
    env:
      - name: ACAP_DRIFT_REPORT_FORMATS
    ini:
      - section: vapix_acap_drift_report
        key: formats
  title:
    description:
      - Title of the Markdown and HTML reports.
    type: str
    default: ACAP drift report
    env:
      - name: ACAP_DRIFT_REPORT_TITLE
    ini:
      - section: vapix_acap_drift_report
        key: title
notes:
  - The report and the V(vapix.acap.drift) playbook are described in the collection's C(docs/drift_report.md).
  - It coexists with the stdout callback and with recording callbacks such as ARA; it changes no task result.
"""

EXAMPLES = r"""
# ansible.cfg
# [defaults]
# callbacks_enabled = vapix.acap.drift_report
#
# [vapix_acap_drift_report]
# report_dir = /var/lib/acap-drift

# Or for one run:
# ACAP_DRIFT_REPORT_DIR=/tmp/report ANSIBLE_CALLBACKS_ENABLED=vapix.acap.drift_report \
#   ansible-playbook vapix.acap.drift -i inventory.yml
"""

import datetime
import html
import json
import os
from typing import Any, Dict, Iterable, List, Mapping, Optional, Set, Tuple

from ansible import context
from ansible.plugins.callback import CallbackBase

COLLECTION_PREFIX = "vapix.acap."
REPORT_FILES = {"json": "drift.json", "md": "drift.md", "html": "drift.html"}
PREVIOUS_FILE = "drift.previous.json"
REPORT_FORMAT_VERSION = 1
# A play that defines this variable gets the report so far when it starts (see exposed()).
EXPOSED_VARIABLE = "vapix_acap_drift_report"
# Status order of the pages: what needs a person first.
STATUS_ORDER = ("failed", "unreachable", "drift", "changed", "in_sync")
# Keys of a before/after view that could hold a secret; a module never returns them, the report
# refuses them anyway.
SECRET_KEYS = frozenset(("password", "passwd", "license_content", "content", "key_content", "private_key",
                         "secret", "token"))
HIDDEN = "<hidden>"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _text(value: Any) -> str:
    """A warning as text: a string before ansible-core 2.19, a WarningSummary from 2.19 on."""
    event = getattr(value, "event", None)
    if event is not None and hasattr(event, "msg"):
        return str(event.msg)
    return str(value)


def _scrubbed(value: Any) -> Any:
    """``value`` as plain JSON data, with any key that could name a secret hidden."""
    if isinstance(value, Mapping):
        return {str(key): (HIDDEN if str(key).lower() in SECRET_KEYS and item not in (None, "", {})
                           else _scrubbed(item)) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_scrubbed(item) for item in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return str(value)


def _unique(values: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(value for value in values if value))


class HostRecord:
    """What the run told about one host."""

    def __init__(self) -> None:
        self.items: List[Dict[str, Any]] = []
        self.warnings: List[str] = []
        self.files: List[str] = []
        self.resources_checked = 0
        self.error: Optional[Dict[str, Any]] = None
        self.unreachable = False
        self.play_number = 0  # the last play (or serial batch) that ran a task for this host

    def fail(self, task: str, msg: Any, error_code: Any = None, unreachable: bool = False,
             item: Optional[str] = None) -> None:
        # The first failure is the cause; what follows is usually its consequence.
        if self.error is None:
            self.error = {"task": task, "item": item, "msg": str(msg or "failed without a message"),
                          "error_code": error_code if isinstance(error_code, int) else None}
        self.unreachable = self.unreachable or unreachable

    def status(self, check_mode: bool) -> str:
        if self.unreachable:
            return "unreachable"
        if self.error is not None:
            return "failed"
        if self.items:
            return "drift" if check_mode else "changed"
        return "in_sync"


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "vapix.acap.drift_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._hosts: Dict[str, HostRecord] = {}
        self._started = _now()
        self._playbooks: List[str] = []
        # Whether tasks of the collection ran in check mode, and whether any ran for real.
        self._ran_in_check_mode = False
        self._ran_for_real = False
        self._previous: Optional[Dict[str, Any]] = None
        self._previous_loaded = False
        self._play_number = 0
        self._plays_with_collection_tasks: Set[int] = set()
        # host -> (play number, task, msg, unreachable): failures outside the collection's tasks
        self._pending: Dict[str, Tuple[int, str, Any, bool]] = {}
        # The current play reads the report (defines EXPOSED_VARIABLE): its failures are no camera's.
        self._reading_play = False

    # ------------------------------------------------------------------ recording

    @staticmethod
    def _collection_action(task: Any) -> bool:
        action = getattr(task, "resolved_action", None) or getattr(task, "action", "") or ""
        return str(action).startswith(COLLECTION_PREFIX)

    @staticmethod
    def _collection_role(task: Any) -> bool:
        """A task of a role of this collection (the camera role's argument validation, its checks)."""
        role = getattr(task, "_role", None)
        if role is None:
            return False
        try:
            name = role.get_name(include_role_fqcn=True)
        except TypeError:  # older signatures
            name = role.get_name()
        return str(name).startswith(COLLECTION_PREFIX)

    def _other_failure(self, result: Any, unreachable: bool = False) -> None:
        """A failure outside the collection's tasks: the host's report says so if the host is in it, or
        once the play turns out to run the collection's tasks (not a failure of a later, unrelated play)."""
        if self._reading_play:
            return  # a play that reads the report (the drift playbook's verdict) is not part of it
        name = result._host.get_name()
        task_name = result._task.get_name()
        msg = result._result.get("msg")
        if name in self._hosts or self._collection_role(result._task):
            self._host(result).fail(task_name, msg, unreachable=unreachable)
        else:
            self._pending.setdefault(name, (self._play_number, task_name, msg, unreachable))

    def _host(self, result: Any) -> HostRecord:
        record = self._hosts.setdefault(result._host.get_name(), HostRecord())
        record.play_number = self._play_number
        return record

    def _record_resources(self, host: HostRecord, task_name: str, data: Mapping[str, Any]) -> None:
        resources = data.get("resources")
        if isinstance(resources, list):
            for resource in resources:
                if not isinstance(resource, Mapping):
                    continue
                host.resources_checked += 1
                source = resource.get("source")
                if source:
                    host.files.append(str(source))
                if resource.get("changed") or resource.get("outcome_unknown"):
                    host.items.append({
                        "resource": str(resource.get("resource") or "unknown"),
                        "task": task_name,
                        "actions": [str(action) for action in resource.get("actions") or []],
                        # A setting's view is its value (false is a value, not "absent").
                        "before": _scrubbed({} if resource.get("before") is None else resource.get("before")),
                        "after": _scrubbed({} if resource.get("after") is None else resource.get("after")),
                        "source": str(source) if source else None,
                        "warnings": [_text(warning) for warning in resource.get("warnings") or []],
                        "outcome_unknown": bool(resource.get("outcome_unknown")),
                    })
        elif data.get("changed"):
            # A change the result does not describe (output hidden by no_log, or a result without
            # resources): still a difference, never "in sync".
            hidden = "censored" in data
            host.items.append({
                "resource": "task:%s" % task_name, "task": task_name, "actions": [], "before": {}, "after": {},
                "source": None, "outcome_unknown": False,
                "warnings": ["the task's output is hidden (no_log); it reported a change" if hidden
                             else "the task reported a change without a resources list"],
            })
        host.warnings.extend(_text(warning) for warning in data.get("warnings") or [])

    def _record(self, result: Any, failed: bool = False, ignored: bool = False) -> None:
        task = result._task
        if not self._collection_action(task):
            if failed and not ignored:
                self._other_failure(result)
            return
        self._plays_with_collection_tasks.add(self._play_number)
        host = self._host(result)
        task_name = task.get_name()
        if getattr(task, "check_mode", False):
            self._ran_in_check_mode = True
        else:
            self._ran_for_real = True
        data = result._result
        loop_results = data.get("results") if isinstance(data.get("results"), list) else None
        for each in loop_results if loop_results is not None else [data]:
            if not isinstance(each, Mapping):
                continue
            self._record_resources(host, task_name, each)
            if each.get("failed") or each.get("unreachable"):
                label = each.get("_ansible_item_label", each.get("item"))
                item = label if isinstance(label, str) else None
                if ignored:
                    host.warnings.append("%s failed (ignored)%s: %s" % (
                        task_name, " for %s" % item if item else "", each.get("msg")))
                else:
                    host.fail(task_name, each.get("msg"), each.get("error_code"),
                              unreachable=bool(each.get("unreachable")), item=item)
        if failed and not ignored and host.error is None:
            host.fail(task_name, data.get("msg"), data.get("error_code"), unreachable=bool(data.get("unreachable")))
        if loop_results is not None:
            host.warnings.extend(_text(warning) for warning in data.get("warnings") or [])

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_skipped(self, result: Any) -> None:
        if self._collection_action(result._task):
            self._plays_with_collection_tasks.add(self._play_number)
            self._host(result)

    def v2_runner_on_unreachable(self, result: Any) -> None:
        if self._collection_action(result._task):
            self._plays_with_collection_tasks.add(self._play_number)
            self._host(result).fail(result._task.get_name(), result._result.get("msg"), unreachable=True)
        else:
            self._other_failure(result, unreachable=True)

    def v2_playbook_on_no_hosts_remaining(self) -> None:
        # Ansible stopped the play (max_fail_percentage, any_errors_fatal, or every host failed). The
        # other hosts of this play finished the task that was running, but not the play's later tasks,
        # if it has any: say so on each of them.
        for record in self._hosts.values():
            if record.play_number == self._play_number and record.error is None:
                record.warnings.append("Ansible stopped the play after other hosts failed (max_fail_percentage or "
                                       "any_errors_fatal): tasks after the one that was running did not run here")

    def v2_playbook_on_start(self, playbook: Any) -> None:
        self._playbooks.append(os.path.basename(str(getattr(playbook, "_file_name", "") or "")))

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self._adopt_pending()
        self._play_number += 1
        # A later play of the same run (the drift playbook's last one) asks for the report so far by
        # defining the variable; it gets the data before its tasks are templated.
        play_vars = getattr(play, "vars", None)
        self._reading_play = isinstance(play_vars, dict) and EXPOSED_VARIABLE in play_vars
        if self._reading_play:
            play_vars[EXPOSED_VARIABLE] = self.exposed()

    def exposed(self) -> Dict[str, Any]:
        """The report so far, for a play of the run: counts and each host's status, no items."""
        report = self.build_report()
        report_dir = self._report_dir()
        return {
            "report_dir": report_dir,
            "files": [os.path.join(report_dir, REPORT_FILES[fmt]) for fmt in self._formats()],
            "check_mode": report["check_mode"],
            "started": report["started"],
            "summary": report["summary"],
            "since_previous": report["since_previous"],
            "hosts": {name: host["status"] for name, host in report["hosts"].items()},
        }

    def _adopt_pending(self) -> None:
        """When a play ends: failures of hosts in a play that ran the collection's tasks count."""
        for name, (play_number, task_name, msg, unreachable) in list(self._pending.items()):
            if play_number in self._plays_with_collection_tasks or name in self._hosts:
                self._hosts.setdefault(name, HostRecord()).fail(task_name, msg, unreachable=unreachable)
                del self._pending[name]
            else:  # called when a play ends: that play ran nothing of the collection
                del self._pending[name]

    def v2_playbook_on_stats(self, stats: Any) -> None:
        self._adopt_pending()
        report = self._write()
        if report is not None:
            self._display.display(self.summary_line(report), screen_only=True)

    # ------------------------------------------------------------------ the report

    def _check_mode(self) -> bool:
        if self._ran_in_check_mode or self._ran_for_real:
            return not self._ran_for_real
        return bool(context.CLIARGS.get("check", False))

    def _report_dir(self) -> str:
        return os.path.abspath(os.path.expanduser(str(self.get_option("report_dir") or "drift-report")))

    def _load_previous(self) -> None:
        """Read the previous run's drift.json, once (it becomes drift.previous.json when this run's is written)."""
        if self._previous_loaded:
            return
        self._previous_loaded = True
        path = os.path.join(self._report_dir(), REPORT_FILES["json"])
        if not os.path.isfile(path):
            return
        try:
            with open(path, encoding="utf-8") as handle:
                previous = json.load(handle)
        except (OSError, ValueError) as exc:
            self._display.warning("drift_report: could not read the previous report %s: %s" % (path, exc))
            return
        if isinstance(previous, dict) and isinstance(previous.get("hosts"), dict):
            self._previous = previous

    def build_report(self) -> Dict[str, Any]:
        self._load_previous()
        check_mode = self._check_mode()
        previous_hosts: Dict[str, Any] = (self._previous or {}).get("hosts") or {}
        hosts: Dict[str, Any] = {}
        summary = {"hosts": len(self._hosts), "in_sync": 0, "drift": 0, "changed": 0, "failed": 0, "unreachable": 0}
        new_hosts: List[str] = []
        fixed_hosts: List[str] = []
        for name in sorted(self._hosts):
            record = self._hosts[name]
            status = record.status(check_mode)
            summary[status] += 1
            entry: Dict[str, Any] = {
                "status": status,
                "items": [dict(item) for item in record.items],
                "warnings": _unique(record.warnings),
                "error": dict(record.error) if record.error else None,
                "files": _unique(record.files),
                "resources_checked": record.resources_checked,
            }
            if self._previous is not None:
                before = previous_hosts.get(name) if isinstance(previous_hosts.get(name), dict) else None
                before_status = before.get("status") if before else None
                before_resources = {item.get("resource") for item in (before or {}).get("items") or []
                                    if isinstance(item, dict)}
                now_resources = {item["resource"] for item in record.items}
                for item in entry["items"]:
                    item["new"] = item["resource"] not in before_resources
                entry["previous_status"] = before_status
                # Fixed: differed before, and this run could tell (the host was checked, not failed).
                entry["fixed"] = sorted(before_resources - now_resources) if status in ("in_sync", "drift",
                                                                                        "changed") else []
                problem_before = before_status not in (None, "in_sync")
                worse = before_status != status and status in ("failed", "unreachable")
                if status != "in_sync" and (not problem_before or any(item["new"] for item in entry["items"]) or worse):
                    new_hosts.append(name)
                if status == "in_sync" and problem_before:
                    fixed_hosts.append(name)
            hosts[name] = entry
        report: Dict[str, Any] = {
            "report": "vapix.acap.drift_report",
            "format_version": REPORT_FORMAT_VERSION,
            "check_mode": check_mode,
            "started": self._started,
            "finished": _now(),
            "playbooks": [name for name in self._playbooks if name],
            "summary": summary,
            "since_previous": None if self._previous is None else {
                "previous_started": self._previous.get("started"),
                "previous_check_mode": self._previous.get("check_mode"),
                "new": new_hosts,
                "fixed": fixed_hosts,
            },
            "hosts": hosts,
        }
        return report

    def _formats(self) -> List[str]:
        return [fmt for fmt in REPORT_FILES if fmt in (self.get_option("formats") or [])]

    def _write(self) -> Optional[Dict[str, Any]]:
        if not self._hosts:
            self._display.display("drift_report: no task of vapix.acap ran; no report written", screen_only=True)
            return None
        report_dir = self._report_dir()
        formats = self._formats()
        try:
            os.makedirs(report_dir, exist_ok=True)
            report = self.build_report()
            previous_path = os.path.join(report_dir, REPORT_FILES["json"])
            if os.path.isfile(previous_path):
                os.replace(previous_path, os.path.join(report_dir, PREVIOUS_FILE))
            title = str(self.get_option("title") or "ACAP drift report")
            for fmt in formats:
                if fmt == "json":
                    text = json.dumps(report, indent=1, sort_keys=False, ensure_ascii=False) + "\n"
                elif fmt == "md":
                    text = render_markdown(report, title)
                else:
                    text = render_html(report, title)
                path = os.path.join(report_dir, REPORT_FILES[fmt])
                partial = path + ".partial"
                with open(partial, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.replace(partial, path)
        except OSError as exc:
            self._display.warning("drift_report: could not write the report to %s: %s" % (report_dir, exc))
            return None
        report["_path"] = os.path.join(report_dir, REPORT_FILES["html" if "html" in formats else
                                                                ("json" if "json" in formats else "md")])
        return report

    @staticmethod
    def summary_line(report: Mapping[str, Any]) -> str:
        summary = report["summary"]
        differ = "drift" if report["check_mode"] else "changed"
        line = "%s: %d hosts: %d in sync, %d %s, %d failed, %d unreachable" % (
            "DRIFT REPORT" if report["check_mode"] else "CHANGE LOG", summary["hosts"], summary["in_sync"],
            summary[differ], differ, summary["failed"], summary["unreachable"])
        since = report.get("since_previous")
        if since:
            line += " (since the previous report: %d new, %d fixed)" % (len(since["new"]), len(since["fixed"]))
        return line + " -> " + str(report.get("_path"))


# ---------------------------------------------------------------------- rendering

def _short(value: Any) -> str:
    if isinstance(value, (dict, list, bool)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else str(value)


def differences(item: Mapping[str, Any]) -> List[str]:
    """The keys of before/after that differ, as 'key: before -> after' lines."""
    before, after = item.get("before"), item.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return ["%s -> %s" % (_short(before) or "-", _short(after) or "-")] if before != after else []
    if not before and after:
        shown = ["%s %s" % (key, _short(value)) for key, value in after.items()
                 if key in ("version", "status", "value", "state")]
        return ["absent -> " + (", ".join(shown) or "present")]
    if before and not after:
        return ["present -> absent"]
    lines = []
    for key in list(before) + [key for key in after if key not in before]:
        if before.get(key) != after.get(key):
            lines.append("%s: %s -> %s" % (key, _short(before.get(key)) or "-", _short(after.get(key)) or "-"))
    return lines


def _ordered_hosts(report: Mapping[str, Any]) -> List[Any]:
    return sorted(report["hosts"].items(), key=lambda pair: (STATUS_ORDER.index(pair[1]["status"]), pair[0]))


def _md_cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Mapping[str, Any], title: str) -> str:
    summary = report["summary"]
    differ = "drift" if report["check_mode"] else "changed"
    lines = ["# %s" % title, "",
             "%s, %s to %s." % ("Check mode (nothing was changed)" if report["check_mode"]
                                else "Change log (tasks ran for real)", report["started"], report["finished"] or "-"),
             "",
             "| failed | unreachable | %s | in sync | hosts |" % differ,
             "| --- | --- | --- | --- | --- |",
             "| %d | %d | %d | %d | %d |" % (summary["failed"], summary["unreachable"], summary[differ],
                                             summary["in_sync"], summary["hosts"]), ""]
    since = report.get("since_previous")
    if since:
        lines += ["Since the previous report (%s): new %s; fixed %s." % (
            since.get("previous_started"), ", ".join(since["new"]) or "none", ", ".join(since["fixed"]) or "none"), ""]
    in_sync = []
    for name, host in _ordered_hosts(report):
        if host["status"] == "in_sync":
            in_sync.append(name)
            continue
        lines += ["## %s: %s%s" % (name, host["status"], " (new)" if name in (since or {}).get("new", []) else ""), ""]
        if host["error"]:
            lines.append("- error in task *%s*%s: %s%s" % (
                host["error"]["task"], " (%s)" % host["error"]["item"] if host["error"].get("item") else "",
                host["error"]["msg"],
                " (error code %s)" % host["error"]["error_code"] if host["error"]["error_code"] is not None else ""))
            lines.append("")
        if host["items"]:
            lines += ["| resource | differs | actions | file | task |", "| --- | --- | --- | --- | --- |"]
            for item in host["items"]:
                lines.append("| %s%s | %s | %s | %s | %s |" % (
                    _md_cell(item["resource"]), " (new)" if item.get("new") else "",
                    _md_cell("; ".join(differences(item) + item["warnings"])), _md_cell(", ".join(item["actions"])),
                    _md_cell(item["source"] or ""), _md_cell(item["task"])))
            lines.append("")
        for fixed in host.get("fixed") or []:
            lines.append("- fixed since the previous report: %s" % fixed)
        for warning in host["warnings"]:
            lines.append("- warning: %s" % warning)
        lines.append("")
    if in_sync:
        lines += ["## In sync (%d)" % len(in_sync), "", ", ".join(in_sync), ""]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text


_CSS = """
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 2em 2em;color:#1d232a;background:#fff}
h1{font-size:22px;margin:18px 0 4px}.meta{color:#5b6570;margin:0 0 12px}
.counts{display:flex;gap:10px;flex-wrap:wrap;margin:10px 0}
.count{border-radius:6px;padding:8px 16px;min-width:110px;border:1px solid #d0d7de}
.count b{display:block;font-size:26px}.count.failed b{color:#c62828}.count.unreachable b{color:#8e24aa}
.count.drift b,.count.changed b{color:#b26a00}.count.in_sync b{color:#2e7d32}
#filter{font-size:15px;padding:6px 10px;width:28em;max-width:90%;margin:8px 0}
#shown{color:#5b6570;margin-left:8px}
section.host{border:1px solid #d0d7de;border-left-width:6px;border-radius:4px;margin:8px 0;padding:6px 12px}
section.failed{border-left-color:#c62828}section.unreachable{border-left-color:#8e24aa}
section.drift,section.changed{border-left-color:#f0a202}
h3{margin:4px 0;font-size:15px}.badge{font-size:11px;border-radius:3px;padding:1px 6px;margin-left:6px;
color:#fff;background:#57606a;vertical-align:middle}.badge.new{background:#0969da}.badge.failed{background:#c62828}
.badge.unreachable{background:#8e24aa}.badge.drift,.badge.changed{background:#b26a00}
table{border-collapse:collapse;margin:4px 0;width:100%;table-layout:fixed}
col.r{width:22%}col.d{width:34%}col.a{width:14%}col.f{width:16%}col.t{width:14%}td{overflow-wrap:anywhere}th,td{text-align:left;padding:3px 8px;
border-bottom:1px solid #eaeef2;vertical-align:top}th{font-weight:600;color:#57606a}
.error{color:#c62828}.warn{color:#7a4d00}.muted{color:#5b6570}code{font-size:12px}
details.insync summary{cursor:pointer;font-weight:600;margin:12px 0 6px}
ul.insync{columns:5 12em;list-style:none;padding:0}h2{font-size:17px;margin:18px 0 4px}
[hidden]{display:none!important}
"""

_SCRIPT = """
(function(){
var box=document.getElementById('filter'),shown=document.getElementById('shown');
var rows=Array.prototype.slice.call(document.querySelectorAll('[data-search]'));
var insync=document.getElementById('insync');
function apply(){
 var q=box.value.trim().toLowerCase(),n=0,nsync=0;
 rows.forEach(function(r){var hit=!q||r.getAttribute('data-search').indexOf(q)>=0;r.hidden=!hit;
  if(hit){n++;if(r.classList.contains('sync'))nsync++;}});
 document.querySelectorAll('h2[data-group]').forEach(function(h){
  var g=h.getAttribute('data-group');h.hidden=!document.querySelector('section.'+g+':not([hidden])');});
 if(insync){insync.open=!!q&&nsync>0;}
 shown.textContent=q?(n+' of '+rows.length+' hosts match'):(rows.length+' hosts');
 document.body.setAttribute('data-shown',String(n));
}
box.addEventListener('input',apply);
var m=/[#&]q=([^&]*)/.exec(location.hash);if(m){box.value=decodeURIComponent(m[1]);}
apply();
})();
"""


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _html_item_row(item: Mapping[str, Any]) -> str:
    differs = [_e(line) for line in differences(item)]
    differs += ["<span class='warn'>%s</span>" % _e(warning) for warning in item["warnings"]]
    source = ""
    if item["source"]:
        source = "<code title='%s'>%s</code>" % (_e(item["source"]), _e(os.path.basename(item["source"])))
    return ("<tr class='item'><td><code>%s</code>%s</td><td>%s</td><td>%s</td><td>%s</td><td class='muted'>%s</td>"
            "</tr>" % (_e(item["resource"]), "<span class='badge new'>new</span>" if item.get("new") else "",
                       "<br>".join(differs), _e(", ".join(item["actions"])), source, _e(item["task"])))


def render_html(report: Mapping[str, Any], title: str) -> str:
    summary = report["summary"]
    differ = "drift" if report["check_mode"] else "changed"
    since = report.get("since_previous") or {}
    new_hosts = set(since.get("new") or [])
    parts = ["<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
             # Nothing may be fetched: the page must work offline and leak nothing.
             "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; "
             "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">",
             "<meta name='viewport' content='width=device-width'>",
             "<title>%s</title><style>%s</style></head><body>" % (_e(title), _CSS),
             "<h1>%s</h1>" % _e(title),
             "<p class='meta'>%s &middot; started %s &middot; finished %s</p>" % (
                 "Check mode: nothing was changed" if report["check_mode"] else "Change log: the tasks ran for real",
                 _e(report["started"]), _e(report["finished"] or "-")),
             "<div class='counts' id='counts'>"]
    for key, label in (("failed", "failed"), ("unreachable", "unreachable"), (differ, differ),
                       ("in_sync", "in sync")):
        parts.append("<div class='count %s' data-count='%s'><b>%d</b>%s</div>" % (key, key, summary[key], label))
    parts.append("<div class='count hosts' data-count='hosts'><b>%d</b>hosts</div></div>" % summary["hosts"])
    if report.get("since_previous"):
        parts.append("<p class='meta' id='since'>Since the previous report (%s): <b>%d new</b> (%s), "
                     "<b>%d fixed</b> (%s)</p>" % (
                         _e(since.get("previous_started")), len(since["new"]), _e(", ".join(since["new"]) or "none"),
                         len(since["fixed"]), _e(", ".join(since["fixed"]) or "none")))
    parts.append("<input id='filter' type='search' placeholder='Filter: host, resource, status, message...' "
                 "aria-label='Filter hosts'><span id='shown'></span>")
    group_titles = {"failed": "Failed", "unreachable": "Unreachable", "drift": "Drift", "changed": "Changed"}
    current_group = None
    in_sync: List[str] = []
    for name, host in _ordered_hosts(report):
        status = host["status"]
        if status == "in_sync":
            in_sync.append(name)
            continue
        if status != current_group:
            current_group = status
            parts.append("<h2 data-group='%s'>%s</h2>" % (status, group_titles[status]))
        error = [host["error"]["msg"], str(host["error"]["error_code"])] if host["error"] else []
        words = [name, status] + [item["resource"] for item in host["items"]] + error + host["warnings"]
        search = " ".join(words).lower()
        parts.append("<section class='host %s' id='host-%s' data-status='%s' data-search='%s'><h3>%s"
                     "<span class='badge %s'>%s</span>%s</h3>" % (
                         status, _e(name), status, _e(search), _e(name), status, status,
                         "<span class='badge new'>new</span>" if name in new_hosts else ""))
        if host["error"]:
            error = host["error"]
            parts.append("<p class='error'>%s%s: %s%s</p>" % (
                _e(error["task"]), " (%s)" % _e(error["item"]) if error.get("item") else "", _e(error["msg"]),
                " <b>error code %s</b>" % _e(error["error_code"]) if error["error_code"] is not None else ""))
        if host["items"]:
            parts.append("<table><colgroup><col class='r'><col class='d'><col class='a'><col class='f'>"
                         "<col class='t'></colgroup><tr><th>resource</th><th>what differs</th><th>actions</th>"
                         "<th>file</th><th>task</th></tr>")
            parts.extend(_html_item_row(item) for item in host["items"])
            parts.append("</table>")
        for fixed in host.get("fixed") or []:
            parts.append("<p class='muted'>fixed since the previous report: <code>%s</code></p>" % _e(fixed))
        for warning in host["warnings"]:
            parts.append("<p class='warn'>warning: %s</p>" % _e(warning))
        parts.append("</section>")
    parts.append("<details class='insync' id='insync'><summary>In sync (%d)</summary><ul class='insync'>"
                 % len(in_sync))
    for name in in_sync:
        fixed = name in set(since.get("fixed") or [])
        parts.append("<li class='sync' data-status='in_sync' data-search='%s'>%s%s</li>" % (
            _e(name.lower() + " in_sync in sync" + (" fixed" if fixed else "")), _e(name),
            " <span class='badge'>fixed</span>" if fixed else ""))
    parts.append("</ul></details><script>%s</script></body></html>\n" % _SCRIPT)
    return "".join(parts)
