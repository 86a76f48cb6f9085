# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The drift report at fleet size: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_drift_report.py [--report demo-output/drift-report/drift.json]
        [--hosts 2000] [--drift 0.05] [--failed 0.01] [--unreachable 0.005]

Takes a drift.json written by a real run (``make demo`` leaves one in demo-output/drift-report/) and
makes a fleet of ``--hosts`` from its host entries (copies under new names, in the given shares of
drift, failed and unreachable; the rest in sync). Renders drift.md and drift.html with the callback's
own renderers and prints: render time, file sizes, and, when chromium is installed, the time headless
Chromium needs to open the page (navigation to the load event) and to apply a filter typed in the box.
"""

from __future__ import annotations

import argparse
import json
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
from ansible_collections.vapix.acap.plugins.plugin_utils._drift_render import render_html, render_markdown  # noqa: E402


def scaled_report(real: Dict[str, Any], hosts: int, shares: Dict[str, float]) -> Dict[str, Any]:
    by_status: Dict[str, List[Dict[str, Any]]] = {}
    for entry in real["hosts"].values():
        by_status.setdefault(entry["status"], []).append(entry)
    problems = [entry for status, entries in by_status.items() if status != "in_sync" for entry in entries]
    in_sync = by_status.get("in_sync") or [{"status": "in_sync", "items": [], "warnings": [], "error": None,
                                            "files": [], "resources_checked": 3}]
    counts = {status: int(round(hosts * share)) for status, share in shares.items()}
    fleet: Dict[str, Any] = {}
    index = 0
    for status, count in counts.items():
        templates = by_status.get(status) or problems or in_sync
        for number in range(count):
            index += 1
            fleet["cam-%05d" % index] = dict(templates[number % len(templates)], status=status)
    while index < hosts:
        index += 1
        fleet["cam-%05d" % index] = dict(in_sync[index % len(in_sync)])
    summary = {"hosts": hosts, "in_sync": 0, "drift": 0, "changed": 0, "failed": 0, "unreachable": 0}
    for entry in fleet.values():
        summary[entry["status"]] += 1
    return dict(real, hosts=fleet, summary=summary, since_previous=None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", default=str(REPO_ROOT / "demo-output" / "drift-report" / "drift.json"))
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--drift", type=float, default=0.05)
    parser.add_argument("--failed", type=float, default=0.01)
    parser.add_argument("--unreachable", type=float, default=0.005)
    args = parser.parse_args()
    real = json.loads(Path(args.report).read_text(encoding="utf-8"))
    report = scaled_report(real, args.hosts, {"drift": args.drift, "failed": args.failed,
                                              "unreachable": args.unreachable})
    print("hosts: %(hosts)d (in sync %(in_sync)d, drift %(drift)d, failed %(failed)d, unreachable %(unreachable)d)"
          % report["summary"])

    started = time.perf_counter()
    page = render_html(report, "ACAP drift report")
    html_seconds = time.perf_counter() - started
    started = time.perf_counter()
    markdown = render_markdown(report, "ACAP drift report")
    md_seconds = time.perf_counter() - started
    document = json.dumps(report, indent=1, ensure_ascii=False)
    page_path = WORK / "drift.html"
    page_path.write_text(page, encoding="utf-8")
    print("drift.html: %d bytes, rendered in %.3f s" % (len(page.encode()), html_seconds))
    print("drift.md:   %d bytes, rendered in %.3f s" % (len(markdown.encode()), md_seconds))
    print("drift.json: %d bytes" % len(document.encode()))

    try:
        from test_drift_html import CHROMIUM, Browser  # pylint: disable=import-outside-toplevel
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
            browser.open(page_path.as_uri())
            opened = time.perf_counter() - started
            started = time.perf_counter()
            browser.type_text("#filter", "cam-0100")
            shown = browser.evaluate("document.getElementById('shown').textContent")
            filtered = time.perf_counter() - started
            print("chromium, attempt %d: page open to load event %.3f s; filter 'cam-0100' applied in %.3f s (%s)"
                  % (attempt + 1, opened, filtered, shown))
    finally:
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
