# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fault matrix (issue 11): every write operation under every fault the emulator injects.

For each cell: the module's result (changed, failed, outcome_unknown) matches the device's state
afterwards as the emulator itself reports it; no exception other than the typed AcapError (so no
traceback reaches a user); the changing request is sent at most once (upload.cgi is resent only after
Error 12); and the number of requests is bounded. docs/reliability.md shows the matrix.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

import pytest

from acap_helpers import applications, changing_operations, connection, make_eap, operations
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError
from vapix_emulator.builders import build_license_key

APP, APP_ID = "ExampleApp", "414120"
TIMEOUT = 1.0  # the client's read timeout in this suite; the delay fault holds the write longer
DELAY = 2.0
MAX_REQUESTS = 16  # authenticated requests one cell may send, retries and confirmations included
# VAPIX_FAULT_MATRIX_OUT=file: each cell's outcome is appended there as a JSON line (docs/reliability.md's table).
OUTCOMES_FILE = os.environ.get("VAPIX_FAULT_MATRIX_OUT")


@dataclass
class Operation:
    module: str
    write: Tuple[str, Optional[str]]  # (cgi, action) of the changing request
    prepare: Callable[[Any, Path], Dict[str, Any]]  # sets the device up, returns the module's parameters
    done: Callable[[Any], bool]  # the emulator's own state shows the write done


def _install(device: Any, tmp_path: Path, version: str = "1.0.0", start: bool = False) -> str:
    package = make_eap(tmp_path, version=version)
    device.install(Path(package).read_bytes(), start=start)
    return package


def _app(device: Any) -> Dict[str, Any]:
    return applications(device).get("hello_world") or {}


def _licensed(device: Any, tmp_path: Path, with_key: bool) -> Dict[str, Any]:
    device.install(Path(make_eap(tmp_path, name=APP, application_id=APP_ID, licensed=True)).read_bytes())
    key = tmp_path / "key.xml"
    build_license_key(key, product=APP, productid=APP_ID, serial_number=device.serial_number,
                      expires=datetime.date(2031, 6, 30))
    if with_key:
        device.admin_post("/axis-cgi/applications/license.cgi", params={"action": "uploadlicensekey", "package": APP},
                          files={"licenseKey": ("key.xml", key.read_bytes())})
        return connection(device, name=APP, state="absent")
    return connection(device, name=APP, src=str(key))


OPERATIONS: Dict[str, Operation] = {
    "install": Operation("axis_acap", ("upload.cgi", None),
                         lambda d, t: connection(d, src=make_eap(t), state="present"),
                         lambda d: _app(d).get("version") == "1.0.0"),
    "upgrade": Operation("axis_acap", ("upload.cgi", None),
                         lambda d, t: (_install(d, t), connection(d, src=make_eap(t, version="1.1.0")))[1],
                         lambda d: _app(d).get("version") == "1.1.0"),
    "start": Operation("axis_acap", ("control.cgi", "start"),
                       lambda d, t: (_install(d, t), connection(d, name="hello_world", state="started"))[1],
                       lambda d: _app(d).get("status") == "Running"),
    "stop": Operation("axis_acap", ("control.cgi", "stop"),
                      lambda d, t: (_install(d, t, start=True), connection(d, name="hello_world", state="stopped"))[1],
                      lambda d: _app(d).get("status") == "Stopped"),
    "restart": Operation("axis_acap", ("control.cgi", "restart"),
                         lambda d, t: (_install(d, t, start=True),
                                       connection(d, name="hello_world", state="restarted"))[1],
                         lambda d: _app(d).get("status") == "Running"),
    "remove": Operation("axis_acap", ("control.cgi", "remove"),
                        lambda d, t: (_install(d, t), connection(d, name="hello_world", state="absent"))[1],
                        lambda d: "hello_world" not in applications(d)),
    "license_upload": Operation("axis_acap_license", ("license.cgi", "uploadlicensekey"),
                                lambda d, t: _licensed(d, t, with_key=False),
                                lambda d: applications(d)[APP]["license"] == "Valid"),
    "license_remove": Operation("axis_acap_license", ("license.cgi", "removelicensekey"),
                                lambda d, t: _licensed(d, t, with_key=True),
                                lambda d: applications(d)[APP]["license"] == "Missing"),
    "config_set": Operation("axis_acap_config", ("config.cgi", "set"),
                            lambda d, t: connection(d, allow_unsigned=True),
                            lambda d: d.state()["config"].get("AllowUnsigned") is True),
}

