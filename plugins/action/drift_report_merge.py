# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""vapix.acap.drift_report_merge: several drift.json files in, one fleet report out (on the controller)."""

from __future__ import annotations

import glob
import json
import os
from typing import Any, Dict, List, Optional

from ansible.plugins.action import ActionBase

from ansible_collections.vapix.acap.plugins.plugin_utils._drift_files import ReportFolder, ReportFolderError
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_report import (
    REPORT_FILES, merge_reports, write_report)

MAX_REPORT_BYTES = 256 * 1024 * 1024


def _expand(sources: List[str]) -> List[str]:
    """Files named, folders' drift.json, and pattern matches, each once, in the given order."""
    paths: List[str] = []
    for source in sources:
        source = os.path.expanduser(str(source))
        matches = sorted(glob.glob(source)) if glob.has_magic(source) else [source]
        for path in matches:
            if os.path.isdir(path):
                path = os.path.join(path, REPORT_FILES["json"])
            if path not in paths:
                paths.append(path)
    return paths


def _read(path: str) -> Optional[Any]:
    try:
        if os.path.getsize(path) > MAX_REPORT_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("src", "dest", "formats", "title"))

    def run(self, tmp: Any = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        result = super().run(tmp, task_vars)
        dummy, args = self.validate_argument_spec(argument_spec={
            "src": {"type": "list", "elements": "path", "required": True},
            "dest": {"type": "path", "required": True},
            "formats": {"type": "list", "elements": "str", "choices": list(REPORT_FILES),
                        "default": list(REPORT_FILES)},
            "title": {"type": "str", "default": "ACAP fleet drift report"},
        })
        paths = _expand(args["src"])
        if not paths:
            return dict(result, failed=True, msg="src names no file: %s" % ", ".join(args["src"]))
        documents = [_read(path) for path in paths]
        try:
            report = merge_reports(documents, paths)
        except ValueError as exc:
            return dict(result, failed=True, msg=str(exc))
        files: List[str] = []
        if not self._task.check_mode:
            try:
                with ReportFolder.open(os.path.abspath(args["dest"])) as folder:
                    files = write_report(folder, report, args["formats"], args["title"])
            except ReportFolderError as exc:
                return dict(result, failed=True, msg="the merged report cannot be written: %s" % exc)
        return dict(result, changed=bool(files), summary=report["summary"], sources=report["sources"], files=files)
