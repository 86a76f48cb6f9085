#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: axis_acap_state
short_description: Converge an Axis camera's whole ACAP state in one task
version_added: 0.2.0
description:
  - Brings one Axis camera to a declared ACAP state in one task - the device-wide settings, a list of
    applications (package, version rules, run state, license key) and, with O(exclusive=true), the removal of
    every application the list does not name. Each application may carry its own parameters.
  - Reads the camera once (one C(list.cgi), one C(config.cgi get) per declared setting; device facts only when a
    package or a key has to be chosen), plans every change, then applies them in a safe order, settings,
    applications, license keys, application parameters, removals. A camera already as declared costs those reads
    (and one C(param.cgi) read per application with declared parameters) and nothing else.
  - Every package and key file is read, and every local mistake reported, before the first request.
  - Later steps are planned against what earlier steps leave, also in check mode - a key for an application
    this task installs, an unsigned package that O(settings.allow_unsigned) allows.
  - Every write is confirmed by reading the device again; after an unclear answer the result says what the
    device shows (see the C(resources) records and RV(outcome_unknown)).
  - The same logic as M(vapix.acap.axis_acap), M(vapix.acap.axis_acap_config) and M(vapix.acap.axis_acap_license),
    composed; the role C(vapix.acap.camera) is this module in one task.
  - With O(state=gathered) it changes nothing and returns the camera's state in this module's own input
    format (RV(gathered)), to declare a fleet from a reference camera.
author:
  - vapix.acap contributors (@vapix-acap)
extends_documentation_fragment:
  - vapix.acap.connection
  - vapix.acap.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads are sent; nothing that changes the device. RV(actions) and RV(resources) say what would be done.
  diff_mode:
    support: full
    details:
      - One diff for the camera, keyed by resource (C(setting:allow_unsigned), C(application:NAME),
        C(license:NAME), C(parameters:NAME), C(removed:NAME), C(undeclared:NAME)).