# fault name -> (emulator fault kind, extra fault fields, target: "write" or "first_read")
FAULTS: Dict[str, Tuple[str, Dict[str, Any], str]] = {
    "error_12_once": ("error_12", {"count": 1}, "write"),
    "error_12_always": ("error_12", {"count": 20}, "write"),
    "error_15_applied": ("error_15_applied", {}, "write"),
    "error_15_not_applied": ("error_15_not_applied", {}, "write"),
    "dropped_before_applying": ("drop_before", {}, "write"),
    "dropped_after_applying": ("drop_after", {}, "write"),
    "http_500": ("http_error", {"status": 500}, "write"),
    "http_503": ("http_error", {"status": 503}, "write"),
    "delay_past_timeout": ("delay", {"delay": DELAY}, "write"),
    "html_page_before_applying": ("html_login", {}, "write"),
    "html_page_after_applying": ("html_login_applied", {}, "write"),
    "truncated_xml_first_read": ("truncated_xml", {}, "first_read"),
    "truncated_xml_on_the_reread": ("truncated_xml", {"skip": 1}, "first_read"),
    # The first read is answered; every later request with the old password gets 401.
    "password_changed_mid_run": ("change_password", {"password": "changed-mid-run"}, "first_read"),
}


def _first_read(operation: Operation) -> Dict[str, str]:
    if operation.module == "axis_acap_config":
        return {"path": "config.cgi", "action": "get"}
    return {"path": "list.cgi"}


@pytest.mark.parametrize("fault_name", list(FAULTS))
@pytest.mark.parametrize("operation_name", list(OPERATIONS))
def test_fault_matrix(device, run_logic, tmp_path, operation_name, fault_name):
    operation = OPERATIONS[operation_name]
    kind, fields, target = FAULTS[fault_name]
    params = dict(operation.prepare(device, tmp_path), timeout=TIMEOUT)
    was_done = operation.done(device)
    assert not was_done or operation_name == "restart", "the operation must have something to do"
    device.clear_log()
    match = {"path": operation.write[0]}
    if operation.write[1]:
        match["action"] = operation.write[1]
    fields = dict(fields)
    count = fields.pop("count", 1)
    device.inject_fault(kind, count=count, match=match if target == "write" else _first_read(operation), **fields)

    started = time.monotonic()
    try:
        result = run_logic(operation.module, params)
        failed = False
    except AcapError as exc:  # any other exception is a traceback for the user: the test errors
        result, failed = exc.to_result(), True
        assert exc.message and "Traceback" not in exc.message
    if kind == "delay":
        time.sleep(max(0.0, DELAY + 0.5 - (time.monotonic() - started)))  # let the held write finish
    device.clear_faults()

    done = operation.done(device)
    changed = bool(result.get("changed"))
    unknown = bool(result.get("outcome_unknown"))
    if operation_name == "restart":
        # list.cgi cannot show a restart: the result is either a confirmed restart or an unknown outcome.
        assert done and (changed or failed), (result, fault_name)
    elif unknown:
        assert failed or done, result  # an unknown outcome that does not fail must at least not be false
    else:
        assert changed is done, "result %s but the device %s the write" % (
            {"changed": changed, "failed": failed}, "shows" if done else "does not show")
        assert failed is not done, result  # a failure that the device shows done, or an OK it does not, lies

    writes = [op for op in changing_operations(device) if op == operation.write]
    if OUTCOMES_FILE:
        outcome = "unknown" if unknown else ("failed" if failed else ("changed" if changed else "ok"))
        with open(OUTCOMES_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"operation": operation_name, "fault": fault_name, "outcome": outcome,
                                     "device": "done" if done else "not done", "writes": len(writes)}) + "\n")
    if operation.write[0] == "upload.cgi" and kind == "error_12":
        assert 1 <= len(writes) <= 4, writes  # resent only after Error 12, a bounded number of times
    elif operation_name == "restart":
        # A restart the state cannot prove is safe to repeat: sent once more after an unclear answer.
        assert len(writes) <= 2, "the restart was sent %d times" % len(writes)
    else:
        assert len(writes) <= 1, "the changing request was sent %d times" % len(writes)
    assert len(operations(device)) <= MAX_REQUESTS, operations(device)
