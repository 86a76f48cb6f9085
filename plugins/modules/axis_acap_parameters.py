#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: axis_acap_parameters
short_description: Set the parameters of an ACAP application on Axis devices
version_added: 0.2.0
description:
  - Sets an installed ACAP application's own parameters (its settings, such as a counting threshold or a server
    address), which the device keeps in its parameter tree as C(root.<App>.<Name>), through VAPIX C(param.cgi).
  - Reads C(param.cgi?action=list&group=root.<App>) once, compares, and writes only the parameters that differ,
    all in one C(action=update) request; then reads the group again to confirm. Parameters not given are left
    as they are. A second run with nothing to change sends exactly one request.
  - When something is to be written (or the device hides a given value), the parameters' types are read from
    the device too (C(param.cgi?action=listdefinitions&listformat=xmlschema), one request; firmware without it
    answers C(# Error) and the module works without types, as before 0.3.0). The types tell which parameters
    are passwords, the words of a bool, the range of an int and the values of an enum, all checked before
    anything is written.
  - Values given as Ansible types are written as the device writes them - an integer in decimal, a boolean with
    the words of the parameter's type (C(yes)/C(no), C(true)/C(false), C(on)/C(off), C(1)/C(0),
    C(enabled)/C(disabled)), from the device's type, else from the value the device shows now. A string is
    written exactly as given (a trailing blank is kept; values may hold C(=)).
  - C(param.cgi) text is sent and read in the device's charset (ISO-8859-1 on cameras; the charset of the
    answer's Content-Type when it names one). A value the device cannot store - a character outside its charset,
    or a line break of any kind (line feed, carriage return, form feed, U+0085, U+2028...) - fails the task
    before anything is written.
  - A parameter name the application does not have fails the task before anything is written, naming the
    parameters the application has. A value the device refuses fails the task; a device refuses per parameter
    and applies the others, so the module reads the parameters again and the failure says which values were
    applied (RV(applied), with C(changed=true) when any) and which were refused (RV(refused)).
  - Secret parameters (O(secret_parameters), and any parameter the device says is a password) never appear with
    their value in the output, the diff, warnings or messages; see O(update_secrets) for what can be
    compared.
author:
  - vapix.acap contributors (@vapix-acap)
extends_documentation_fragment:
  - vapix.acap.connection
  - vapix.acap.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the parameters and reports what would be written; sends no C(update).
      - If the application is not installed, check mode plans every given parameter as a change and warns
        that it assumes an earlier task installs the application; without check mode that is an error.
  diff_mode:
    support: full
    details:
      - Every parameter of the application before and after, secrets masked.
options:
  name:
    description:
      - The application's short name, as C(list.cgi) reports it in C(Name) (the manifest's C(appName)); the
        parameter group is C(root.<name>).
      - Case sensitive.
    type: str
    required: true
  parameters:
    description:
      - Parameter name (without C(root.<App>.)) to value. Case sensitive.
      - Values may be strings, integers, floats or booleans; see the description for how they are written.
      - At least one of O(parameters) and O(secret_parameters) must be given.
    type: dict
    default: {}
  secret_parameters:
    description:
      - Parameters whose values are secret (passwords, API keys), name to value, set like O(parameters).
      - The option is C(no_log), so Ansible masks the values in its own output too; the module shows
        C(********) instead of the value, and C(******** (changed)) after a change.
      - When the device lists the value in clear, it is compared like any other value, so it is written only
        when it differs. When the device hides it (a C(password) parameter, listed as a row of C(*)), see
        O(update_secrets).
      - A password given in O(parameters) is masked in the module's output too (the device's types say it is a
        password), with a warning when it is written to move it here (Ansible shows the task's own arguments at
        C(-vvvv) unless no_log).
    type: dict
    default: {}
  update_secrets:
    description:
      - What to do with a given parameter whose value the device hides (a password that is set, listed as a row
        of C(*)), which therefore cannot be compared. Like the C(update_password) option of M(ansible.builtin.user).
      - V(on_create) writes it only while the device has none set (it lists an unset password as empty);
        otherwise it is left as it is, named in RV(not_comparable) and in the record's C(notes), and the task
        reports no change for it (a drift check is not red for it).
      - V(always) writes it on every run; the task then reports a change on every run.
      - A secret the device lists in clear is always compared, whatever this option says.
    type: str
    choices: [on_create, always]
    default: on_create
    version_added: 0.3.0
notes:
  - Writing parameters needs a user with the administrator role (some parameters accept the operator role).
  - The running application is told of the change by the device; it is not restarted.
  - The device's parameter list does not say a parameter's type, C(listdefinitions) does; on firmware without it
    a boolean given for a parameter whose current value is not one of the known word pairs fails with a message
    asking for the word as a string, and a value made only of C(*) is taken for a hidden password.
  - Where the device gives types, a plain parameter whose value is made only of C(*) is compared like any other
    (it costs the C(listdefinitions) request on every run, to tell it from a password).
  - An update that gets no clear answer (timeout, dropped connection, HTTP 5xx, an HTML page) is not sent again;
    the module reads the parameters and reports what the device shows - applied (a warning), not applied
    (failed, nothing changed; after a timeout the outcome is unknown, since the device may still be working),
    or unknown (failed, with what it could see). When every value written is one the device hides, nothing can
    show the outcome, so the update is sent once more (safe to repeat) and that answer decides; unclear again
    fails with RV(outcome_unknown).
