# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.html for a 7 am reader (docs/drift_report.md, "The page"), in headless Chromium: which side is the
camera and which the declaration, the camera's address on its card, the grouping by resource with long host
lists folded, counts that follow the filter, a neutral colour for a zero count, and a page usable at phone
width."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict

import pytest

from test_drift_html import CHROMIUM, Browser, COUNTS, VISIBLE_HOSTS
from test_drift_report import APP, Fleet

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium)")
STOPPED = 10  # more than the page shows before folding a host list


@pytest.fixture
def browser(tmp_path):
    opened = Browser(tmp_path / "chromium-profile")
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def stopped_fleet(devices, tmp_path) -> Dict[str, Any]:
    fleet = Fleet(devices(STOPPED + 2), tmp_path)
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    for camera in fleet.cameras[:STOPPED]:
        camera.patch_state({"applications": {APP: {"status": "Stopped"}}})
    fleet.cameras[STOPPED].patch_state({"config": {"AllowUnsigned": True}})
    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run
    return {"fleet": fleet, "run": run, "page": tmp_path / "report" / "drift.html"}


def test_the_page_for_the_morning_reader(browser, stopped_fleet, tmp_path):
    fleet, page = stopped_fleet["fleet"], stopped_fleet["page"]
    browser.open(page.as_uri())
    text = browser.evaluate("document.body.innerText")
    # The kind of run and the sides.
    assert browser.evaluate("document.getElementById('kind').textContent") == "Drift report"
    headers = browser.evaluate("Array.prototype.map.call(document.querySelectorAll('table.items th'),"
                               " function (e) { return e.textContent; }).slice(0, 6)")
    assert headers == ["resource", "what", "on the camera", "declared", "actions", "file · task"], headers
    assert "status\tStopped\tRunning" in text or "Stopped\tRunning" in text, text[:3000]
    first = fleet.cameras[0]
    assert "address %s:%d" % (first.host, first.port) in text, text[:3000]

    # Grouped by resource: one line for the ten stopped cameras, its host list folded after eight.
    groups = browser.evaluate("Array.prototype.map.call(document.querySelectorAll('table.groups tr'),"
                              " function (e) { return e.innerText; })")
    stopped_line = next(line for line in groups if "application:%s" % APP in line)
    assert "status Stopped (declared Running)" in stopped_line and "on %d cameras" % STOPPED in stopped_line, groups
    assert "and 2 more" in stopped_line, stopped_line
    assert browser.evaluate("document.querySelector('table.groups details.more').open") is False

    # Counts: a zero count is grey, a non-zero one is not; the counts follow the filter.
    colours = browser.evaluate("""(function () { var c = {};
      document.querySelectorAll('#counts [data-count]').forEach(function (e) {
        c[e.getAttribute('data-count')] = getComputedStyle(e.querySelector('b')).color; }); return c; })()""")
    assert colours["failed"] == colours["unreachable"] == colours["hosts"] == "rgb(87, 96, 106)", colours
    assert colours["drift"] != colours["failed"] and colours["in_sync"] != colours["failed"], colours
    browser.type_text("#filter", "allow_unsigned")
    counts = browser.evaluate(COUNTS)
    assert {key: value["number"] for key, value in counts.items()} == {
        "failed": 0, "unreachable": 0, "drift": 1, "not_declared": 0, "in_sync": 0, "hosts": 1}, counts
    colour = browser.evaluate("getComputedStyle(document.querySelector('[data-count=in_sync] b')).color")
    assert colour == "rgb(87, 96, 106)", colour

    # Phone width: nothing wider than the screen, the table cells stacked with their labels.
    browser.command("Emulation.setDeviceMetricsOverride", session=True, width=390, height=844,
                    deviceScaleFactor=2, mobile=True)
    browser.open(page.as_uri())
    width = browser.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    label = browser.evaluate("getComputedStyle(document.querySelector('table.items td.camera'), '::before').content")
    assert "on the camera" in label, label
    shots = os.environ.get("VAPIX_DRIFT_SCREENSHOTS")
    if shots:  # for a person to look at (docs/drift_report.md, "The page")
        browser.screenshot(Path(shots) / "phone.png", width=390, height=844)
    visible = [entry for entry in browser.evaluate(VISIBLE_HOSTS) if entry["visible"]]
    assert len(visible) == STOPPED + 1, visible
