#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: axis_acap_license
short_description: Install and remove ACAP application license keys on Axis devices
version_added: 0.1.0
description:
  - Installs the license key of a licensed ACAP application on an Axis device, or removes it, through the VAPIX
    Application API (C(license.cgi)).
  - Axis issues one key per application and device serial number. O(src) may name a directory holding the keys
    of a whole fleet; the module picks the key whose serial number is the device's, so one task run over all
    cameras gives each camera its own key.
  - One C(list.cgi) read decides. The application's C(License) status as the device reports it drives the
    decision; keys already installed are not uploaded again.
  - Before an upload the key is checked locally against the installed application and the device - product
    (application short name), product ID (C(ApplicationID), where the device reports one), serial number and
    expiry - so a wrong key fails with what the key says and what the device says, before anything is sent.
  - After an upload C(list.cgi) is read again and the license must be reported C(Valid) (after an upload forced
    for C(None) or C(Custom), that same status is accepted, with a warning).
  - The key's content (its license code and signature) never appears in the module's output, diff, warnings
    or errors; its product, product ID, serial number and expiry may.
author:
  - vapix.acap contributors (@vapix-acap)
extends_documentation_fragment:
  - vapix.acap.connection
  - vapix.acap.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the device (C(list.cgi), and C(param.cgi) when a key must be chosen or checked) and reports what
        would be done; sends nothing that changes the device.
  diff_mode:
    support: full
    details:
      - The license status and expiry date before and after.
options:
  name:
    description:
      - The application's short name, as C(list.cgi) reports it in C(Name) (the manifest's C(appName)).
      - Case sensitive.
    type: str
    required: true
  src:
    description:
      - A license key file, or a directory of key files, on the controller.
      - A relative path is looked up in the folder of the playbook you run, then the folder of the host's
        inventory file, then as M(ansible.builtin.copy) looks up O(ansible.builtin.copy#module:src) (the role's
        C(files/) folder, the role, the playbook's C(files/) folder, then the playbook's folder); see the
        collection's C(docs/fleet_guide.md), "Relative paths".
      - When the task does not run on the controller (a jump host), the file, or the directory's top-level
        files, are copied to the host's temporary directory for the task.
      - For a directory, every non-hidden regular file ending in C(.xml), C(.lic) or C(.key) is read; the key
        for this application and this device's serial number is used. When several keys match (an old key
        and its renewal), the one that expires last wins (no expiry counts as last).
      - Files in the directory that cannot be read as keys are skipped with a warning; they are named in the
        error if no key matches.
      - Mutually exclusive with O(content). One of the two is required with O(state=present).
    type: path
  content:
    description:
      - The license key XML as text, for example from a vault or a lookup.
      - Never logged.
      - Mutually exclusive with O(src).
    type: str
  state:
    description:
      - V(present) installs the key unless the device already reports a valid license with the key's expiry
        date.
      - V(absent) removes the installed key (when the device reports C(Valid) or C(Invalid)). O(src) and
        O(content) are not used.
    type: str
    choices: [present, absent]
    default: present
  force:
    description:
      - With O(state=present), upload the key even when the device reports a valid license, and even when the
        application reports C(License=None) (needs no license) or C(License=Custom) (its own licensing), where
        the module otherwise only warns.
      - With O(state=absent), ask the device to remove the key even when it reports C(Custom) or an unknown
        status.
      - The local checks of the key (product, product ID, serial number, expiry) still apply.
    type: bool
    default: false
notes:
  - "Decisions for O(state=present) from C(list.cgi) C(License): V(Valid) with the key's expiry date - nothing
    to do; V(Valid) with another expiry date, V(Missing) or V(Invalid) - upload; V(None) or V(Custom) - nothing,
    with a warning, unless O(force=true). The application not installed is a failure: install it first, for
    example with M(vapix.acap.axis_acap)."
  - "Decisions for O(state=absent): V(Valid) or V(Invalid) - remove; V(Missing) or V(None), or the application
    not installed - nothing to do; V(Custom) - nothing, with a warning, unless O(force=true)."
  - A run with nothing to do sends exactly one request, C(list.cgi), when O(src) is a file or O(content) is
    used, and when O(src) is a directory whose keys for this application all expire on the same date (the
    usual case for keys bought together). If their expiry dates differ and the device reports a valid license,
    the device's serial number is read (C(param.cgi)) to find its key and compare the expiry dates.
  - Every upload reads the serial number first, to choose the key and to check it.
  - Key expiry is compared by date; a key is usable through its expiry day (UTC), like the device's
    C(LicenseExpirationDate), which is a date too.
  - The module reads the key file(s) locally and sends only the chosen key's bytes to the device.
  - See docs/axis_acap_license.md in the collection for every choice made where the VAPIX documentation is
    silent.