options:
  settings:
    description:
      - Device-wide application settings. Only the keys given are managed.
    type: dict
    suboptions:
      allow_unsigned:
        description:
          - Whether unsigned packages may be installed (C(AllowUnsigned), AXIS OS 11.2 and later).
        type: bool
      allow_root:
        description:
          - Whether applications running as root may be installed (C(AllowRoot), AXIS OS 11.5 to 11.11).
        type: bool
  applications:
    description:
      - The applications the camera should have. Each name at most once.
      - Required with O(exclusive=true); an empty list then removes every application not in O(protected).
    type: list
    elements: dict
    suboptions:
      name:
        description:
          - The application's short name, as C(list.cgi) lists it. Case sensitive.
        type: str
        required: true
      src:
        description:
          - Path of the C(.eap) package, or one path per architecture; the package that fits the camera is used.
          - Needed to install; an installed application can be started, stopped or removed without it.
          - A relative path is looked up in the folder of the playbook you run, then the folder of the host's
            inventory file, then the role's and the playbook's C(files/) folders (as O(vapix.acap.axis_acap#module:src)).
        type: list
        elements: path
      state:
        description:
          - V(started), V(stopped), V(restarted) install or upgrade the application and bring it to that run state;
            V(present) leaves the run state alone (a new installation is not started); V(absent) removes it.
          - An application the device lists as C(Idle) counts as started.
        type: str
        choices: [present, started, stopped, restarted, absent]
        default: started
      allow_downgrade:
        description:
          - Install the package even when the camera has a newer version.
        type: bool
        default: false
      force:
        description:
          - Upload the package even when the camera already has its version (not idempotent).
        type: bool
        default: false
      license_src:
        description:
          - A license key file, or a folder of key files from which the key for this application and this camera's
            serial number is picked. A key the camera has that expires later (or never) is kept, with a warning.
          - A relative path is looked up like O(applications[].src).
        type: path
      license_content:
        description:
          - The license key XML as text, for example from a vault. Never logged.
        type: str
      parameters:
        description:
          - The application's own parameters (C(root.<name>.<Parameter>)), name to value; parameters not listed are
            left as they are. Values are rendered as the device writes them (booleans as the parameter's own words).
          - Set after the application is installed and its key uploaded; see M(vapix.acap.axis_acap_parameters).
        type: dict
        default: {}
      secret_parameters:
        description:
          - Parameters whose values must never be shown (passwords, API keys), name to value. Never logged; their values
            never appear in output, diff or reports.
        type: dict
        default: {}
      update_secrets:
        description:
          - What to do with a parameter of this application whose value the camera hides (a password that is set,
            listed as a row of C(*)), which cannot be compared; see
            O(vapix.acap.axis_acap_parameters#module:update_secrets).
          - V(on_create) writes it only while the camera has none set, or when this task installs the application;
            otherwise it is left as it is and named in the record's C(not_comparable) (no change, not drift).
          - V(always) writes it on every run (a change on every run).
        type: str
        choices: [on_create, always]
        default: on_create
        version_added: 0.3.0
  exclusive:
    description:
      - Remove every installed application that O(applications) does not name and O(protected) does not protect.
        A name in either list keeps every installed application of that name in any letter case.
      - Requires O(applications) to be given explicitly.
    type: bool
    default: false
  protected:
    description:
      - Names of applications that O(exclusive=true) never removes. A YAML list, or one comma-separated string
        (V(partner_app, vmd)); blanks around each name are ignored.
      - Names compare as the device compares them, ignoring letter case, so V(VMD) protects C(vmd). A name that matches
        no installed application gives a warning.
    type: list
    elements: str
    default: []
  missing_applications_hint:
    description:
      - Text added to the refusal of O(exclusive=true) without O(applications), saying where the list should have
        come from. The role C(vapix.acap.camera) names the variables that look like a misspelling of its
        application list here.
    type: str
  state:
    description:
      - V(converged) brings the camera to the declaration; V(gathered) only reads it and returns RV(gathered).
      - In the words of network resource modules, V(converged) is C(merged) with a state per application, and
        V(converged) with O(exclusive=true) is C(overridden); V(gathered) is C(gathered).
    type: str
    choices: [converged, gathered]
    default: converged
notes:
  - Runs on the controller, in the Ansible worker process, when the task runs there (C(ansible_connection=local) or
    C(delegate_to=localhost)); elsewhere it runs as a module on that host, with its files copied there.
seealso:
  - module: vapix.acap.axis_acap
  - module: vapix.acap.axis_acap_license
  - module: vapix.acap.axis_acap_config
  - name: The camera role
    description: Inventory variables in, this module in one task.
    link: https://example.invalid/vapix/acap/docs/role_camera.md
"""

EXAMPLES = r"""
- name: One task per camera, the connection set once for the group
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
      ca_path: files/axis-device-ca.pem
  block:
    - name: People Counter runs with its key; nothing else is installed
      vapix.acap.axis_acap_state:
        settings:
          allow_unsigned: false
        applications:
          - name: peoplecounter
            src:
              - People_Counter_2_4_1_aarch64.eap
              - People_Counter_2_4_1_armv7hf.eap
            state: started
            license_src: license-keys/
            parameters:
              Threshold: 40
              Upload: true
            secret_parameters:
              ApiKey: "{{ vault_peoplecounter_api_key }}"
        exclusive: true
        protected:
          - partner_app

    - name: Read a reference camera's state, to declare it for the fleet
      vapix.acap.axis_acap_state:
        state: gathered
      register: reference

    - name: Show it
      ansible.builtin.debug:
        var: reference.gathered
"""

RETURN = r"""
changed:
  description: Whether anything was done (or, in check mode, would be done).
  returned: always
  type: bool
actions:
  description: What was done (or would be done in check mode), per resource, in order; resources with nothing to do
    are left out.
  returned: with O(state=converged)
  type: dict
  sample:
    "setting:allow_unsigned": ["set AllowUnsigned=true"]
    "application:peoplecounter": ["upload", "start"]
    "license:peoplecounter": ["upload_license"]
    "parameters:peoplecounter": ["set Threshold=40"]
    "removed:oldapp": ["remove"]
resources:
  description:
    - One record per declared resource (and per removal, and per undeclared application), in the order handled;
      what the drift report reads.
  returned: with O(state=converged), on success, and on failure for what was planned
  type: list
  elements: dict
  contains:
    resource:
      description:
        - C(kind:name) - kinds C(setting), C(application), C(license), C(parameters), C(removed), and
          C(undeclared) (an installed application the O(applications) list does not name, when O(exclusive=false);
          nothing is done to it).
      type: str
    changed:
      description:
        - Whether anything was done for it (or, in check mode, would be done), that is whether RV(resources[].actions)
          is not empty. A difference without an action (RV(resources[].difference), RV(resources[].not_comparable))
          is not a change.
      type: bool
    actions:
      description: Actions done, or planned in check mode.
      type: list
      elements: str
    before:
      description: The resource as the device had it (an empty dict when absent).
      type: raw
    after:
      description: The resource afterwards (predicted in check mode).
      type: raw
    source:
      description: The package or key file chosen for this camera, when one was sent.
      type: str
    warnings:
      description: Warnings about this resource; each names it.
      type: list
      elements: str
    outcome_unknown:
      description: The write was sent but the device's state cannot prove whether it took effect.
      type: bool
    not_comparable:
      description:
        - C(parameters) records only. Declared parameters the camera hides and that were left as they are
          (O(applications[].update_secrets=on_create)); not a change, not drift.
      type: list
      elements: str
      version_added: 0.3.0
    notes:
      description: C(parameters) records only. What could not be compared and what the policy did, in words.
      type: list
      elements: str
      version_added: 0.3.0
    difference:
      description:
        - Only when the device differs from the declaration without an action planned for it.
        - V(newer_than_declared) the device runs a newer version than the declared package and keeps it.
        - V(installed_not_declared) the record of an C(undeclared:NAME) application.
      type: str
      returned: when set
      version_added: 0.3.0
device:
  description:
    - The camera's address, and its model (C(product)), firmware, serial number and architecture when this run
      read them (it does not read them only for this).
  returned: success (not with O(state=gathered))
  type: dict
  version_added: 0.3.0
  sample:
    address: 192.0.2.10:443
    product: AXIS M3086-V
    firmware_version: 11.11.73
outcome_unknown:
  description: Present and V(true) when a write's outcome could not be proved (see the warnings).
  returned: when it happened
  type: bool
gathered:
  description:
    - With O(state=gathered), the camera's settings and applications in this module's input format.
    - Passwords (the device's types say so; without types, values made only of C(*)) are under
      C(secret_parameters), masked (C(********), empty when unset). Replace the masks with the real values (from
      a vault) before declaring them; with the default O(applications[].update_secrets=on_create) a mask fed
      back as it is changes nothing on a camera that has the password set, and fails before writing where it
      would be written (the mask is never written as a password).
  returned: when O(state=gathered)
  type: dict
  sample:
    settings:
      allow_unsigned: true
    applications:
      - name: peoplecounter
        state: started
        parameters:
          Threshold: "40"
        secret_parameters:
          ApiKey: "********"
error_code:
  description: "The device's error code (C(Error: N)) when the task failed because of one; V(null) otherwise."
  returned: failure
  type: int
  sample: 2
http_status:
  description: HTTP status of the failing answer, V(null) when there was none.
  returned: failure
  type: int
  sample: 401
endpoint:
  description: The CGI whose answer made the task fail, where one did.
  returned: failure, when a device answer caused it
  type: str
  sample: upload.cgi
"""

from ansible_collections.vapix.acap.plugins.module_utils._module import run_module
from ansible_collections.vapix.acap.plugins.module_utils._state import MODULE_SPEC


def main() -> None:
    run_module(MODULE_SPEC)


if __name__ == "__main__":
    main()
