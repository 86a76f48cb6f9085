# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report's recorder, renderer, files and merge, table-driven, without Ansible's event loop."""

from __future__ import annotations

import json
import os
import re

import pytest

from ansible_collections.vapix.acap.plugins.plugin_utils import _drift_history as history
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_files import ReportFolder, ReportFolderError
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_record import Recorder, host_status
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_render import render_html, render_markdown
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_report import build_report, merge_reports
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_text import clean_text, markdown_inline


@pytest.mark.parametrize("value, expected", [
    ("plain", "plain"),
    ("a\nb\tc\r\nd", "a b c d"),
    ("bell\x07esc\x1b[31m", "bell\\u0007esc\\u001b[31m"),
    ("lone \ud800 surrogate", "lone \ufffd surrogate"),
    (b"\xff\xfebytes", "\ufffd\ufffdbytes"),
    ("rtl \u202e override", "rtl \\u202e override"),
    (12, "12"),
])
def test_clean_text(value, expected):
    assert clean_text(value) == expected


def test_clean_text_cuts_long_strings():
    assert clean_text("x" * 3000).endswith("... (1000 characters cut)")


@pytest.mark.parametrize("value", ["# h", "a|b", "[l](u)", "<b>x</b>", "`c`", "*e*", "_u_", "\\"])
def test_markdown_inline_escapes_every_syntax_character(value):
    escaped = markdown_inline(value)
    assert re.search(r"(?<!\\)[#|\[\]()<>`*_]", escaped) is None, escaped


@pytest.mark.parametrize("unreachable, failed, items, checked, check_mode, status", [
    (True, True, [{"actions": []}], 3, True, "unreachable"),
    (False, True, [{"actions": []}], 3, True, "failed"),
    (False, False, [{"actions": ["start"]}], 3, True, "drift"),
    (False, False, [{"actions": ["start"]}], 3, False, "changed"),
    (False, False, [{"actions": []}], 3, False, "drift"),  # a kept newer version after a converge
    (False, False, [], 0, True, "not_declared"),
    (False, False, [], 2, True, "in_sync"),
])
def test_host_status(unreachable, failed, items, checked, check_mode, status):
    assert host_status(unreachable, failed, items, checked, check_mode) == status


def _record(resource, **extra):
    record = {"resource": resource, "changed": False, "actions": [], "before": {}, "after": {}, "warnings": []}
    record.update(extra)
    return record


def recorded_report(tolerate=()):
    recorder = Recorder(tolerate)
    recorder.play_started()
    recorder.result("cam-a", "Converge", {"resources": [
        _record("parameters:counter", not_comparable=["AdminPassword"]),
        _record("application:counter", difference="newer_than_declared", before={"version": "9.0"},
                after={"version": "9.0"}),
    ], "warnings": ["unknown role variable axis_camera_aplications: did you mean axis_camera_applications?"]},
        check_mode=True)
    recorder.result("cam-b", "Converge", {"resources": [], "warnings": ["something else"]}, check_mode=True)
    return build_report(recorder, True, "2026-12-05T01:00:00Z", ["drift.yml"])


def test_not_comparable_is_a_note_and_unknown_variables_lead_the_warnings():
    report = recorded_report()
    host = report["hosts"]["cam-a"]
    assert host["status"] == "drift" and [item["resource"] for item in host["items"]] == ["application:counter"]
    assert [note["not_comparable"] for note in host["notes"]] == [["AdminPassword"]]
    assert report["hosts"]["cam-b"]["status"] == "not_declared"
    assert report["warnings"][0]["warning"].startswith("unknown role variable")
    assert report["warnings"][0]["hosts"] == ["cam-a"]
    page = render_html(report, "T")
    assert "not comparable" in page and "AdminPassword" in page and "unknown role variable" in page
    markdown = render_markdown(report, "T")
    assert "not comparable" in markdown and "newer than declared" in markdown


