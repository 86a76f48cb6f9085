# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure decisions of the axis_acap planner: decide_application, run state, prediction, diff (the package choice is in
test_package_choice.py)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._acap import (
    diff_view,
    decide_application,
    predict_after,
    run_state_actions,
)
from ansible_collections.vapix.acap.tests.unit.plugins.module_utils.test_package_choice import app, package


# -- decide_application ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "state, installed, upload, expected",
    [
        ("present", None, True, ["upload"]),  # a new installation is not started
        ("started", None, True, ["upload", "start"]),
        ("stopped", None, True, ["upload"]),
        ("restarted", None, True, ["upload", "start"]),
        ("present", app(status="Running"), True, ["upload"]),  # upgrade keeps it running
        ("present", app(status="Stopped"), False, []),
        ("started", app(status="Stopped"), False, ["start"]),
        ("started", app(status="Running"), False, []),
        ("started", app(status="Idle"), False, []),  # Idle counts as started (docs/axis_acap.md)
        ("stopped", app(status="Running"), False, ["stop"]),
        ("stopped", app(status="Stopped"), False, []),
        ("stopped", app(status="Idle"), False, ["stop"]),
        ("stopped", app(status="Running"), True, ["upload", "stop"]),
        ("restarted", app(status="Running"), False, ["restart"]),
        ("restarted", app(status="Stopped"), False, ["start"]),
        ("restarted", app(status="Running"), True, ["upload", "restart"]),
        ("absent", app(), False, ["remove"]),
        ("absent", None, False, []),
    ],
)
def test_decide_application(state, installed, upload, expected):
    assert decide_application(state, installed, upload).actions == expected


def test_plan_carries_upload_warning():
    assert decide_application("present", app(), False, "kept").warnings == ["kept"]


def test_run_state_after_upgrade_that_stopped_the_application():
    # The device stopped it during the upgrade: present brings it back, stopped leaves it.
    assert run_state_actions("present", "Stopped", keep_running=True) == ["start"]
    assert run_state_actions("present", "Stopped", keep_running=False) == []
    assert run_state_actions("stopped", "Running", keep_running=True) == ["stop"]


# -- prediction and diff ------------------------------------------------------------------------


def test_predict_new_installation_started():
    after = predict_after("started", None, package(), ["upload", "start"])
    assert (after.name, after.version, after.status, after.nice_name) == ("myapp", "1.2.0", "Running", "My App")


@pytest.mark.parametrize("method, license", [("axis", "Missing"), ("custom", "Custom"), ("none", "None")])
def test_predict_license_of_a_new_installation(method, license):
    after = predict_after("present", None, replace(package(), copy_protection=method), ["upload"])
    assert after.license == license


def test_predict_upgrade_keeps_status_and_license():
    installed = app(version="1.0", status="Running", license="Valid")
    after = predict_after("present", installed, package(), ["upload"])
    assert (after.version, after.status, after.license) == ("1.2.0", "Running", "Valid")
    assert installed.version == "1.0"  # the before is untouched


def test_predict_remove_and_stop():
    assert predict_after("absent", app(), None, ["remove"]) is None
    assert predict_after("stopped", app(status="Running"), None, ["stop"]).status == "Stopped"
    assert predict_after("present", None, None, []) is None


def test_diff_view():
    assert diff_view(None) == {}
    assert diff_view(app(status="Running", license="Valid")) == {
        "name": "myapp", "version": "1.2.0", "status": "Running", "license": "Valid",
    }