seealso:
  - module: vapix.acap.axis_acap
  - module: vapix.acap.axis_acap_info
  - name: VAPIX Application API
    description: Upload, install and remove license keys.
    link: https://developer.axis.com/vapix/applications/application-api/#manage-license-keys
requirements:
  - requests
  - lxml
"""

EXAMPLES = r"""
- name: Every camera gets its own key from the fleet's key folder
  vapix.acap.axis_acap_license:
    hostname: "{{ axis_hostname }}"
    username: "{{ axis_username }}"
    password: "{{ axis_password }}"
    ca_path: /etc/ssl/axis-ca.pem
    name: CrossLineDetection
    src: "{{ playbook_dir }}/license-keys/CrossLineDetection/"
  delegate_to: localhost

- name: Install a key kept in a vault
  vapix.acap.axis_acap_license:
    hostname: camera-12.example.com
    username: operator-admin
    password: "{{ vault_axis_password }}"
    name: ExampleApp
    content: "{{ vault_exampleapp_keys[inventory_hostname] }}"
  delegate_to: localhost

- name: Upload the key again even though the device reports it valid
  vapix.acap.axis_acap_license:
    hostname: camera-12.example.com
    username: root
    password: "{{ vault_axis_password }}"
    name: ExampleApp
    src: keys/B8A44F45D624.xml
    force: true
  delegate_to: localhost

- name: Remove the application's key
  vapix.acap.axis_acap_license:
    hostname: camera-12.example.com
    username: root
    password: "{{ vault_axis_password }}"
    name: ExampleApp
    state: absent
  delegate_to: localhost
"""

RETURN = r"""
actions:
  description:
    - What was done (or, in check mode, would be done), in order.
  returned: always
  type: list
  elements: str
  sample: [upload_license]
license:
  description:
    - The application's license as the device reports it after the task (in check mode, as predicted).
  returned: always
  type: dict
  contains:
    status:
      description:
        - C(list.cgi) C(License) - V(Valid), V(Invalid), V(Missing), V(Custom) or V(None); null when the
          application is not installed (only with O(state=absent)).
      type: str
      sample: Valid
    expiration_date:
      description: C(list.cgi) C(LicenseExpirationDate) (YYYY-MM-DD); null when the device reports none.
      type: str
      sample: "2027-11-14"
key:
  description:
    - The facts of the key that was uploaded or that decided there was nothing to do. Never the key itself.
    - Null with O(state=absent), and when O(src) is a directory whose keys for the application all match the
      installed license (the device's serial number was not needed, so which file is its key was not asked).
  returned: always
  type: dict
  contains:
    product:
      description: The application short name the key is for.
      type: str
      sample: ExampleApp
    productid:
      description: The application ID the key is for; null when the key does not say.
      type: str
      sample: "414120"
    serial_number:
      description: The device serial number the key is for (upper case, no separators).
      type: str
      sample: B8A44F45D624
    expires:
      description: The key's expiry date (YYYY-MM-DD); null when it never expires.
      type: str
      sample: "2027-11-14"
resources:
  description:
    - One record for the key (resource C(license:NAME)), the format every managing module of the collection
      returns and the drift report reads; see RV(vapix.acap.axis_acap_state#module:resources) for its keys.
  returned: success
  type: list
  elements: dict
outcome_unknown:
  description: Present and V(true) when a write's outcome could not be proved (see the warnings).
  returned: when it happened
  type: bool
diff:
  description: The license status and expiry date of the application before and after; only in diff mode.
  returned: when diff mode is on
  type: dict
  sample:
    before: {application: ExampleApp, status: Missing, expiration_date: null}
    after: {application: ExampleApp, status: Valid, expiration_date: "2027-11-14"}
error_code:
  description:
    - On failure, the device's error code (C(Error N) of C(license.cgi), for example V(30) for a key issued for
      another serial number), or null when the failure is not a device error code.
  returned: failure
  type: int
  sample: 30
http_status:
  description: On failure, the HTTP status of the failing request, when there was one.
  returned: failure
  type: int
  sample: 200
endpoint:
  description: The CGI whose answer made the task fail (for example V(upload.cgi)), where one did.
  returned: failure, when a device answer caused it
  type: str
  sample: upload.cgi
"""

from ansible_collections.vapix.acap.plugins.module_utils._license import MODULE_SPEC
from ansible_collections.vapix.acap.plugins.module_utils._module import run_module


def main() -> None:
    run_module(MODULE_SPEC)


if __name__ == "__main__":
    main()
