# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Requests a converged camera costs when application parameters are declared: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_parameter_requests.py

Starts one emulated camera (loopback, stopped at the end), installs an application that declares
parameters (an int, a string, a password), converges it in-process, then runs each task below once
more on the converged camera and prints the authenticated requests it sent, by CGI and action (the
Digest challenge of each new client is counted apart). Runs on any version of the collection (it
passes no option a version may lack), so the same script gives the before and after figures of
docs/performance.md.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Tuple

REPO_ROOT = Path(__file__).resolve().parents[2]
WORK = Path(tempfile.mkdtemp(prefix="vapix-bench-parameters-"))
(WORK / "ansible_collections" / "vapix").mkdir(parents=True)
(WORK / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
sys.path.insert(0, str(WORK))
sys.path.insert(0, str(REPO_ROOT / "tests" / "emulator"))

# pylint: disable=wrong-import-position
from ansible_collections.vapix.acap.plugins.module_utils import _info, _parameters, _state  # noqa: E402
from ansible_collections.vapix.acap.plugins.module_utils._module import run_in_process  # noqa: E402
from vapix_emulator.builders import build_eap  # noqa: E402
from vapix_emulator.launcher import DeviceHooks, start_emulator  # noqa: E402

APP = "bench_params"
DECLARED = [
    {"name": "Threshold", "default": "50", "type": "int:min=0,max=100"},
    {"name": "Label", "default": "door", "type": "string"},
    {"name": "ApiKey", "default": "", "type": "password"},
]
PLAIN = {"Threshold": 40, "Label": "entrance"}
SECRET = {"ApiKey": "bench-secret-key"}


def requests_of(hook: DeviceHooks) -> Tuple[List[str], int]:
    entries = hook.log()
    hook.clear_log()
    sent = ["%s %s" % (entry["path"].rsplit("/", 1)[-1], (entry.get("args") or {}).get("action") or "")
            for entry in entries if entry["status"] != 401]
    return sent, sum(1 for entry in entries if entry["status"] == 401)


def main() -> None:
    package = str(WORK / "bench_params.eap")
    build_eap(package, name=APP, version="1.0.0", architecture="all", signed=True, parameters=DECLARED)
    emulator = start_emulator(1, WORK / "emulator", https=False, ready_timeout=120.0)
    try:
        device = emulator.devices[0]
        hook = DeviceHooks(device["host"], device["port"])
        connection = {"hostname": device["host"], "port": device["port"], "use_https": False,
                      "username": "root", "password": "pass"}
        app: Dict[str, Any] = {"name": APP, "src": [package], "state": "started"}
        tasks: List[Tuple[str, Any, Dict[str, Any]]] = [
            ("axis_acap_state, application without parameters", _state.MODULE_SPEC,
             dict(connection, applications=[app])),
            ("axis_acap_state, plain parameters", _state.MODULE_SPEC,
             dict(connection, applications=[dict(app, parameters=PLAIN)])),
            ("axis_acap_state, plain + a password the device hides", _state.MODULE_SPEC,
             dict(connection, applications=[dict(app, parameters=PLAIN, secret_parameters=SECRET)])),
            ("axis_acap_parameters, plain parameters", _parameters.MODULE_SPEC,
             dict(connection, name=APP, parameters=PLAIN)),
            ("axis_acap_info", _info.MODULE_SPEC, dict(connection)),
            ("axis_acap_state, state: gathered", _state.MODULE_SPEC, dict(connection, state="gathered")),
        ]
        # Converge once (the password is set), then measure each task on the converged camera.
        run_in_process(_state.MODULE_SPEC, dict(connection, applications=[dict(app, parameters=PLAIN,
                                                                               secret_parameters=SECRET)]))
        requests_of(hook)
        print("requests a converged camera costs (authenticated requests; Digest challenges apart)")
        for label, spec, params in tasks:
            result = run_in_process(spec, params)
            sent, challenges = requests_of(hook)
            counted = ", ".join("%s x%d" % item if item[1] > 1 else item[0] for item in Counter(sent).items())
            print("  %-58s %d  (%s) + %d challenge; changed=%s"
                  % (label, len(sent), counted, challenges, result.get("changed")))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
