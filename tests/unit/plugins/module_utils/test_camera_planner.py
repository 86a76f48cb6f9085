# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plan_camera on snapshots, table-driven: a declaration and what the device was read to hold in, the
ordered steps (and their planned actions), the warnings and the undeclared applications out. The
snapshots are already read and have no client: a read the planner should not need fails."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._device import DeviceProperties
from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError, PreflightError
from ansible_collections.vapix.acap.plugins.module_utils._results import Results
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot
from ansible_collections.vapix.acap.plugins.module_utils._state import plan_camera
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application

NOW = datetime.datetime(2026, 11, 30, 2, 30, tzinfo=datetime.timezone.utc)
SERIAL = "B8A44F000001"
KEY = ('<license version="1.0"><licensekey type="sdk"><product>counter</product><productid>4242</productid>'
       '<expires>2030-01-01T23:59:59Z</expires><restrictions><serialnumber>%s</serialnumber></restrictions>'
       '<licensekey>SECRETCODE</licensekey><signature>SECRETSIG</signature></licensekey></license>' % SERIAL)


def installed(name, status="Running", license="None"):
    return Application(name=name, version="1.0.0", status=status, license=license, application_id="4242")


DEVICE = [installed("counter"), installed("hello", status="Stopped"), installed("hello_world")]

# id, declaration, installed applications, settings on the device,
# expected steps (resource -> planned actions) in order, warnings about the declaration, undeclared
CASES = [
    ("in sync", {"applications": [{"name": "counter"}], "settings": {"allow_unsigned": False}}, DEVICE,
     {"AllowUnsigned": False},
     [("setting:allow_unsigned", []), ("application:counter", [])], [], ["hello", "hello_world"]),
    ("a setting, a start, a removal", {
        "applications": [{"name": "hello"}, {"name": "counter", "state": "absent"}],
        "settings": {"allow_root": True}}, DEVICE, {"AllowRoot": False},
     [("setting:allow_root", ["set AllowRoot=true"]), ("application:hello", ["start"]),
      ("application:counter", ["remove"])], [], ["hello_world"]),
    ("exclusive: the unclaimed removed last, a protected typo warned", {
        "applications": [{"name": "hello", "state": "stopped"}], "exclusive": True, "protected": ["helo_world"]},
     DEVICE, {},
     [("application:hello", []), ("removed:counter", ["remove"]), ("removed:hello_world", ["remove"])],
     ["protected names helo_world, but no installed application has that name (a typo?); nothing was kept for it."],
     []),
    ("exclusive with protected: kept", {
        "applications": [], "exclusive": True, "protected": ["counter", "HELLO"]}, DEVICE, {},
     [("removed:hello_world", ["remove"])], [], []),
    ("no applications list: nothing undeclared", {"settings": {"allow_unsigned": True}}, DEVICE,
     {"AllowUnsigned": True}, [("setting:allow_unsigned", [])], [], []),
    ("a key after its application", {
        "applications": [{"name": "counter", "license_content": KEY}]}, [installed("counter", license="Missing")], {},
     [("application:counter", []), ("license:counter", ["upload_license"])], [], []),
]


@pytest.mark.parametrize("declaration, applications, settings, steps, warnings, undeclared",
                         [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_plan_camera(declaration, applications, settings, steps, warnings, undeclared):
    snapshot = DeviceSnapshot.already_read(applications, DeviceProperties(serial_number=SERIAL), settings)
    camera = plan_camera(snapshot, declaration, True, NOW)
    results = Results(True, flat=False)
    for step in camera.steps:
        step.record(results)
    assert [(step.resource, results.actions_of(step.resource)) for step in camera.steps] == steps
    assert camera.warnings == warnings
    assert [application.name for application in camera.undeclared] == undeclared


# id, declaration, installed applications, expected error and message part
REFUSED = [
    ("exclusive without a list", {"exclusive": True}, DEVICE, ParameterError, "no applications list was given"),
    ("a name twice", {"applications": [{"name": "hello"}, {"name": " HELLO "}]}, DEVICE, ParameterError,
     "more than once"),
    ("not installed, no src", {"applications": [{"name": "absent_app"}]}, DEVICE, PreflightError,
     "no src was given"),
    ("a name in both parameter lists", {"applications": [
        {"name": "hello", "parameters": {"A": 1}, "secret_parameters": {"A": 2}}]}, DEVICE, ParameterError,
     "either in parameters or in secret_parameters"),
]


@pytest.mark.parametrize("declaration, applications, error, message", [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_plan_camera_refuses_before_any_write(declaration, applications, error, message):
    with pytest.raises(error, match=message):
        plan_camera(DeviceSnapshot.already_read(applications), declaration, True, NOW)
