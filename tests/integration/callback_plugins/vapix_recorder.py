# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test-only callback: one JSON line per task result, for the integration harness.

Not shipped with the collection (it lives under tests/). The harness enables it
with ANSIBLE_CALLBACKS_ENABLED and names the output file in
VAPIX_RECORDER_FILE; without that variable the callback records nothing.
"""

from __future__ import annotations

DOCUMENTATION = r"""
name: vapix_recorder
type: aggregate
short_description: Record every task result as JSON lines (test harness only)
description:
  - Writes one JSON object per task result (and per loop item) to the file named by
    E(VAPIX_RECORDER_FILE).
requirements:
  - enabled in callbacks_enabled
"""

import json
import os
import threading
from typing import Any, Dict, Optional

from ansible.plugins.callback import CallbackBase

RECORDER_FILE_ENV = "VAPIX_RECORDER_FILE"


def _to_jsonable(value: Any) -> Any:
    """Fallback for objects json does not know (2.19 warning summaries, tagged strings)."""
    for attribute in ("_asdict", "to_dict", "as_dict"):
        method = getattr(value, attribute, None)
        if callable(method):
            try:
                return method()
            except Exception:  # pylint: disable=broad-except
                break
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "vapix_recorder"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._path: Optional[str] = os.environ.get(RECORDER_FILE_ENV) or None
        self._lock = threading.Lock()
        self._play_name = ""

    def _write(self, record: Dict[str, Any]) -> None:
        if self._path is None:
            return
        line = json.dumps(record, default=_to_jsonable, sort_keys=True)
        with self._lock:
            with open(self._path, "a", encoding="utf-8") as handle:
                handle.write(line + "\n")

    def _record(self, result: Any, status: str, item: bool = False, ignored: bool = False) -> None:
        data = dict(result._result)
        if status == "ok" and data.get("changed"):
            status = "changed"
        self._write({
            "play": self._play_name,
            "task": result._task.get_name(),
            "action": getattr(result._task, "action", None),
            "host": result._host.get_name(),
            "status": status,
            "item": item,
            "ignored": ignored,
            "result": data,
        })

    def v2_playbook_on_play_start(self, play: Any) -> None:
        self._play_name = play.get_name()

    def v2_runner_on_ok(self, result: Any) -> None:
        self._record(result, "ok")

    def v2_runner_on_failed(self, result: Any, ignore_errors: bool = False) -> None:
        self._record(result, "failed", ignored=ignore_errors)

    def v2_runner_on_skipped(self, result: Any) -> None:
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result: Any) -> None:
        self._record(result, "unreachable")

    def v2_runner_item_on_ok(self, result: Any) -> None:
        self._record(result, "ok", item=True)

    def v2_runner_item_on_failed(self, result: Any) -> None:
        self._record(result, "failed", item=True)

    def v2_runner_item_on_skipped(self, result: Any) -> None:
        self._record(result, "skipped", item=True)
