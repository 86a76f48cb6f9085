# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report at fleet size: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_drift_report.py [--hosts 10000] [--drift 0.05] [--failed 0.01]
        [--unreachable 0.005] [--keep DIR] [--screenshot PNG]

Feeds the callback plugin ``vapix.acap.drift_report`` itself a synthetic event stream: one result of the camera
role's task per camera, shaped like ``axis_acap_state``'s (a setting, two applications, a license), in the
given shares of drift, failed and unreachable cameras. Then lets it write the report as at the end of a run
(drift.json, drift.md, drift.html and the history, twice: without and with a previous history), and prints the
seconds, the peak memory of the process and the file sizes; when chromium is installed, the time headless
Chromium needs to open drift.html (navigation to the load event) and to apply a filter typed in the box.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

REPO_ROOT = Path(__file__).resolve().parents[2]
WORK = Path(tempfile.mkdtemp(prefix="vapix-bench-drift-"))
(WORK / "ansible_collections" / "vapix").mkdir(parents=True)
(WORK / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
sys.path.insert(0, str(WORK))
sys.path.insert(0, str(REPO_ROOT / "tests" / "integration"))

# pylint: disable=wrong-import-position
from ansible.plugins.loader import callback_loader, init_plugin_loader  # noqa: E402

init_plugin_loader([str(WORK)])


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def get_name(self) -> str:
        return self.name


class Task(Named):
    resolved_action = "vapix.acap.axis_acap_state"
    check_mode = True
    _role = None


class Result:
    def __init__(self, host: str, task: Task, data: Dict[str, Any]) -> None:
        self._host = Named(host)
        self._task = task
        self._result = data


def record(name: str, changed: bool, before: Any, after: Any, actions: List[str]) -> Dict[str, Any]:
    return {"resource": name, "changed": changed, "actions": actions if changed else [], "before": before,
            "after": after, "source": "/srv/acap/files/peoplecounter_2_1_0_aarch64.eap" if changed else None,
            "warnings": [], "outcome_unknown": False}


def camera_result(index: int, status: str) -> Dict[str, Any]:
    drift = status == "drift"
    app = {"name": "peoplecounter", "version": "2.1.0", "status": "Running", "license": "Valid"}
    resources = [
        record("setting:allow_unsigned", drift and index % 3 == 0, True, False, ["set AllowUnsigned=false"]),
        record("application:peoplecounter", drift and index % 3 != 0, dict(app, status="Stopped"), app, ["start"]),
        record("application:hello_world", False, {"name": "hello_world", "version": "1.1.0", "status": "Running"},
               {"name": "hello_world", "version": "1.1.0", "status": "Running"}, []),
        record("license:peoplecounter", False, {"status": "Valid"}, {"status": "Valid"}, []),
    ]
    data: Dict[str, Any] = {"changed": drift, "resources": resources, "warnings": [],
                            "device": {"address": "10.%d.%d.%d:443" % (index >> 16, (index >> 8) & 255, index & 255)}}
    if status == "failed":
        data = {"failed": True, "msg": "Authentication failed (HTTP 401) for 10.0.0.%d: check the password" % (index % 250),
                "error_code": None, "resources": []}
    if status == "unreachable":
        data = {"failed": True, "unreachable": True, "msg": "Connection refused by 10.0.0.%d:443" % (index % 250)}
    return data


def statuses(hosts: int, shares: Dict[str, float]) -> List[str]:
    plan = []
    for status, share in shares.items():
        plan += [status] * int(round(hosts * share))
    plan += ["in_sync"] * (hosts - len(plan))
    # Spread the problems over the fleet.
    return [plan[(index * 7919) % hosts] for index in range(hosts)] if hosts % 7919 else plan


def run_once(hosts: int, shares: Dict[str, float], folder: Path) -> Dict[str, Any]:
    callback = callback_loader.get("vapix.acap.drift_report")
    callback.set_options(direct={"report_dir": str(folder)})
    task = Task("vapix.acap.camera : Converge the camera")
    started = time.perf_counter()
    callback.v2_playbook_on_start(Named("drift.yml"))
    callback.v2_playbook_on_play_start(Named("cameras"))
    for index, status in enumerate(statuses(hosts, shares)):
        result = Result("cam-%05d" % index, task, camera_result(index, status))
        if status == "in_sync" or status == "drift":
            callback.v2_runner_on_ok(result)
        else:
            callback.v2_runner_on_failed(result)
    events = time.perf_counter() - started
    started = time.perf_counter()
    callback.v2_playbook_on_stats(None)
    written = time.perf_counter() - started
    return {"events": events, "written": written}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=10000)
    parser.add_argument("--drift", type=float, default=0.05)
    parser.add_argument("--failed", type=float, default=0.01)
    parser.add_argument("--unreachable", type=float, default=0.005)
    parser.add_argument("--keep", help="write the report into this folder (default: a temporary one)")
    parser.add_argument("--screenshot", help="save a screenshot of drift.html (1280 px wide, the top 2400 px)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else WORK / "report"
    shares = {"drift": args.drift, "failed": args.failed, "unreachable": args.unreachable}
    for attempt in ("first run (no history)", "second run (history of every camera)"):
        times = run_once(args.hosts, shares, folder)
        print("%s: %d cameras: %.2f s to record the events, %.2f s to write the report and the history"
              % (attempt, args.hosts, times["events"], times["written"]))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print("peak memory (max RSS of this process): %.0f MiB" % peak)
    for name in ("drift.json", "drift.md", "drift.html"):
        print("%s: %d bytes" % (name, (folder / name).stat().st_size))
    return browser_timings(folder / "drift.html", args.screenshot)


def browser_timings(page: Path, screenshot: Any) -> int:
    try:
        from test_drift_html import CHROMIUM, Browser, save_screenshot  # pylint: disable=import-outside-toplevel
    except ImportError as exc:
        print("chromium timings skipped: %s" % exc)
        return 0
    if CHROMIUM is None:
        print("chromium timings skipped: chromium is not installed")
        return 0
    browser = Browser(WORK / "profile")
    try:
        for attempt in range(3):
            started = time.perf_counter()
            browser.open(page.as_uri())
            opened = time.perf_counter() - started
            started = time.perf_counter()
            browser.type_text("#filter", "cam-0100")
            shown = browser.evaluate("document.getElementById('shown').textContent")
            filtered = time.perf_counter() - started
            print("chromium, attempt %d: page open to load event %.3f s; filter 'cam-0100' applied in %.3f s (%s)"
                  % (attempt + 1, opened, filtered, shown))
    finally:
        browser.close()
    if screenshot:
        save_screenshot(page, Path(screenshot), WORK / "profile-shot", width=1280, height=2400)
    return 0


if __name__ == "__main__":
    sys.exit(main())
