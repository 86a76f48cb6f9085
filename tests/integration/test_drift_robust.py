# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Robust report writing (docs/drift_report.md, "Writing the files"): hostile device strings cannot change the
structure of drift.md or drift.html, files are replaced atomically without following a planted link, two runs
writing one folder leave valid files, a previous report of any shape is survived, a folder that cannot be
written fails the run, and ``formats`` leaves the other files alone."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from typing import Dict

from conftest import PLAYBOOK_TIMEOUT, ansible_command, ansible_env
from test_drift_report import APP, CALLBACK, Fleet, assert_schema_valid

MARKUP = "<b>|# x</b>\n## y|`z` [l](http://x.invalid)\u202e"
HOSTILE = "<img src=x onerror=alert(1)>|# not a heading\n## nor this|`code` [link](http://x.invalid) \x1b[31m\u202e"


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Dict[str, int] = {}
        self.sections = 0

    def handle_starttag(self, tag, attrs):
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "section":
            self.sections += 1


def assert_markdown_structure(text: str, hosts: int) -> None:
    """One title, the known section headings and one heading per camera; every row of a table has the cells
    of its header."""
    headings = [line for line in text.splitlines() if line.startswith("#")]
    assert len([line for line in headings if line.startswith("# ")]) == 1, headings
    cards = [line for line in headings if re.match(r"^## cam-\S+: (drift|failed|unreachable|nothing declared)"
                                                   r"( \(new\))?$", line)]
    others = [line for line in headings[1:] if line not in cards]
    assert len(cards) == hosts and all(re.match(r"^## (By resource and failure|Warnings|In sync \(\d+\))$", line)
                                       for line in others), headings
    cells = None
    for line in text.splitlines():
        if line.startswith("|"):
            count = len(re.findall(r"(?<!\\)\|", line))
            cells = count if cells is None else cells
            assert count == cells, line
        else:
            cells = None


