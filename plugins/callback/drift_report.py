# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Drift report: what differs per camera, as drift.json, drift.md and drift.html.

This file turns Ansible's events into calls of the recorder (plugin_utils/_drift_record.py); the
report document, its pages and its files are in plugin_utils/_drift_report.py, _drift_render.py,
_drift_history.py and _drift_files.py.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: drift_report
type: aggregate
short_description: Write a per-camera drift report (JSON, Markdown, HTML) of the vapix.acap tasks of a run
description:
  - Records, for every task of the collection's camera modules (C(vapix.acap.axis_*)), each resource that differs
    from its declaration
    (V(setting:allow_unsigned), V(application:NAME), V(license:NAME), V(parameters:NAME), V(removed:NAME),
    V(undeclared:NAME)) per host, with the camera's side and the declared side, the planned (check mode) or done
    actions, the task name and the file chosen, the warnings of that host, and the camera's address, model and
    firmware when the result carries them. A task that reports a change without C(resources) (its output hidden
    by C(no_log), for example) is recorded as C(task:NAME) with a warning, never as in sync.
  - It reads only the C(resources), C(device), C(changed), C(failed), C(unreachable), C(msg), C(error_code),
    C(warnings) and C(censored) keys of a result (for a loop, the same keys of each item of C(results), and the
    item's label), never a task's arguments, so no password or license key content reaches the report. Every
    string is cleaned (control characters shown as code points, invalid text replaced, long strings cut) before
    it reaches a file.
  - 'A host is V(failed) when any of its tasks failed (module message and C(error_code) kept), V(unreachable) when
    Ansible could not reach it or the module could not reach the camera, V(not_declared) when its tasks checked no
    resource at all (nothing declared for it, often a misspelled variable name); none of these is in sync.'
  - In check mode (every task of the collection ran in check mode) a host that differs has status V(drift);
    otherwise the report is a change log and a host where something was done has status V(changed).
  - A newer version than the declared package, and an application installed on the camera that nobody declared,
    count as V(drift) unless O(tolerate) names them; then they are shown on the card as notes.
  - At the end of the run it writes C(drift.json) (schema in the collection's C(docs/drift-report.schema.json)),
    C(drift.md) and C(drift.html) (one self-contained page) into O(report_dir), each as a temporary file renamed
    over the old one, and prints one summary line with the counts and the report's path. A play of the run that
    defines the variable C(vapix_acap_drift_report) gets the report so far (counts and each host's status) when
    it starts; the V(vapix.acap.drift) playbook's last play publishes it with M(ansible.builtin.set_stats) and
    sets the exit status from it.
  - Each host's result is kept per kind of run (check mode or change log) in O(history_dir); the next run of the
    same kind marks, per host, what is new and what was fixed since then. A run replaces the history of the
    hosts it checked only.
  - When the report folder or the history folder cannot be written, the run stops with exit status 1. The report
    folder is checked when the playbook starts (and again at the end), the history folder when it is written at
    the end. A history that cannot be read is a warning, and the run compares with no history.
version_added: 0.2.0
requirements:
  - enable it in C(callbacks_enabled) (C(ansible.cfg) C([defaults]) section) or with E(ANSIBLE_CALLBACKS_ENABLED)
options:
  report_dir:
    description:
      - Directory the report is written to; created when missing. A relative path is relative to the
        directory C(ansible-playbook) runs in.
      - When not set, C(drift-report) in the job's artifact folder under ansible-runner (AWX and Automation
        Platform, where the runner exports it as E(AWX_ISOLATED_DATA_DIR)), else C(drift-report) in the current
        directory.
    type: path
    env:
      - name: ACAP_DRIFT_REPORT_DIR
    ini:
      - section: vapix_acap_drift_report
        key: report_dir
  history_dir:
    description:
      - Directory of each host's last result per kind of run, the baseline of "since the previous report".
        When not set, C(history) inside O(report_dir).
      - Under AWX the job's artifact folder is discarded after the job; set this to a persistent folder (a
        volume mounted into the execution environment) to keep history between jobs.
    type: path
    version_added: 0.3.0
    env:
      - name: ACAP_DRIFT_REPORT_HISTORY_DIR
    ini:
      - section: vapix_acap_drift_report
        key: history_dir
  formats:
    description:
      - Which files to write besides the summary line; the others are left as they are. C(drift.json) is what
        the V(vapix.acap.merge_reports) playbook reads.
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
      - Title of the Markdown and HTML reports (the kind of run, drift report or change log, is added to it).
    type: str
    default: ACAP drift report
    env:
      - name: ACAP_DRIFT_REPORT_TITLE
    ini:
      - section: vapix_acap_drift_report
        key: title
  tolerate:
    description:
      - Differences that are shown on the camera's card but not counted as drift.
      - V(newer_than_declared) a newer version of an application than its declared package (the role keeps it).
      - V(installed_not_declared) an application on the camera that is not declared (the role leaves it unless
        C(axis_camera_exclusive) is true).
    type: list
    elements: str
    choices: [newer_than_declared, installed_not_declared]
    default: []
    version_added: 0.3.0
    env:
      - name: ACAP_DRIFT_REPORT_TOLERATE
    ini:
      - section: vapix_acap_drift_report
        key: tolerate
notes:
  - The report, its history and the V(vapix.acap.drift) playbook are described in the collection's
    C(docs/drift_report.md); running under AWX and ansible-runner in C(docs/awx.md).
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

import os
from typing import Any, Dict, List, Optional

from ansible import context
from ansible.plugins.callback import CallbackBase

from ansible_collections.vapix.acap.plugins.plugin_utils import _drift_history as history
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_files import (
    ReportFolder, ReportFolderError, default_report_dir)
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_record import Recorder
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_report import (
    REPORT_FILES, build_report, now, published, summary_line, write_report)

COLLECTION_PREFIX = "vapix.acap."
# The camera modules; other actions of the collection (drift_report_merge) are not about a camera.
CAMERA_ACTION_PREFIX = "vapix.acap.axis_"
# A play that defines this variable gets the report so far when it starts (see _expose()).
EXPOSED_VARIABLE = "vapix_acap_drift_report"
# Exit status of a run whose report cannot be written (ansible-playbook's own: 2 failed hosts, 4 unreachable).
WRITE_FAILED_EXIT = 1


def _check_mode_of(task: Any) -> Optional[bool]:
    """Whether the task ran in check mode; None when the task does not say (it then decides nothing)."""
    value = getattr(task, "check_mode", None)
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return value if isinstance(value, bool) else None


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "vapix.acap.drift_report"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._recorder: Optional[Recorder] = None
        self._started = now()
        self._playbooks: List[str] = []
        self._baselines: Dict[str, Dict[str, Any]] = {}
        self._reading_play = False  # the current play reads the report (defines EXPOSED_VARIABLE)

    @property
    def recorder(self) -> Recorder:
        if self._recorder is None:  # options are set after __init__
            self._recorder = Recorder(self.get_option("tolerate") or [])
        return self._recorder

    # ------------------------------------------------------------------ events

    @staticmethod
    def _collection_action(task: Any) -> bool:
        action = getattr(task, "resolved_action", None) or getattr(task, "action", "") or ""
        return str(action).startswith(CAMERA_ACTION_PREFIX)

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

    def _record(self, result: Any, failed: bool = False, ignored: bool = False) -> None:
        task = result._task
        host = result._host.get_name()
        if not self._collection_action(task):
            if failed and not ignored and not self._reading_play:
                self.recorder.other_failure(host, task.get_name(), result._result.get("msg"), False,
                                            self._collection_role(task))
            return
        self.recorder.result(host, task.get_name(), result._result, _check_mode_of(task), failed=failed,
                             ignored=ignored)

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result)

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, failed=True, ignored=ignore_errors)

    def v2_runner_on_skipped(self, result: Any) -> None:
        if self._collection_action(result._task):
            self.recorder.collection_task_seen(result._host.get_name(), _check_mode_of(result._task))

    def v2_runner_on_unreachable(self, result: Any) -> None:
        host = result._host.get_name()
        if self._collection_action(result._task):
            self.recorder.collection_task_seen(host, _check_mode_of(result._task)).fail(
                result._task.get_name(), result._result.get("msg"), unreachable=True)
        elif not self._reading_play:
            self.recorder.other_failure(host, result._task.get_name(), result._result.get("msg"), True,
                                        self._collection_role(result._task))

    def v2_playbook_on_no_hosts_remaining(self) -> None:
        self.recorder.play_stopped()

    def v2_playbook_on_start(self, playbook: Any) -> None:
        self._playbooks.append(os.path.basename(str(getattr(playbook, "_file_name", "") or "")))
        # Refuse to run when the report cannot be written: better now than after every camera was checked.
        try:
            ReportFolder.check(self._report_dir())
        except ReportFolderError as exc:
            self._stop(exc)

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self.recorder.play_ended()
        self.recorder.play_started()
        # A later play of the same run (the drift playbook's last one) asks for the report so far by
        # defining the variable; it gets the data before its tasks are templated.
        play_vars = getattr(play, "vars", None)
        # Such a play reads the report (the drift playbook's verdict): its failures are no camera's.
        self._reading_play = isinstance(play_vars, dict) and EXPOSED_VARIABLE in play_vars
        if self._reading_play:
            play_vars[EXPOSED_VARIABLE] = self._expose()

    def v2_playbook_on_stats(self, stats: Any) -> None:
        self.recorder.play_ended()
        if not self.recorder.hosts:
            self._display.display("drift_report: no task of vapix.acap ran; no report written", screen_only=True)
            return
        try:
            report, path = self._write()
        except ReportFolderError as exc:
            self._stop(exc)
        self._display.display(summary_line(report, path), screen_only=True)

    # ------------------------------------------------------------------ the report

    def _stop(self, exc: Exception) -> None:
        self._display.error("drift_report: the report cannot be written, so the run fails: %s. Set report_dir "
                            "(ACAP_DRIFT_REPORT_DIR) to a folder this user can write." % exc)
        raise SystemExit(WRITE_FAILED_EXIT)

    def _report_dir(self) -> str:
        return os.path.abspath(os.path.expanduser(str(self.get_option("report_dir") or default_report_dir())))

    def _history_folder(self) -> ReportFolder:
        """The history folder: history_dir, else ``history`` inside the report folder (never through a link)."""
        configured = self.get_option("history_dir")
        if configured:
            return ReportFolder.open(os.path.abspath(os.path.expanduser(str(configured))))
        with ReportFolder.open(self._report_dir()) as report_folder:
            return report_folder.subfolder("history")

    def _formats(self) -> List[str]:
        return [fmt for fmt in REPORT_FILES if fmt in (self.get_option("formats") or [])]

    def _check_mode(self) -> bool:
        return self.recorder.check_mode(bool(context.CLIARGS.get("check", False)))

    def _baseline(self, check_mode: bool) -> Dict[str, Any]:
        """Each host's last entry of this kind of run (read once per kind; a broken history is no history)."""
        kind = history.kind_of(check_mode)
        if kind not in self._baselines:
            try:
                with self._history_folder() as folder:
                    self._baselines[kind] = history.load_baseline(folder, kind, self.recorder.host_names())
            except ReportFolderError as exc:
                self._display.warning("drift_report: the history cannot be read: %s" % exc)
                self._baselines[kind] = {}
        return self._baselines[kind]

    def _expose(self) -> Dict[str, Any]:
        check_mode = self._check_mode()
        report = build_report(self.recorder, check_mode, self._started, self._playbooks, self._baseline(check_mode))
        report_dir = self._report_dir()
        return published(report, report_dir, [os.path.join(report_dir, REPORT_FILES[fmt]) for fmt in self._formats()])

    def _write(self) -> Any:
        check_mode = self._check_mode()
        self._baselines.pop(history.kind_of(check_mode), None)  # hosts may have joined since a play start
        baseline = self._baseline(check_mode)
        report = build_report(self.recorder, check_mode, self._started, self._playbooks, baseline)
        formats = self._formats()
        title = str(self.get_option("title") or "ACAP drift report")
        with ReportFolder.open(self._report_dir()) as folder:
            written = write_report(folder, report, formats, title, baseline)
        with self._history_folder() as folder:
            history.save(folder, history.kind_of(check_mode), self._started, report["hosts"])
        preferred = [path for path in written if path.endswith(".html")] or written or [self._report_dir()]
        return report, preferred[0]