seealso:
  - module: vapix.acap.axis_acap
  - module: vapix.acap.axis_acap_info
  - name: VAPIX Parameter management
    description: The device API this module uses (C(param.cgi)).
    link: https://developer.axis.com/vapix/network-video/parameter-management/
"""

EXAMPLES = r"""
# group_vars/entrances.yml:  people_counter: {threshold: 40, mode: line, upload: true}
# group_vars/parking.yml:    people_counter: {threshold: 70, mode: area, upload: false}
- name: People counter settings per camera group, the connection set once for the group
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
      ca_path: /etc/pki/axis/device-ca.pem
  block:
    - name: Install the people counter
      vapix.acap.axis_acap:
        name: peoplecounter
        src: files/People_Counter_2_4_1_aarch64.eap
        state: started
      delegate_to: localhost

    - name: Set its parameters
      vapix.acap.axis_acap_parameters:
        name: peoplecounter
        parameters:
          Threshold: "{{ people_counter.threshold }}"   # an integer, written as 40
          Mode: "{{ people_counter.mode }}"             # enum:line|area|zone
          Upload: "{{ people_counter.upload }}"         # a boolean, written as yes/no
          Server: https://counts.example.com/api
        secret_parameters:
          ApiKey: "{{ vault_people_counter_api_key }}"
      delegate_to: localhost

- name: Report parameter drift without changing anything (run with --check --diff)
  vapix.acap.axis_acap_parameters:
    hostname: 192.0.2.10
    username: root
    password: "{{ vault_axis_password }}"
    name: peoplecounter
    parameters:
      Threshold: 40
  check_mode: true
  delegate_to: localhost
  register: drift

- name: Show what differs
  ansible.builtin.debug:
    var: drift.resources
  when: drift is changed
"""

RETURN = r"""
parameters:
  description:
    - Every parameter of the application after the task (predicted in check mode), as the device writes them;
      secrets show C(********), or C(******** (changed)) when the task wrote them.
  returned: success
  type: dict
  sample:
    Threshold: "40"
    Mode: line
    Upload: "yes"
    Server: https://counts.example.com/api
    ApiKey: "******** (changed)"
actions:
  description:
    - What was written (or would be in check mode), one item per parameter; a secret's value is not shown.
  returned: always
  type: list
  elements: str
  sample: ["set Threshold=40", "set ApiKey"]
resources:
  description:
    - One record for the application's parameters (resource C(parameters:<name>)), the format every module of
      the collection returns for drift reports.
  returned: success
  type: list
  elements: dict
  contains:
    resource:
      description: C(parameters:<name>).
      type: str
    changed:
      description: Whether the parameters differed from the task (check mode) or were changed.
      type: bool
    actions:
      description: Same as RV(actions).
      type: list
      elements: str
    before:
      description: The parameters before, secrets masked (V({}) when the application is not installed).
      type: dict
    after:
      description: The parameters after, secrets masked.
      type: dict
    source:
      description: Always V(null) (no file is involved).
      type: str
    warnings:
      description: Warnings about these parameters.
      type: list
      elements: str
    outcome_unknown:
      description: Always V(false) on success.
      type: bool
    not_comparable:
      description:
        - Given parameters the device hides and that were left as they are (O(update_secrets=on_create)); not
          a change, not drift.
      type: list
      elements: str
      version_added: 0.3.0
    notes:
      description: What could not be compared and what the policy did about it, in words; not warnings.
      type: list
      elements: str
      version_added: 0.3.0
  sample:
    - resource: parameters:peoplecounter
      changed: true
      actions: ["set Threshold=40"]
      before: {Threshold: "50", Mode: line}
      after: {Threshold: "40", Mode: line}
      source: null
      warnings: []
      outcome_unknown: false
      not_comparable: []
      notes: []
not_comparable:
  description: Same as the record's C(not_comparable).
  returned: success
  type: list
  elements: str
  sample: ["ApiKey"]
  version_added: 0.3.0
applied:
  description: After an update the device refused in part, the parameters it applied (as it shows them).
  returned: failure, when the device refused some of the values
  type: list
  elements: str
  sample: ["Mode", "Server"]
  version_added: 0.3.0
refused:
  description: After an update the device refused in part, the parameters it did not apply.
  returned: failure, when the device refused some of the values
  type: list
  elements: str
  sample: ["Threshold"]
  version_added: 0.3.0
diff:
  description: The parameters before and after, secrets masked, with headers naming the device.
  returned: when diff mode is on
  type: dict
  sample:
    before: {Threshold: "50"}
    after: {Threshold: "40"}
    before_header: "192.0.2.10: parameters:peoplecounter (before)"
    after_header: "192.0.2.10: parameters:peoplecounter (after)"
outcome_unknown:
  description: V(true) when the update was sent but the device could not prove whether it was applied.
  returned: failure, after an update without a clear answer
  type: bool
error_code:
  description: The device's error code when it gave one, else V(null) (C(param.cgi) errors carry no number).
  returned: failure
  type: int
  sample: null
http_status:
  description: HTTP status of the failing answer, V(null) when there was none.
  returned: failure
  type: int
  sample: 200
endpoint:
  description: The CGI whose answer made the task fail (V(param.cgi) or V(list.cgi)), where one did.
  returned: failure, when a device answer caused it
  type: str
  sample: param.cgi
"""

from ansible_collections.vapix.acap.plugins.module_utils._module import run_module
from ansible_collections.vapix.acap.plugins.module_utils._parameters import MODULE_SPEC


def main() -> None:
    run_module(MODULE_SPEC)


if __name__ == "__main__":
    main()
