# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The renderer of the drift report: drift.json's data in, drift.html and drift.md out.

Both pages come from the Jinja2 templates of ``_drift_templates``. HTML is autoescaped by Jinja2; in
Markdown every value goes through the ``md`` filter (``_drift_text.markdown_inline``). The views
computed here (the cards' rows, the grouping by resource, the counts) are shared by both pages.
"""

from __future__ import annotations

import os
import re
from typing import Any, Dict, List, Mapping, Tuple

from jinja2 import ChainableUndefined, Environment

from ansible_collections.vapix.acap.plugins.plugin_utils._drift_record import (
    INSTALLED_NOT_DECLARED, NEWER_THAN_DECLARED, STATUS_ORDER)
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_templates import (
    HTML_TEMPLATE, MARKDOWN_TEMPLATE)
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_text import markdown_inline, short

STATUS_LABELS = {"failed": "failed", "unreachable": "unreachable", "drift": "drift", "changed": "changed",
                 "not_declared": "nothing declared", "in_sync": "in sync"}
DIFFERENCE_LABELS = {NEWER_THAN_DECLARED: "newer than declared", INSTALLED_NOT_DECLARED: "installed, not declared"}
# A list of hosts longer than this is folded on the page.
FOLD_AFTER = 8
MAX_GROUPS = 100


def differences(item: Mapping[str, Any]) -> List[Tuple[str, str, str]]:
    """(key, camera side, declared side) of each key of before/after that differs."""
    before, after = item.get("before"), item.get("after")
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("value", short(before) or "-", short(after) or "-")] if before != after else []
    if item.get("difference") == INSTALLED_NOT_DECLARED:
        return [("version", short(before.get("version")) or "-", "not declared")]
    if not before and after:
        shown = ", ".join("%s %s" % (key, short(value)) for key, value in after.items()
                          if key in ("version", "status", "value", "state"))
        return [("installed", "absent", shown or "present")]
    if before and not after:
        return [("installed", "present", "absent")]
    rows = [(key, short(before.get(key)) or "-", short(after.get(key)) or "-")
            for key in list(before) + [key for key in after if key not in before] if before.get(key) != after.get(key)]
    if not rows and item.get("difference") == NEWER_THAN_DECLARED:
        rows.append(("version", short(before.get("version")) or "-", "older package declared"))
    return rows


def summary_text(item: Mapping[str, Any]) -> str:
    """One line for the grouping by resource: what is so on the cameras of the group."""
    if item.get("difference"):
        return DIFFERENCE_LABELS[item["difference"]]
    rows = differences(item)
    if not rows:
        return ", ".join(item.get("actions") or []) or "differs"
    return "; ".join("%s %s (declared %s)" % (key, camera, declared) for key, camera, declared in rows[:3])


_ADDRESS = re.compile(r"\[[0-9a-fA-F:.]+\](:\d+)?|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b")


def error_text(host: Mapping[str, Any]) -> str:
    """A failure's message without the camera's own address, so that the same failure groups."""
    error = host.get("error") or {}
    message = str(error.get("msg") or "")
    address = str((host.get("device") or {}).get("address") or "")
    if address:
        message = message.replace(address, "<address>")
    return _ADDRESS.sub("<address>", message)


def resource_groups(report: Mapping[str, Any]) -> List[Dict[str, Any]]:
    """Items grouped by resource and what differs ("application:counter: status Stopped on 5 cameras"), and
    failures by status and message ("failed: Authentication failed (HTTP 401) ... on 100 cameras")."""
    groups: Dict[Tuple[str, str], List[str]] = {}
    for name, host in report["hosts"].items():
        if host["status"] in ("failed", "unreachable"):
            groups.setdefault((host["status"], error_text(host)), []).append(name)
        for item in host["items"]:
            groups.setdefault((item["resource"], summary_text(item)), []).append(name)
    ordered = sorted(groups.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return [{"resource": resource, "what": what, "hosts": names} for (resource, what), names in ordered[:MAX_GROUPS]]


def _ordered_hosts(report: Mapping[str, Any]) -> List[Tuple[str, Mapping[str, Any]]]:
    return sorted(report["hosts"].items(), key=lambda pair: (STATUS_ORDER.index(pair[1]["status"]), pair[0]))


def _counts(report: Mapping[str, Any]) -> List[Dict[str, Any]]:
    summary = report["summary"]
    keys = ["failed", "unreachable", "drift", "changed", "not_declared", "in_sync"]
    if report["check_mode"] and not summary.get("changed"):
        keys.remove("changed")  # a check-mode run changes nothing
    return [{"key": key, "label": STATUS_LABELS[key], "count": int(summary.get(key) or 0)} for key in keys]


def _card(name: str, host: Mapping[str, Any], new_hosts: set) -> Dict[str, Any]:
    device = host.get("device") or {}
    error = host.get("error")
    words = [name, host["status"], STATUS_LABELS[host["status"]]]
    words += [item["resource"] for item in host["items"] + host.get("notes", [])]
    words += [device.get(key) or "" for key in ("address", "product", "firmware_version")]
    if error:
        words += [error["msg"], str(error["error_code"])]
    words += host["warnings"]
    rows = []
    for item in host["items"]:
        rows.append({"item": item, "rows": differences(item),
                     "label": DIFFERENCE_LABELS.get(item.get("difference") or "", "")})
    notes = []
    for note in host.get("notes") or []:
        notes.append({"item": note, "rows": differences(note),
                      "label": DIFFERENCE_LABELS.get(note.get("difference") or "", "")})
    return {"name": name, "host": host, "device": device, "new": name in new_hosts, "rows": rows, "notes": notes,
            "search": " ".join(words).lower(), "label": STATUS_LABELS[host["status"]]}


def page_view(report: Mapping[str, Any], title: str) -> Dict[str, Any]:
    """Everything both templates show."""
    since = report.get("since_previous") or {}
    new_hosts = set(since.get("new") or [])
    fixed_hosts = set(since.get("fixed") or [])
    cards = []
    in_sync = []
    for name, host in _ordered_hosts(report):
        if host["status"] == "in_sync":
            in_sync.append({"name": name, "fixed": name in fixed_hosts})
        else:
            cards.append(_card(name, host, new_hosts))
    check_mode = bool(report["check_mode"])
    return {
        "title": title,
        "kind": "Drift report" if check_mode else "Change log",
        "kind_note": ("check mode: nothing was changed; left: what the camera has, right: what is declared"
                      if check_mode else "the tasks ran for real; left: the camera before the run, right: after it"),
        "camera_side": "on the camera" if check_mode else "before the run",
        "declared_side": "declared" if check_mode else "after the run",
        "report": report, "since": report.get("since_previous"), "counts": _counts(report),
        "groups": resource_groups(report), "warnings": report.get("warnings") or [],
        "cards": cards, "in_sync": in_sync, "fold_after": FOLD_AFTER,
        "sources": report.get("sources") or [],
    }


def _environment(autoescape: bool) -> Environment:
    environment = Environment(autoescape=autoescape, undefined=ChainableUndefined, trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True)
    environment.filters["md"] = markdown_inline
    environment.filters["basename"] = lambda path: os.path.basename(str(path))
    return environment


_HTML = None
_MARKDOWN = None


def render_html(report: Mapping[str, Any], title: str) -> str:
    global _HTML  # pylint: disable=global-statement
    if _HTML is None:
        _HTML = _environment(True).from_string(HTML_TEMPLATE)
    return _HTML.render(page_view(report, title))


def render_markdown(report: Mapping[str, Any], title: str) -> str:
    global _MARKDOWN  # pylint: disable=global-statement
    if _MARKDOWN is None:
        _MARKDOWN = _environment(False).from_string(MARKDOWN_TEMPLATE)
    text = _MARKDOWN.render(page_view(report, title))
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
