# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""module_result, table-driven: the one shaper of every module's result (the module path and the action
plugins both end there)."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import AuthenticationError, DeviceError
from ansible_collections.vapix.acap.plugins.module_utils._module import module_result

CHANGED = {"changed": True, "resources": [{"resource": "application:hello", "changed": True},
                                          {"resource": "setting:allow_unsigned", "changed": False}],
           "diff": {"before": {"hello": None}, "after": {"hello": "1.0"}}}


def answer(result):
    return lambda: dict(result, diff=dict(result["diff"])) if "diff" in result else dict(result)


def fail(exc):
    def run():
        raise exc
    return run


@pytest.mark.parametrize("label, run, diff, device, expected", [
    ("changed always there", answer({}), False, "cam1", {"changed": False}),
    ("no diff unless diff mode", answer(CHANGED), False, "cam1",
     {"changed": True, "resources": CHANGED["resources"]}),
    ("the diff headed by the camera and what changed", answer(CHANGED), True, "cam1",
     dict(CHANGED, diff=dict(CHANGED["diff"], before_header="cam1: application:hello (before)",
                             after_header="cam1: application:hello (after)"))),
    ("warnings name the camera", answer({"warnings": ["unsigned"]}), False, "cam1",
     {"changed": False, "warnings": ["cam1: unsigned"]}),
    ("no empty warnings list", answer({"warnings": []}), False, "cam1", {"changed": False}),
    ("a device refusal fails with its code and endpoint",
     fail(DeviceError("Error: 3", error_code=3, endpoint="control.cgi", result={"changed": True, "actions": ["upload"]})),
     False, "cam1",
     {"failed": True, "msg": "Error: 3", "error_code": 3, "http_status": None, "endpoint": "control.cgi",
      "changed": True, "actions": ["upload"]}),
    ("refused credentials: nothing done", fail(AuthenticationError("refused", http_status=401, endpoint="list.cgi")),
     True, "cam1",
     {"failed": True, "msg": "refused", "error_code": None, "http_status": 401, "endpoint": "list.cgi",
      "changed": False}),
])
def test_module_result(label, run, diff, device, expected):
    assert module_result(run, diff, device=device) == expected, label
