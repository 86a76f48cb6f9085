# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The recorder of the drift report: task results in, one record per camera out, statuses decided here.

The callback (plugins/callback/drift_report.py) turns Ansible's events into calls of ``Recorder`` with
plain data; ``Recorder.hosts_report`` gives each host's entry of drift.json and the summary. Every
string is cleaned when it is recorded (``_drift_text.clean_text``), so what the renderers get is text.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.vapix.acap.plugins.plugin_utils._drift_text import (
    clean_text, scrubbed, text_list, unique)

# Status order of the pages: what needs a person first.
STATUS_ORDER = ("failed", "unreachable", "drift", "changed", "not_declared", "in_sync")
# Differences that are not a planned action: the camera has what nobody declared.
NEWER_THAN_DECLARED = "newer_than_declared"
INSTALLED_NOT_DECLARED = "installed_not_declared"
DIFFERENCES = (NEWER_THAN_DECLARED, INSTALLED_NOT_DECLARED)
# A task warning that names a role variable the role does not know (the camera role sends these).
UNKNOWN_VARIABLE_PREFIX = "unknown role variable"
DEVICE_KEYS = ("address", "product", "firmware_version", "serial_number")


def host_status(unreachable: bool, failed: bool, items: List[Dict[str, Any]], resources_checked: int,
                check_mode: bool) -> str:
    """The one place a camera's status is decided (docs/drift_report.md, "Statuses")."""
    if unreachable:
        return "unreachable"
    if failed:
        return "failed"
    if items:
        if check_mode or not any(item["actions"] for item in items):
            return "drift"
        return "changed"
    if resources_checked == 0:
        return "not_declared"
    return "in_sync"


class HostRecord:
    """What the run told about one host."""

    def __init__(self) -> None:
        self.items: List[Dict[str, Any]] = []
        self.notes: List[Dict[str, Any]] = []  # shown on the card, not counted as drift
        self.warnings: List[str] = []
        self.files: List[str] = []
        self.device: Dict[str, str] = {}
        self.resources_checked = 0
        self.error: Optional[Dict[str, Any]] = None
        self.unreachable = False
        self.play_number = 0  # the last play (or serial batch) that ran a task for this host

    def fail(self, task: str, msg: Any, error_code: Any = None, unreachable: bool = False,
             item: Optional[str] = None) -> None:
        # The first failure is the cause; what follows is usually its consequence.
        if self.error is None:
            self.error = {"task": clean_text(task), "item": clean_text(item) if item is not None else None,
                          "msg": clean_text(msg or "failed without a message"),
                          "error_code": error_code if isinstance(error_code, int)
                          and not isinstance(error_code, bool) else None}
        self.unreachable = self.unreachable or unreachable

    def status(self, check_mode: bool) -> str:
        return host_status(self.unreachable, self.error is not None, self.items, self.resources_checked, check_mode)

    def entry(self, check_mode: bool) -> Dict[str, Any]:
        """The host's entry of drift.json (without the since-previous keys)."""
        entry: Dict[str, Any] = {
            "status": self.status(check_mode),
            "items": [dict(item) for item in self.items],
            "notes": [dict(note) for note in self.notes],
            "warnings": unique(self.warnings),
            "error": dict(self.error) if self.error else None,
            "files": unique(self.files),
            "resources_checked": self.resources_checked,
            "device": dict(self.device),
        }
        return entry


def _difference(resource: Mapping[str, Any]) -> Optional[str]:
    value = resource.get("difference")
    return value if value in DIFFERENCES else None


def resource_item(resource: Mapping[str, Any], task_name: str) -> Dict[str, Any]:
    source = resource.get("source")
    return {
        "resource": clean_text(resource.get("resource") or "unknown", 300),
        "task": task_name,
        "actions": [clean_text(action, 200) for action in _as_list(resource.get("actions"))],
        # A setting's view is its value (false is a value, not "absent").
        "before": scrubbed({} if resource.get("before") is None else resource.get("before")),
        "after": scrubbed({} if resource.get("after") is None else resource.get("after")),
        "source": clean_text(source) if source else None,
        "warnings": text_list(resource.get("warnings")),
        "outcome_unknown": bool(resource.get("outcome_unknown")),
        "difference": _difference(resource),
        "not_comparable": [clean_text(name, 200) for name in _as_list(resource.get("not_comparable"))],
    }


