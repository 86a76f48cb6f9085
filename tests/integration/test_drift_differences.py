# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What differs without an action (docs/drift_report.md, "Statuses"): a version newer than declared and an
application nobody declared are drift by default and shown on the card and in drift.md; the option
``tolerate`` shows them as notes instead. A camera whose task checked nothing is ``not_declared``."""

from __future__ import annotations

from test_drift_report import APP, Fleet, assert_schema_valid

INTRUDER = "intruder_app"


def test_newer_and_undeclared_applications_are_drift_on_the_card_and_in_markdown(devices, tmp_path):
    fleet = Fleet(devices(3), tmp_path)
    newer, intruded, untouched = fleet.cameras
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    newer.patch_state({"applications": {APP: {"version": "9.0.0"}}})
    intruded.patch_state({"applications": {INTRUDER: {"version": "3.1.4", "status": "Running"}}})

    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run
    report = run.report
    assert_schema_valid(report)
    assert run.not_in_sync() == {newer.inventory_name: "drift", intruded.inventory_name: "drift"}, report
    (item,) = report["hosts"][newer.inventory_name]["items"]
    assert item["resource"] == "application:%s" % APP and item["difference"] == "newer_than_declared", item
    assert item["actions"] == [] and item["before"]["version"] == "9.0.0", item
    (item,) = report["hosts"][intruded.inventory_name]["items"]
    assert item["resource"] == "undeclared:%s" % INTRUDER and item["difference"] == "installed_not_declared", item
    assert report["hosts"][untouched.inventory_name]["items"] == []
    # The camera's address is on its card.
    assert report["hosts"][newer.inventory_name]["device"]["address"] == "%s:%d" % (newer.host, newer.port)

    markdown = (tmp_path / "report" / "drift.md").read_text(encoding="utf-8")
    assert "newer than declared" in markdown and "installed, not declared" in markdown, markdown
    assert "9.0.0" in markdown and "intruder\\_app" in markdown, markdown
    page = (tmp_path / "report" / "drift.html").read_text(encoding="utf-8")
    assert "newer than declared" in page and "installed, not declared" in page
    assert "address <b>%s:%d</b>" % (newer.host, newer.port) in page

    # Tolerated: shown as notes, not counted.
    tolerant = fleet.playbook("drift", tmp_path / "report-tolerant", extra_env={
        "ACAP_DRIFT_REPORT_TOLERATE": "newer_than_declared,installed_not_declared"})
    assert tolerant.rc == 0, tolerant
    assert tolerant.not_in_sync() == {}
    notes = tolerant.report["hosts"][intruded.inventory_name]["notes"]
    assert [note["resource"] for note in notes] == ["undeclared:%s" % INTRUDER], notes
    markdown = (tmp_path / "report-tolerant" / "drift.md").read_text(encoding="utf-8")
    assert "tolerated, not drift" not in markdown  # in-sync cameras have no card ...
    assert tolerant.report["hosts"][newer.inventory_name]["notes"][0]["difference"] == "newer_than_declared"


def test_a_camera_with_nothing_declared_is_not_in_sync(devices, tmp_path):
    """A misspelled role variable declares nothing: the camera's task checks no resource."""
    fleet = Fleet(devices(2), tmp_path)
    declared, misspelled = fleet.cameras
    assert fleet.playbook("converge", tmp_path / "changelog").rc == 0
    fleet.overrides[misspelled.inventory_name] = {"axis_camera_aplications": fleet.declared["axis_camera_applications"]}
    fleet.declared = {"axis_camera_settings": {}}
    fleet.overrides[declared.inventory_name] = {"axis_camera_settings": {"allow_unsigned": False}}

    run = fleet.playbook("drift", tmp_path / "report")
    assert run.rc != 0, run  # not green: the exit-status play counts every status but in_sync
    report = run.report
    assert_schema_valid(report)
    assert run.not_in_sync() == {misspelled.inventory_name: "not_declared"}, report
    assert report["summary"]["not_declared"] == 1 and report["summary"]["in_sync"] == 1
    assert report["hosts"][misspelled.inventory_name]["resources_checked"] == 0
    assert "1 not declared" in run.stdout, run
    for name in ("drift.md", "drift.html"):
        text = (tmp_path / "report" / name).read_text(encoding="utf-8")
        assert "nothing is declared for this camera" in text.lower(), name
        assert "nothing declared" in text, name
