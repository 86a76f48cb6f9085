# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure planner of axis_acap_parameters: rendering, comparison, secrets, unknown names."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._parameters import (
    SECRET_CHANGED_MASK,
    SECRET_MASK,
    bool_words_of_type,
    is_secret_type,
    masked_view,
    plan_parameters,
    render_value,
)

CURRENT = {"Threshold": "50", "Mode": "line", "Upload": "no", "Overlay": "Off", "Token": "abc", "ApiKey": "********"}


def test_only_what_differs_is_written_rendered_as_the_device_writes_it():
    plan = plan_parameters("pc", {"Threshold": 50, "Mode": "area", "Upload": True, "Overlay": True}, CURRENT)
    assert plan.changes == {"Mode": "area", "Upload": "yes", "Overlay": "On"}
    assert plan.actions == ["set Mode=area", "set Upload=yes", "set Overlay=On"]
    assert plan.before["Threshold"] == "50" and plan.after["Mode"] == "area"
    assert plan.resource == "parameters:pc"


def test_nothing_to_do():
    plan = plan_parameters("pc", {"Threshold": "50", "Upload": False}, CURRENT)
    assert plan.changes == {} and plan.actions == [] and plan.before == plan.after


def test_secrets_are_masked_and_compared_when_the_device_shows_them():
    same = plan_parameters("pc", {"Token": "abc"}, CURRENT, secret_names=["Token"])
    assert same.changes == {} and same.before["Token"] == SECRET_MASK
    other = plan_parameters("pc", {"Token": "xyz"}, CURRENT, secret_names=["Token"])
    assert other.changes == {"Token": "xyz"} and other.actions == ["set Token"]
    assert other.after["Token"] == SECRET_CHANGED_MASK
    assert "xyz" not in repr((other.before, other.after, other.actions, other.warnings))
    assert "abc" not in repr((other.before, other.after))


def test_a_hidden_value_cannot_be_compared_so_it_is_written_with_a_warning():
    plan = plan_parameters("pc", {"ApiKey": "k"}, CURRENT)
    assert plan.changes == {"ApiKey": "k"} and plan.uncomparable == ("ApiKey",)
    assert plan.actions == ["set ApiKey"] and "hides the value of ApiKey" in plan.warnings[0]


def test_a_type_from_the_package_marks_a_secret_and_gives_the_bool_words():
    plan = plan_parameters("pc", {"Token": "new", "Overlay": True}, CURRENT,
                           types={"Token": "password", "Overlay": "bool:off,on"})
    assert plan.changes == {"Token": "new", "Overlay": "on"}
    assert plan.before["Token"] == SECRET_MASK
    assert is_secret_type("hidden:string") and not is_secret_type("string")
    assert bool_words_of_type("bool") == ("no", "yes") and bool_words_of_type("int") is None


def test_unknown_names_fail_naming_the_parameters():
    with pytest.raises(ParameterError) as raised:
        plan_parameters("pc", {"threshold": 1, "Zones": 2}, CURRENT)
    message = str(raised.value)
    assert "has no parameters Zones, threshold (did you mean Threshold?); nothing was written" in message
    assert "ApiKey, Mode, Overlay, Threshold, Token, Upload" in message


def test_values_that_cannot_be_rendered():
    with pytest.raises(ParameterError, match="boolean"):
        render_value("pc", "Threshold", True, "50", None, False)
    with pytest.raises(ParameterError, match="null"):
        render_value("pc", "Threshold", None, "50", None, False)
    with pytest.raises(ParameterError, match="list"):
        render_value("pc", "Threshold", [1], "50", None, False)
    with pytest.raises(ParameterError) as raised:
        render_value("pc", "Token", True, "s3cret", None, True)
    assert "s3cret" not in str(raised.value)
    assert render_value("pc", "T", 7, "1", None, False) == "7"
    assert render_value("pc", "T", "007", "1", None, False) == "007"


def test_check_mode_assumed_installation_plans_everything():
    plan = plan_parameters("pc", {"Threshold": 1, "Upload": True}, {}, assumed=True)
    assert plan.changes == {"Threshold": "1", "Upload": "yes"} and plan.before == {}


def test_scrub_removes_a_secret_value_from_a_device_message():
    plan = plan_parameters("pc", {"Threshold": "a b&c"}, CURRENT, secret_names=["Threshold"])
    assert plan.scrub("Error setting 'root.pc.Threshold' to 'a b&c'") == "Error setting 'root.pc.Threshold' to '********'"
    assert plan.scrub("x=a+b%26c") == "x=********"


def test_masked_view():
    assert masked_view({"A": "1", "B": "***", "C": ""}, ["A"]) == {"A": SECRET_MASK, "B": SECRET_MASK, "C": ""}
