#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: axis_acap_config
short_description: Set the device-wide ACAP application settings of an Axis device
version_added: 0.1.0
description:
  - Sets the settings that apply to all ACAP applications on an Axis device, through VAPIX C(config.cgi), namely
    whether unsigned packages may be installed, and whether applications running as root may be installed.
  - Reads each given setting first and sets only those that differ, so a second run reports no change.
  - A setting the device's firmware does not have fails the task with a message naming the firmware and
    the AXIS OS versions that have the setting.
author:
  - vapix.acap contributors (@vapix-acap)
extends_documentation_fragment:
  - vapix.acap.connection
  - vapix.acap.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads the current values, sends no C(set) request.
  diff_mode:
    support: full
options:
  allow_unsigned:
    description:
      - Whether the device installs unsigned packages (C(AllowUnsigned)).
      - Available from AXIS OS 11.2. Default on the device is V(true) until AXIS OS 11.11 and V(false) from 12.0.
      - AXIS OS 13 enforces signing whatever this setting says.
    type: bool
  allow_root:
    description:
      - Whether the device installs applications that run as root, and runs install scripts as root
        (C(AllowRoot)).
      - Available in AXIS OS 11.5 to 11.11 only. Default on the device is V(true) until AXIS OS 11.7 and
        V(false) from 11.8.
    type: bool
notes:
  - At least one of O(allow_unsigned) and O(allow_root) is required.
  - One C(config.cgi get) per given setting is sent; C(param.cgi) is read only to explain a setting the
    device does not have.
seealso:
  - module: vapix.acap.axis_acap_info
  - module: vapix.acap.axis_acap
  - name: VAPIX Application API, Configure applications
    description: The device API this module uses.
    link: https://developer.axis.com/vapix/applications/application-api/#configure-applications
"""

EXAMPLES = r"""
- name: Allow unsigned packages (AXIS OS 11.2 to 12.x), connection set once for the group
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
      ca_path: /etc/pki/axis/device-ca.pem
  block:
    - name: Allow unsigned packages
      vapix.acap.axis_acap_config:
        allow_unsigned: true
      delegate_to: localhost

- name: Read the firmware version
  vapix.acap.axis_acap_info:
    hostname: 192.0.2.10
    username: root
    password: "{{ vault_axis_password }}"
  delegate_to: localhost
  register: acap

- name: Refuse root applications where the firmware has the setting (AXIS OS 11.5 to 11.11)
  vapix.acap.axis_acap_config:
    hostname: 192.0.2.10
    username: root
    password: "{{ vault_axis_password }}"
    allow_root: false
  delegate_to: localhost
  when: "'allow_root' in acap.config"
"""

RETURN = r"""
config:
  description: The values of the given settings after the task (predicted in check mode).
  returned: success
  type: dict
  contains:
    allow_unsigned:
      description: C(AllowUnsigned).
      type: bool
      returned: when O(allow_unsigned) is given
    allow_root:
      description: C(AllowRoot).
      type: bool
      returned: when O(allow_root) is given
  sample:
    allow_unsigned: true
actions:
  description: What was done (or would be done in check mode), in order.
  returned: always
  type: list
  elements: str
  sample: ["set AllowUnsigned=true"]
resources:
  description:
    - One record per given setting (resource C(setting:allow_unsigned), C(setting:allow_root)), the format every
      managing module of the collection returns and the drift report reads; see
      RV(vapix.acap.axis_acap_state#module:resources) for its keys.
  returned: success
  type: list
  elements: dict
outcome_unknown:
  description: Present and V(true) when a write's outcome could not be proved (see the warnings).
  returned: when it happened
  type: bool
diff:
  description: The given settings before and after.
  returned: when diff mode is on
  type: dict
  contains:
    before:
      description: Values read from the device.
      type: dict
    after:
      description: Values after the task.
      type: dict
  sample:
    before:
      allow_unsigned: false
    after:
      allow_unsigned: true
error_code:
  description: The device's error code when the device refused the request, else V(null).
  returned: failure
  type: int
  sample: 1
http_status:
  description: HTTP status of the failing answer, V(null) when there was none.
  returned: failure
  type: int
  sample: 404
endpoint:
  description: The CGI whose answer made the task fail (for example V(upload.cgi)), where one did.
  returned: failure, when a device answer caused it
  type: str
  sample: upload.cgi
"""

from ansible_collections.vapix.acap.plugins.module_utils._config import MODULE_SPEC
from ansible_collections.vapix.acap.plugins.module_utils._module import run_module


def main() -> None:
    run_module(MODULE_SPEC)


if __name__ == "__main__":
    main()