def _as_list(value: Any) -> List[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


class Recorder:
    """Per-camera outcomes of the collection's tasks of one run."""

    def __init__(self, tolerate: Iterable[str] = ()) -> None:
        self.hosts: Dict[str, HostRecord] = {}
        self.tolerate = frozenset(tolerate)
        self.play_number = 0
        self.plays_with_collection_tasks: set = set()
        self.ran_in_check_mode = False
        self.ran_for_real = False
        # host -> (play number, task, msg, unreachable): failures outside the collection's tasks
        self.pending: Dict[str, Tuple[int, str, Any, bool]] = {}

    def host(self, name: str) -> HostRecord:
        record = self.hosts.setdefault(name, HostRecord())
        record.play_number = self.play_number
        return record

    def play_stopped(self) -> None:
        """Ansible stopped the play (max_fail_percentage, any_errors_fatal, or every host failed): the other
        hosts of this play finished the running task, not the play's later tasks; say so on each."""
        for record in self.hosts.values():
            if record.play_number == self.play_number and record.error is None:
                record.warnings.append("Ansible stopped the play after other hosts failed (max_fail_percentage or "
                                       "any_errors_fatal): tasks after the one that was running did not run here")

    def play_started(self) -> None:
        self.play_number += 1

    def collection_task_seen(self, host: str, check_mode: Optional[bool] = None) -> HostRecord:
        self.plays_with_collection_tasks.add(self.play_number)
        if check_mode is True:
            self.ran_in_check_mode = True
        elif check_mode is False:
            self.ran_for_real = True
        return self.host(host)

    def other_failure(self, host: str, task_name: str, msg: Any, unreachable: bool, in_collection_role: bool) -> None:
        """A failure outside the collection's tasks: the host's report says so if the host is in it, or
        once the play turns out to run the collection's tasks (not a failure of a later, unrelated play)."""
        if host in self.hosts or in_collection_role:
            self.hosts.setdefault(host, HostRecord()).fail(task_name, msg, unreachable=unreachable)
        else:
            self.pending.setdefault(host, (self.play_number, task_name, msg, unreachable))

    def play_ended(self) -> None:
        for name, (play_number, task_name, msg, unreachable) in list(self.pending.items()):
            if play_number in self.plays_with_collection_tasks or name in self.hosts:
                self.hosts.setdefault(name, HostRecord()).fail(task_name, msg, unreachable=unreachable)
            del self.pending[name]

    def result(self, host_name: str, task_name: Any, data: Mapping[str, Any], check_mode: Optional[bool],
               failed: bool = False, ignored: bool = False) -> None:
        """A result of one of the collection's tasks (a loop's results each count)."""
        host = self.collection_task_seen(host_name, check_mode)
        task_name = clean_text(task_name, 300)
        loop_results = data.get("results") if isinstance(data.get("results"), list) else None
        for each in loop_results if loop_results is not None else [data]:
            if not isinstance(each, Mapping):
                continue
            self._resources(host, task_name, each)
            if each.get("failed") or each.get("unreachable"):
                label = each.get("_ansible_item_label", each.get("item"))
                item = label if isinstance(label, str) else None
                if ignored:
                    host.warnings.append(clean_text("%s failed (ignored)%s: %s" % (
                        task_name, " for %s" % item if item else "", each.get("msg"))))
                else:
                    host.fail(task_name, each.get("msg"), each.get("error_code"),
                              unreachable=bool(each.get("unreachable")), item=item)
        if failed and not ignored and host.error is None:
            host.fail(task_name, data.get("msg"), data.get("error_code"), unreachable=bool(data.get("unreachable")))
        if loop_results is not None:
            host.warnings.extend(text_list(data.get("warnings")))

    def _resources(self, host: HostRecord, task_name: str, data: Mapping[str, Any]) -> None:
        device = data.get("device")
        if isinstance(device, Mapping):
            host.device.update({key: clean_text(device[key], 200) for key in DEVICE_KEYS if device.get(key)})
        resources = data.get("resources")
        if isinstance(resources, list):
            for resource in resources:
                if isinstance(resource, Mapping):
                    self._resource(host, task_name, resource)
        elif data.get("changed"):
            # A change the result does not describe (output hidden by no_log, or a result without
            # resources): still a difference, never "in sync".
            hidden = "censored" in data
            host.items.append({
                "resource": "task:%s" % task_name, "task": task_name, "actions": [], "before": {}, "after": {},
                "source": None, "outcome_unknown": False, "difference": None, "not_comparable": [],
                "warnings": ["the task's output is hidden (no_log); it reported a change" if hidden
                             else "the task reported a change without a resources list"],
            })
        host.warnings.extend(text_list(data.get("warnings")))

    def _resource(self, host: HostRecord, task_name: str, resource: Mapping[str, Any]) -> None:
        host.resources_checked += 1
        source = resource.get("source")
        if source:
            host.files.append(clean_text(source))
        difference = _difference(resource)
        changed = bool(resource.get("changed") or resource.get("outcome_unknown"))
        if changed or (difference and difference not in self.tolerate):
            host.items.append(resource_item(resource, task_name))
        elif difference or resource.get("not_comparable"):
            host.notes.append(resource_item(resource, task_name))

    def check_mode(self, cli_check: bool) -> bool:
        """A drift report when every task of the collection ran in check mode; otherwise a change log."""
        if self.ran_in_check_mode or self.ran_for_real:
            return not self.ran_for_real
        return cli_check

    def host_names(self) -> List[str]:
        """The hosts as the report names them (keys of drift.json's hosts and of the history)."""
        return sorted(clean_text(name, 300) for name in self.hosts)

    def hosts_report(self, check_mode: bool) -> Tuple[Dict[str, Any], Dict[str, int]]:
        hosts: Dict[str, Any] = {}
        summary = dict.fromkeys(("hosts",) + STATUS_ORDER, 0)
        for name in sorted(self.hosts):
            entry = self.hosts[name].entry(check_mode)
            summary[entry["status"]] += 1
            hosts[clean_text(name, 300)] = entry
        summary["hosts"] = len(hosts)
        return hosts, summary


def report_warnings(hosts: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """Every warning of the run once, with the hosts that had it; unknown role variables first."""
    by_text: Dict[str, List[str]] = {}
    for name, entry in hosts.items():
        for text in entry.get("warnings") or []:
            by_text.setdefault(text, []).append(name)
    ordered = sorted(by_text.items(), key=lambda pair: (not pair[0].lower().startswith(UNKNOWN_VARIABLE_PREFIX),
                                                        -len(pair[1]), pair[0]))
    return [{"warning": text, "hosts": names} for text, names in ordered]
