# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from pathlib import Path

import yaml

from ansible_collections.vapix.acap.plugins.plugin_utils import _role_variables as role_variables

# The collection that holds the plugin (its roles/ next to its plugins/).
SPECS = Path(role_variables.__file__).resolve().parents[2] / "roles" / "camera" / "meta" / "argument_specs.yml"


def test_the_known_variables_are_the_documented_ones():
    documented = set(yaml.safe_load(SPECS.read_text(encoding="utf-8"))["argument_specs"]["main"]["options"])
    assert set(role_variables.KNOWN_VARIABLES) == documented | {"axis_camera_result"}


def test_only_the_variables_a_camera_sets_are_templated():
    templated = []

    def template(value):
        templated.append(value)
        return value.upper() if isinstance(value, str) else value

    task_vars = {"axis_hostname": "cam", "axis_camera_port": 8443, "axis_port": 80, "axis_camera_timeout": None,
                 "axis_camera_settings": {}, "unrelated": "{{ x }}", "axis_camera_applications": []}
    task_vars.update({"other_%d" % index: index for index in range(100)})
    arguments = role_variables.role_arguments(task_vars, template)
    assert arguments == {"hostname": "CAM", "port": 8443, "settings": {}, "applications": []}
    assert len(templated) == 5  # hostname, port (the role's, not axis_port), timeout (null: left out), two lists


def test_unknown_variables_are_named_with_the_closest_known_one():
    task_vars = {"axis_camera_aplications": [], "axis_camera_setings": {}, "axis_camera_result": {},
                 "axis_camera_zzzzzz": 1, "axis_camera_settings": {}, "axis_hostname": "x"}
    assert role_variables.unknown_variables(task_vars) == [
        ("axis_camera_aplications", "axis_camera_applications"),
        ("axis_camera_setings", "axis_camera_settings"),
        ("axis_camera_zzzzzz", None),
    ]
    (first,) = role_variables.unknown_variable_warnings({"axis_camera_exclusiv": True}, "cam-1")
    assert first == ("unknown role variable axis_camera_exclusiv on cam-1: the role vapix.acap.camera does not "
                     "read it; did you mean axis_camera_exclusive?")


def test_the_hint_for_a_missing_application_list():
    assert role_variables.missing_applications_hint({"axis_camera_applications": None}).endswith("is null (a line "
                                                                                                 "with nothing after the colon?)")
    hint = role_variables.missing_applications_hint({"axis_cameras_applications": [], "axis_hostname": "x"})
    assert hint == ("axis_camera_applications is not defined, and these variables look like a misspelling of it: "
                    "axis_cameras_applications")
    assert role_variables.missing_applications_hint({}) == "axis_camera_applications is not defined"
