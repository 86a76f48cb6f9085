# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unknown options at every depth are named with where they are and the known name they resemble."""

from __future__ import annotations

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec, validate_params
from ansible_collections.vapix.acap.plugins.module_utils._state import MODULE_SPEC as STATE_SPEC

CONNECTION = {"hostname": "192.0.2.10", "username": "admin", "password": "secret"}


def message(spec: ModuleSpec, params: dict, **kwargs) -> str:
    with pytest.raises(ParameterError) as caught:
        validate_params(spec, dict(CONNECTION, **params), **kwargs)
    return caught.value.message


def test_a_top_level_option() -> None:
    assert message(STATE_SPEC, {"exclusiv": True}) == "Invalid parameters: unknown option exclusiv; did you mean exclusive?"


def test_a_top_level_option_without_a_close_name_lists_the_options() -> None:
    text = message(STATE_SPEC, {"zzz": 1})
    assert text.startswith("Invalid parameters: unknown option zzz (the options there are: applications, "), text


def test_an_option_of_a_dict() -> None:
    text = message(STATE_SPEC, {"settings": {"allow_unsinged": True}})
    assert text == "Invalid parameters: unknown option allow_unsinged in settings; did you mean allow_unsigned?"


def test_an_option_of_a_list_element_names_its_index() -> None:
    applications = [{"name": "a", "src": ["a.eap"]}, {"name": "b", "state": "absent"},
                    {"name": "c", "src": ["c.eap"], "licence_src": "keys/"}]
    text = message(STATE_SPEC, {"applications": applications})
    assert text == "Invalid parameters: unknown option licence_src in applications[2]; did you mean license_src?"


def test_the_role_names_its_variables() -> None:
    text = message(STATE_SPEC, {"applications": [{"name": "a", "src": ["a.eap"], "stat": "started"}]},
                   names={"applications": "axis_camera_applications"})
    assert text == "Invalid parameters: unknown option stat in axis_camera_applications[0]; did you mean state?"


def test_an_option_three_levels_down() -> None:
    spec = ModuleSpec(options={"sites": {"type": "list", "elements": "dict", "options": {
        "name": {"type": "str"},
        "camera": {"type": "dict", "options": {"lens": {"type": "dict", "options": {"focus": {"type": "int"}}}}},
    }}}, logic=lambda client, params, check_mode: {})
    text = message(spec, {"sites": [{"name": "x"}, {"camera": {"lens": {"focuss": 3}}}]})
    assert text == "Invalid parameters: unknown option focuss in sites[1].camera.lens; did you mean focus?"


def test_several_unknown_options_are_all_named_before_other_complaints() -> None:
    text = message(STATE_SPEC, {"settings": {"allow_rot": True}, "applications": [{"nam": "a"}]})
    assert text.startswith("Invalid parameters: unknown option nam in applications[0]; did you mean name?; "
                           "unknown option allow_rot in settings; did you mean allow_root?") or \
        text.startswith("Invalid parameters: unknown option allow_rot in settings; did you mean allow_root?; "
                        "unknown option nam in applications[0]; did you mean name?"), text
    assert "tuple" not in text