def test_hostile_device_strings_keep_the_pages_structure(devices, tmp_path):
    fleet = Fleet(devices(3), tmp_path)
    named, versioned, product = fleet.cameras
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    # Markup without control characters is valid XML: it reaches the report as text.
    named.patch_state({"applications": {"evil_app": {"nice_name": MARKUP, "version": "1.0" + MARKUP}}})
    versioned.patch_state({"applications": {APP: {"version": "9.0.0" + HOSTILE}}})
    # The product name comes back on the card when the run reads it (an upload is planned).
    product.reset(product=HOSTILE)
    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run
    report = run.report
    assert_schema_valid(report)
    assert set(run.not_in_sync()) == {named.inventory_name, versioned.inventory_name, product.inventory_name}, \
        report
    product_entry = report["hosts"][product.inventory_name]
    assert "onerror" in product_entry["device"]["product"], product_entry
    # A control character makes list.cgi's XML invalid: that camera fails with a message, the others are reported.
    assert report["hosts"][versioned.inventory_name]["status"] == "failed", report["hosts"][versioned.inventory_name]
    (item,) = report["hosts"][named.inventory_name]["items"]
    assert item["resource"] == "undeclared:evil_app" and "<b>|# x</b>" in item["before"]["version"], item
    html_text = (tmp_path / "report" / "drift.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "report" / "drift.md").read_text(encoding="utf-8")
    assert "\x1b" not in html_text + markdown + json.dumps(report, ensure_ascii=False)
    tags = Tags()
    tags.feed(html_text)
    assert tags.sections == 3 and tags.tags.get("script") == 1 and "img" not in tags.tags, tags.tags
    assert "&lt;img src=x onerror=alert(1)&gt;" in html_text
    assert_markdown_structure(markdown, hosts=3)


def test_planted_links_garbage_history_and_concurrent_runs(devices, tmp_path):
    fleet = Fleet(devices(2), tmp_path)
    first, second = fleet.cameras
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    first.patch_state({"applications": {APP: {"status": "Stopped"}}})
    report_dir = tmp_path / "report"
    history = report_dir / "history" / "drift"
    history.mkdir(parents=True)
    victims = {}
    for name in ("drift.html", "drift.html.partial", "drift.md", "drift.json.partial"):
        victim = tmp_path / ("victim-" + name)
        victim.write_text("untouched", encoding="utf-8")
        (report_dir / name).symlink_to(victim)
        victims[name] = victim
    # A previous report of a shape this callback never wrote, and history files of any shape.
    (report_dir / "drift.json").write_text(json.dumps({"report": "vapix.acap.drift_report", "hosts": {
        first.inventory_name: {"status": "drift", "items": [{"resource": ["a", "list"]}, 5, "x"]}}}))
    for number in range(64):  # every hosts-NN.json of the layout, in shapes this callback never wrote
        shapes = ['{"hosts": {"%s": {"status": ["drift"], "resources": {"a": 1}}, "%s": 5}}'
                  % (first.inventory_name, second.inventory_name), "[1, 2]", '{"hosts": "x"}']
        (history / ("hosts-%02d.json" % number)).write_text(shapes[number % 3], encoding="utf-8")
    (history / "hosts-07.json").unlink()
    (history / "hosts-07.json").write_bytes(b"\xff\xfe\x00garbage")

    run = fleet.playbook("drift", report_dir)
    assert run.not_in_sync() == {first.inventory_name: "drift"}, run
    assert_schema_valid(run.report)
    for name, victim in victims.items():
        assert victim.read_text(encoding="utf-8") == "untouched", name
    assert not (report_dir / "drift.html").is_symlink() and (report_dir / "drift.html").is_file()
    assert "<!DOCTYPE html>" in (report_dir / "drift.html").read_text(encoding="utf-8")

    # Two runs at once into the same folder: each file is one run's whole file.
    processes = []
    for number in range(2):
        run_dir = tmp_path / ("concurrent-%d" % number)
        run_dir.mkdir()
        env = ansible_env({"ACAP_DRIFT_REPORT_DIR": str(report_dir), "ANSIBLE_CALLBACKS_ENABLED": CALLBACK,
                           "ANSIBLE_LOCAL_TEMP": str(run_dir / "tmp")})
        command = ansible_command("ansible-playbook") + ["-i", str(fleet.inventory()), "vapix.acap.drift"]
        processes.append(subprocess.Popen(command, cwd=str(run_dir), env=env, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    for process in processes:
        output, dummy = process.communicate(timeout=PLAYBOOK_TIMEOUT)
        assert "DRIFT REPORT: 2 hosts" in output, output[-3000:]
    report = json.loads((report_dir / "drift.json").read_text(encoding="utf-8"))
    assert_schema_valid(report)
    assert (report_dir / "drift.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    leftovers = [path.name for path in report_dir.rglob("*") if path.name.endswith((".tmp", ".partial"))
                 and not path.is_symlink()]
    assert leftovers == [], leftovers


def test_a_folder_that_cannot_be_written_fails_the_run_before_any_camera(devices, tmp_path):
    fleet = Fleet(devices(1), tmp_path)
    (camera,) = fleet.cameras
    not_a_folder = tmp_path / "report"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    camera.clear_log()
    run = fleet.playbook("drift", not_a_folder)
    # ansible-core 2.16 wraps its error lines: compare the words.
    said = " ".join((run.stderr + run.stdout).split())
    assert run.rc == 1, run
    assert "the report cannot be written" in said, run
    assert str(not_a_folder) in "".join(said.split()), run  # 2.16 may break the path itself
    # A folder to create under that file: refused before the run too, and nothing created.
    below = fleet.playbook("drift", not_a_folder / "nightly")
    assert below.rc == 1 and "is not a folder this user can write" in " ".join((below.stderr + below.stdout).split()), below
    assert camera.authenticated_log() == []


def test_formats_leave_the_other_files_untouched(devices, tmp_path):
    fleet = Fleet(devices(1), tmp_path)
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    report_dir = tmp_path / "report"
    report_dir.mkdir()
    (report_dir / "drift.json").write_text('{"kept": true}', encoding="utf-8")
    (report_dir / "drift.html").write_text("kept", encoding="utf-8")
    run = fleet.playbook("drift", report_dir, extra_env={"ACAP_DRIFT_REPORT_FORMATS": "md"})
    assert run.rc == 0, run
    assert (report_dir / "drift.json").read_text(encoding="utf-8") == '{"kept": true}'
    assert (report_dir / "drift.html").read_text(encoding="utf-8") == "kept"
    assert (report_dir / "drift.md").read_text(encoding="utf-8").startswith("# ")
    assert not (report_dir / "drift.previous.json").exists()
    assert "-> %s" % (report_dir / "drift.md") in run.stdout, run
