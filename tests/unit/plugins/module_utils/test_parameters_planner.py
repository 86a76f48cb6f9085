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
    masked_view,
    decide_parameters,
    render_value,
)
from ansible_collections.vapix.acap.plugins.module_utils._parameter_types import ParameterType

TYPES = {
    "Threshold": ParameterType("int", 0, 100), "Mode": ParameterType("enum", choices=("line", "area")),
    "Upload": ParameterType("bool", words=("no", "yes")), "Overlay": ParameterType("bool", words=("Off", "On")),
    "Token": ParameterType("string"), "ApiKey": ParameterType("password"),
}

CURRENT = {"Threshold": "50", "Mode": "line", "Upload": "no", "Overlay": "Off", "Token": "abc", "ApiKey": "********"}


def test_only_what_differs_is_written_rendered_as_the_device_writes_it():
    plan = decide_parameters("pc", {"Threshold": 50, "Mode": "area", "Upload": True, "Overlay": True}, CURRENT)
    assert plan.changes == {"Mode": "area", "Upload": "yes", "Overlay": "On"}
    assert plan.actions == ["set Mode=area", "set Upload=yes", "set Overlay=On"]
    assert plan.before["Threshold"] == "50" and plan.after["Mode"] == "area"
    assert plan.resource == "parameters:pc"


def test_nothing_to_do():
    plan = decide_parameters("pc", {"Threshold": "50", "Upload": False}, CURRENT)
    assert plan.changes == {} and plan.actions == [] and plan.before == plan.after


def test_secrets_are_masked_and_compared_when_the_device_shows_them():
    same = decide_parameters("pc", {"Token": "abc"}, CURRENT, secret_names=["Token"])
    assert same.changes == {} and same.before["Token"] == SECRET_MASK
    other = decide_parameters("pc", {"Token": "xyz"}, CURRENT, secret_names=["Token"])
    assert other.changes == {"Token": "xyz"} and other.actions == ["set Token"]
    assert other.after["Token"] == SECRET_CHANGED_MASK
    assert "xyz" not in repr((other.before, other.after, other.actions, other.warnings))
    assert "abc" not in repr((other.before, other.after))


def test_a_hidden_value_is_not_comparable_unless_update_secrets_always():
    for types in (None, TYPES):
        plan = decide_parameters("pc", {"ApiKey": "k"}, CURRENT, types=types)
        assert plan.changes == {} and plan.not_comparable == ("ApiKey",) and plan.warnings == ()
        assert "cannot be compared" in plan.notes[0]
        always = decide_parameters("pc", {"ApiKey": "k"}, CURRENT, types=types, update_secrets="always")
        assert always.changes == {"ApiKey": "k"} and always.enforced == ("ApiKey",) and always.actions == ["set ApiKey"]
    # An unset password (listed empty) is compared: on_create writes it.
    created = decide_parameters("pc", {"ApiKey": "k"}, dict(CURRENT, ApiKey=""), types=TYPES)
    assert created.changes == {"ApiKey": "k"} and created.after["ApiKey"] == SECRET_CHANGED_MASK


def test_a_plain_value_of_stars_is_compared_where_the_device_gives_types():
    current = dict(CURRENT, Token="***")
    assert decide_parameters("pc", {"Token": "***"}, current, types=TYPES).changes == {}
    plan = decide_parameters("pc", {"Token": "****"}, current, types=TYPES)
    assert plan.changes == {"Token": "****"} and plan.before["Token"] == "***" and plan.not_comparable == ()
    # Without types (older firmware) a row of * is taken for a password.
    assert decide_parameters("pc", {"Token": "****"}, current).not_comparable == ("Token",)


def test_the_device_types_mark_passwords_give_bool_words_and_check_values():
    plan = decide_parameters("pc", {"Overlay": True}, dict(CURRENT, Overlay=""), types=TYPES)
    assert plan.changes == {"Overlay": "On"} and plan.before["ApiKey"] == SECRET_MASK
    for wanted, why in (({"Threshold": 101}, "outside the range 0 to 100"), ({"Threshold": "x"}, "is not an integer"),
                        ({"Mode": "zone"}, "is not one of line, area"), ({"Upload": "true"}, "is not no or yes")):
        with pytest.raises(ParameterError, match=why):
            decide_parameters("pc", wanted, CURRENT, types=TYPES)


def test_values_param_cgi_cannot_carry_are_refused_before_writing():
    for value, why in (("a\nb", "line feed"), ("a\u2028b", "U\\+2028"), ("a\x85b", "U\\+0085"),
                       ("a\x0cb", "form feed"), ("a\rb", "carriage return")):
        with pytest.raises(ParameterError, match=why):
            decide_parameters("pc", {"Token": value}, CURRENT)
    with pytest.raises(ParameterError, match="U\\+20AC.*ISO-8859-1"):
        decide_parameters("pc", {"Token": "5 \u20ac"}, CURRENT)
    with pytest.raises(ParameterError) as raised:
        decide_parameters("pc", {"Token": "\u20ac-secret"}, CURRENT, secret_names=["Token"])
    assert "20AC" not in str(raised.value) and "secret" not in str(raised.value).replace("secret_", "")
    assert decide_parameters("pc", {"Token": "5 \u20ac"}, CURRENT, charset="utf-8").changes == {"Token": "5 \u20ac"}
    assert decide_parameters("pc", {"Token": "entr\u00e9e "}, CURRENT).changes == {"Token": "entr\u00e9e "}


def test_unknown_names_fail_naming_the_parameters():
    with pytest.raises(ParameterError) as raised:
        decide_parameters("pc", {"threshold": 1, "Zones": 2}, CURRENT)
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
    plan = decide_parameters("pc", {"Threshold": 1, "Upload": True}, {}, assumed=True)
    assert plan.changes == {"Threshold": "1", "Upload": "yes"} and plan.before == {}


def test_masked_view():
    assert masked_view({"A": "1", "B": "***", "C": ""}, ["A", "C"]) == {"A": SECRET_MASK, "B": "***", "C": ""}


def test_the_gathered_mask_is_not_written_as_a_password():
    with pytest.raises(ParameterError, match="the mask axis_acap_info and state: gathered show"):
        decide_parameters("pc", {"ApiKey": SECRET_MASK}, dict(CURRENT, ApiKey=""), types=TYPES)
    # Where the password is set, the mask is simply not comparable (a gathered declaration fed back).
    assert decide_parameters("pc", {"ApiKey": SECRET_MASK}, CURRENT, types=TYPES).not_comparable == ("ApiKey",)