def test_tolerated_differences_are_notes():
    host = recorded_report(tolerate=["newer_than_declared"])["hosts"]["cam-a"]
    assert host["status"] == "in_sync" and host["items"] == []
    assert [note["resource"] for note in host["notes"]] == ["parameters:counter", "application:counter"]


def test_files_are_written_without_following_a_planted_link(tmp_path):
    victim = tmp_path / "victim"
    victim.write_text("untouched")
    folder_path = tmp_path / "report"
    folder_path.mkdir()
    (folder_path / "drift.json").symlink_to(victim)
    with ReportFolder.open(str(folder_path)) as folder:
        folder.write_text("drift.json", "{}")
        assert folder.read_json("drift.json") == {}
        (folder_path / "linked").symlink_to(tmp_path)
        with pytest.raises(ReportFolderError):
            folder.subfolder("linked")
    assert victim.read_text() == "untouched" and not os.path.islink(folder_path / "drift.json")


def test_history_survives_any_shape_and_keeps_other_hosts(tmp_path):
    with ReportFolder.open(str(tmp_path)) as folder:
        with folder.subfolder("drift") as kind:
            kind.write_text(history.shard_file("cam-a"), json.dumps({"hosts": {"cam-a": {"status": [1]}}}))
        assert history.load_baseline(folder, "drift", ["cam-a"]) == {}
        history.save(folder, "drift", "t1", {"cam-a": {"status": "drift", "items": [{"resource": "r"}]}})
        history.save(folder, "drift", "t2", {"cam-b": {"status": "in_sync", "items": []}})
        baseline = history.load_baseline(folder, "drift", ["cam-a", "cam-b"])
    assert baseline["cam-a"] == {"status": "drift", "resources": ["r"], "started": "t1"}
    assert baseline["cam-b"]["started"] == "t2"


def test_merge_keeps_the_latest_entry_and_names_what_it_skipped():
    first = recorded_report()
    second = json.loads(json.dumps(first))
    second["finished"] = "2099-01-01T00:00:00Z"
    second["hosts"] = {"cam-b": dict(second["hosts"]["cam-b"], status="in_sync", resources_checked=1),
                       "cam-c": second["hosts"]["cam-b"]}
    merged = merge_reports([first, ["not", "a", "report"], second], ["1.json", "2.json", "3.json"])
    assert merged["hosts"]["cam-b"]["status"] == "in_sync" and set(merged["hosts"]) == {"cam-a", "cam-b", "cam-c"}
    assert merged["summary"]["hosts"] == 3 and merged["sources"][1]["skipped"]
    assert "<!DOCTYPE html>" in render_html(merged, "Fleet")
    with pytest.raises(ValueError):
        merge_reports([{}], ["x.json"])


def test_a_changed_record_shows_its_hidden_values_as_not_comparable():
    recorder = Recorder()
    recorder.play_started()
    recorder.result("cam-a", "T", {"resources": [_record("parameters:x", changed=True, actions=["set A=1"],
                                                         before={"A": "0"}, after={"A": "1"},
                                                         not_comparable=["Pw"])]}, check_mode=True)
    report = build_report(recorder, True, "s", [])
    rows = [line for line in render_markdown(report, "t").splitlines() if "Pw" in line]
    assert rows == ["| parameters:x | A; not comparable (hidden by the camera): Pw | 0 | 1 | set A=1 |  | T |"]
    assert "not comparable (hidden by the camera): \nPw" not in render_html(report, "t")


def test_failures_group_by_message_without_the_cameras_address():
    from ansible_collections.vapix.acap.plugins.plugin_utils._drift_render import resource_groups

    recorder = Recorder()
    recorder.play_started()
    for number in range(3):
        recorder.result("cam-%d" % number, "T", {"failed": True, "msg": "HTTP 401 from 10.0.0.%d:443: check it"
                                                 % number}, check_mode=True, failed=True)
    groups = resource_groups(build_report(recorder, True, "s", []))
    assert groups == [{"resource": "failed", "what": "HTTP 401 from <address>: check it",
                       "hosts": ["cam-0", "cam-1", "cam-2"]}]
