# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""drift.html in a real browser: headless Chromium opens the page a real run wrote, from disk, and the
test reads what a person sees (the counts, the order of the cameras, the filter narrowing the list,
the in-sync cameras folded away) and every request the page made.

Chromium is driven through the DevTools protocol over a pipe (``--remote-debugging-pipe``: JSON
messages separated by NUL bytes on file descriptors 3 and 4), so no websocket library is needed.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from test_drift_report import APP, Fleet, closed_port, WRONG_PASSWORD

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian: apt-get install -y chromium); the HTML report cannot be checked in a browser")
BROWSER_TIMEOUT = 60.0


class Browser:
    """Headless Chromium and one page, driven with DevTools protocol commands over a pipe."""

    def __init__(self, profile_dir: Path) -> None:
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()
        command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                   "--no-first-run", "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--user-data-dir=%s" % profile_dir, "--window-size=1280,900",
                   # Nothing on this machine may be reached by name, whatever a page asks for.
                   "--host-resolver-rules=MAP * ~NOTFOUND", "about:blank"]

        # The browser reads commands on fd 3 and writes answers on fd 4. Both ends are first moved above
        # fd 10, so that placing one on 3 or 4 cannot overwrite the other; dup2 makes them inheritable.
        child_read = fcntl.fcntl(to_browser_read, fcntl.F_DUPFD_CLOEXEC, 10)
        child_write = fcntl.fcntl(from_browser_write, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_read)
        os.close(from_browser_write)

        def child_fds() -> None:
            os.dup2(child_read, 3)
            os.dup2(child_write, 4)

        try:
            self.process = subprocess.Popen(command, close_fds=False, preexec_fn=child_fds,  # noqa: S603
                                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
        finally:
            os.close(child_read)
            os.close(child_write)
        self._buffer = b""
        self._next_id = 0
        self.events: List[Dict[str, Any]] = []
        target = self.command("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.command("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.command("Page.enable", session=True)
        self.command("Network.enable", session=True)
        self.command("Runtime.enable", session=True)

    def _read_message(self, deadline: float) -> Dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("chromium did not answer within %.0f s" % BROWSER_TIMEOUT)
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe (exit code %s)" % self.process.poll())
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def command(self, method: str, session: bool = False, **params: Any) -> Dict[str, Any]:
        self._next_id += 1
        message: Dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + BROWSER_TIMEOUT
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError("%s failed: %s" % (method, answer["error"]))
                return answer.get("result", {})
            self.events.append(answer)

    def wait_for(self, method: str) -> Dict[str, Any]:
        deadline = time.monotonic() + BROWSER_TIMEOUT
        for index, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(index)
        while True:
            event = self._read_message(deadline)
            if event.get("method") == method:
                return event
            self.events.append(event)

    def open(self, url: str) -> None:
        self.events.clear()
        self.command("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.command("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError("page script failed: %s" % result["exceptionDetails"])
        return result["result"].get("value")

    def type_text(self, selector: str, text: str) -> None:
        """Focus the element and type, as a keyboard would (the page sees input events)."""
        self.evaluate("document.querySelector(%s).focus()" % json.dumps(selector))
        self.command("Input.insertText", session=True, text=text)

    def requested_urls(self) -> List[str]:
        return [event["params"]["request"]["url"] for event in self.events
                if event.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path, width: int = 1280, height: int = 900) -> None:
        self.command("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                     deviceScaleFactor=1, mobile=False)
        data = self.command("Page.captureScreenshot", session=True, format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            os.write(self._to_browser, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)


@pytest.fixture
def browser(tmp_path):
    opened = Browser(tmp_path / "chromium-profile")
    try:
        yield opened
    finally:
        opened.close()


# What a person sees: visible host entries in page order, the counts, the filter's line.
VISIBLE_HOSTS = """
Array.prototype.map.call(document.querySelectorAll('section.host, li.sync'), function (e) {
  return {name: e.id ? e.id.slice(5) : e.textContent.trim().split(' ')[0], status: e.getAttribute('data-status'),
          visible: e.checkVisibility()};
})
"""
COUNTS = """
(function () { var counts = {};
  document.querySelectorAll('#counts [data-count]').forEach(function (e) {
    counts[e.getAttribute('data-count')] = {number: parseInt(e.querySelector('b').textContent, 10),
                                            visible: e.checkVisibility()}; });
  return counts; })()
"""


@pytest.fixture
def fleet_report(devices, tmp_path) -> Dict[str, Any]:
    """A real run: six cameras converged by the role, then one stopped, one setting flipped, one with a wrong
    password, one unreachable; the drift playbook writes the report."""
    fleet = Fleet(devices(6), tmp_path)
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    stopped, flipped, wrong_password, unreachable = fleet.cameras[:4]
    stopped.patch_state({"applications": {APP: {"status": "Stopped"}}})
    flipped.patch_state({"config": {"AllowUnsigned": True}})
    fleet.overrides[wrong_password.inventory_name] = {"axis_password": WRONG_PASSWORD}
    fleet.overrides[unreachable.inventory_name] = {"axis_port": closed_port(unreachable)}
    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run
    return {"dir": tmp_path / "report", "report": run.report, "drifted": [stopped.inventory_name,
                                                                          flipped.inventory_name]}


def test_the_page_shows_counts_problems_first_and_filters(browser, fleet_report):
    report: Dict[str, Any] = fleet_report["report"]
    page = fleet_report["dir"] / "drift.html"
    browser.open(page.as_uri())

    counts = browser.evaluate(COUNTS)
    assert {key: value["number"] for key, value in counts.items()} == {
        "failed": report["summary"]["failed"], "unreachable": report["summary"]["unreachable"],
        "drift": report["summary"]["drift"], "not_declared": report["summary"]["not_declared"],
        "in_sync": report["summary"]["in_sync"], "hosts": report["summary"]["hosts"]}, counts
    assert all(value["visible"] for value in counts.values()), counts
    assert report["summary"]["drift"] == 2 and report["summary"]["in_sync"] == 2, report["summary"]
    assert report["summary"]["failed"] + report["summary"]["unreachable"] == 2, report["summary"]

    shown = browser.evaluate(VISIBLE_HOSTS)
    visible = [entry for entry in shown if entry["visible"]]
    # Failed and unreachable first, then drift; in-sync cameras are folded away (present, not visible).
    statuses = [entry["status"] for entry in visible]
    assert statuses == sorted(statuses, key=["failed", "unreachable", "drift"].index), statuses
    assert len(visible) == 4, shown
    assert sorted(entry["name"] for entry in visible if entry["status"] == "drift") == sorted(fleet_report["drifted"])
    folded = [entry for entry in shown if entry["status"] == "in_sync"]
    assert len(folded) == 2 and not any(entry["visible"] for entry in folded), shown
    # What differs is on the page: the drifted application and the setting.
    text = browser.evaluate("document.body.innerText")
    assert "application:%s" % APP in text and "setting:allow_unsigned" in text, text[:3000]

    # Typing a camera's name narrows the list to that camera.
    target = fleet_report["drifted"][0]
    browser.type_text("#filter", target)
    visible_now = [entry["name"] for entry in browser.evaluate(VISIBLE_HOSTS) if entry["visible"]]
    assert visible_now == [target], visible_now
    assert browser.evaluate("document.getElementById('shown').textContent") == "1 of 6 hosts match"
    # Typing a resource kind keeps the cameras that have it; an in-sync camera's name unfolds it.
    browser.evaluate("var b = document.getElementById('filter'); b.value = ''; "
                     "b.dispatchEvent(new Event('input'))")
    browser.type_text("#filter", "allow_unsigned")
    assert [entry["name"] for entry in browser.evaluate(VISIBLE_HOSTS) if entry["visible"]] == \
        [fleet_report["drifted"][1]]
    in_sync_name = next(name for name, host in report["hosts"].items() if host["status"] == "in_sync")
    browser.evaluate("var b = document.getElementById('filter'); b.value = ''; "
                     "b.dispatchEvent(new Event('input'))")
    browser.type_text("#filter", in_sync_name)
    assert [(entry["name"], entry["visible"]) for entry in browser.evaluate(VISIBLE_HOSTS)
            if entry["visible"]] == [(in_sync_name, True)]

    # The page fetched nothing but itself, and names nothing it could fetch.
    assert browser.requested_urls() == [page.as_uri()], browser.requested_urls()
    source = page.read_text(encoding="utf-8")
    for reference in ("http://", "https://", " src=", "<link", "@import", "url("):
        assert reference not in source, reference
    assert "default-src 'none'" in source


def test_the_request_check_sees_a_page_that_fetches(browser, tmp_path):
    """The network assertion above can fail: a page with an external image and a fetch is caught."""
    page = tmp_path / "fetching.html"
    page.write_text("<html><body><img src='http://127.0.0.1:9/x.png'>"
                    "<script>fetch('https://example.invalid/a').catch(function () {})</script></body></html>",
                    encoding="utf-8")
    browser.open(page.as_uri())
    time.sleep(0.5)  # let the fetch be issued; not a timed assertion
    browser.evaluate("1")
    urls = browser.requested_urls()
    assert "http://127.0.0.1:9/x.png" in urls and "https://example.invalid/a" in urls, urls


def save_screenshot(page: Path, target: Path, profile_dir: Path, width: int = 1280, height: Optional[int] = None) -> None:
    """A screenshot of a report page (full height unless ``height``); docs/drift_report.md says how
    docs/images/drift-report.png is made with it."""
    browser = Browser(profile_dir)
    try:
        browser.open(page.resolve().as_uri())
        full = int(browser.evaluate("document.documentElement.scrollHeight"))
        browser.screenshot(target, width=width, height=height or min(full, 2400))
    finally:
        browser.close()
