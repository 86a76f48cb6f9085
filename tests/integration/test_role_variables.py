# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The camera role's variables, read by its task's action plugin: a camera that declares nothing checks no
resource, a misspelled variable is named with the name it most resembles, and an unknown option at any
depth is named where it is, through ansible-playbook against the emulator."""

from __future__ import annotations

from acap_helpers import make_eap, operations

PLAYBOOK = "role_camera_converge.yml"
CONVERGE = "vapix.acap.camera : Converge the camera"
VALIDATE_PREFIX = "vapix.acap.camera : Validating arguments against arg spec 'main'"
# The role without Ansible's argument task, as vapix.acap.drift runs it: the action's own validation.
NOT_VALIDATED = """
- name: The camera role, as the drift playbook runs it
  hosts: all
  gather_facts: false
  tasks:
    - ansible.builtin.import_role:
        name: vapix.acap.camera
        rolespec_validate: false
"""


def test_misspelled_role_variables_are_named_with_the_name_they_resemble(device, run_playbook, tmp_path):
    misspelled = {"axis_camera_aplications": [{"name": "hello_world", "src": make_eap(tmp_path)}],
                  "axis_camera_setings": {"allow_unsigned": True}, "axis_camera_zzzzzz": 1}
    run = run_playbook(PLAYBOOK, device, extra_vars=misspelled, check=True)
    assert run.rc == 0, run
    result = run.task(CONVERGE, device)
    warnings = [warning for warning in result["warnings"] if warning.startswith("unknown role variable")]
    assert warnings == [
        "unknown role variable axis_camera_aplications on %s: the role vapix.acap.camera does not read it; "
        "did you mean axis_camera_applications?" % device.inventory_name,
        "unknown role variable axis_camera_setings on %s: the role vapix.acap.camera does not read it; "
        "did you mean axis_camera_settings?" % device.inventory_name,
    ] + [warnings[2]], result["warnings"]
    assert warnings[2].startswith("unknown role variable axis_camera_zzzzzz on %s" % device.inventory_name)
    assert "did you mean" not in warnings[2] and "axis_camera_applications" in warnings[2]
    # Nothing declared: the task checked no resource, which the drift report tells from "in sync".
    assert result["resources"] == [] and result["changed"] is False, result


def test_an_unknown_option_in_an_application_is_named_with_its_place(device, run_playbook, tmp_path):
    package = make_eap(tmp_path)
    declared = {"axis_camera_applications": [{"name": "hello_world", "src": package},
                                             {"name": "other", "src": package, "licence_src": "keys/"}]}
    run = run_playbook(NOT_VALIDATED, device, extra_vars=declared)
    assert run.rc != 0, run
    message = run.task(CONVERGE, device)["msg"]
    assert message.startswith("Invalid parameters: unknown option licence_src in axis_camera_applications[1]; "
                              "did you mean license_src?"), message
    assert operations(device) == []


def test_an_unknown_setting_is_named(device, run_playbook):
    run = run_playbook(NOT_VALIDATED, device, extra_vars={"axis_camera_settings": {"allow_unsinged": True}})
    assert run.rc != 0, run
    message = run.task(CONVERGE, device)["msg"]
    assert message.startswith("Invalid parameters: unknown option allow_unsinged in axis_camera_settings; "
                              "did you mean allow_unsigned?"), message
    assert operations(device) == []
