#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: axis_acap_info
short_description: Read the ACAP applications, supported SDKs and application settings of an Axis device
version_added: 0.1.0
description:
  - Lists the ACAP applications installed on an Axis device (VAPIX C(list.cgi)) with their parameters
    (C(param.cgi)), the SDKs the device can run
    (C(info.cgi)), the device-wide application settings (C(config.cgi)) and the device's firmware, serial
    number, architecture and product (C(param.cgi), or C(basicdeviceinfo.cgi) when that fails).
  - Works on old firmware too. What the device does not have (C(list.cgi) below EmbeddedDevelopment 1.20,
    C(config.cgi) below AXIS OS 11.2, C(info.cgi), or device properties it did not answer) is listed in
    RV(missing) instead of failing the task.
  - This module never changes the device.
author:
  - vapix.acap contributors (@vapix-acap)
extends_documentation_fragment:
  - vapix.acap.connection
  - vapix.acap.attributes
  - vapix.acap.attributes.info_module
options: {}
seealso:
  - module: vapix.acap.axis_acap_config
  - module: vapix.acap.axis_acap
  - module: vapix.acap.axis_acap_parameters
  - name: VAPIX Application API
    description: The device API this module uses.
    link: https://developer.axis.com/vapix/applications/application-api/
"""

EXAMPLES = r"""
- name: Read ACAP facts, connection set once for the group (module_defaults works on a play too)
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
      ca_path: /etc/pki/axis/device-ca.pem
  block:
    - name: Read applications and settings
      vapix.acap.axis_acap_info:
      delegate_to: localhost
      register: acap

    - name: Show the running applications
      ansible.builtin.debug:
        msg: "{{ acap.applications | selectattr('status', 'equalto', 'Running') | map(attribute='name') | list }}"

    - name: Warn about what the firmware does not offer
      ansible.builtin.debug:
        msg: "{{ acap.missing }}"
      when: acap.missing | length > 0

- name: Plain HTTP on a lab network (Digest authentication, never Basic in clear text)
  vapix.acap.axis_acap_info:
    hostname: 192.0.2.10
    use_https: false
    username: root
    password: "{{ vault_axis_password }}"
  delegate_to: localhost
"""

RETURN = r"""
applications:
  description:
    - The installed applications, as C(list.cgi) reports them. Attributes the device does not send are V(null).
    - Empty when the device has no application, or when C(list.cgi) is missing (see RV(missing)).
  returned: success
  type: list
  elements: dict
  contains:
    name:
      description: Short name (C(Name)); what the other modules' C(name) option takes.
      type: str
      sample: CrossLineDetection
    nice_name:
      description: Official name (C(NiceName)).
      type: str
      sample: AXIS Cross Line Detection
    vendor:
      description: Vendor.
      type: str
      sample: Axis Communications
    version:
      description: Version as the device shows it (package.conf versions look like C(4.15-2)).
      type: str
      sample: "1.1"
    application_id:
      description: Application ID used for licensing, as a string.
      type: str
      sample: "3051"
    status:
      description: C(Running), C(Stopped) or C(Idle).
      type: str
      sample: Running
    license:
      description: C(Valid), C(Invalid), C(Missing), C(Custom) or C(None).
      type: str
      sample: Valid
    license_expiration_date:
      description: Date (YYYY-MM-DD) the license expires.
      type: str
      sample: "2027-01-01"
    configuration_page:
      description: Relative URL of the application's configuration page.
      type: str
      sample: local/CrossLineDetection/info.html
    vendor_home_page:
      description: Vendor's home page.
      type: str
      sample: https://www.axis.com
    license_name:
      description: License name.
      type: str
      sample: Proprietary
    validation_result:
      description: URL of a validation or result page.
      type: str
      sample: null
    extra:
      description: Attributes the device sent that the API's schema does not name, as sent.
      type: dict
      sample: {}
  sample:
    - name: CrossLineDetection
      nice_name: AXIS Cross Line Detection
      vendor: Axis Communications
      version: "1.1"
      application_id: "3051"
      status: Running
      license: Valid
      license_expiration_date: null
      configuration_page: local/CrossLineDetection/info.html
      vendor_home_page: https://www.axis.com
      license_name: Proprietary
      validation_result: null
      extra: {}
parameters:
  description:
    - Each installed application's own parameters (C(root.<App>.<Name>) in C(param.cgi)), by application short
      name, then parameter name; all read with one C(param.cgi) request.
    - An application that declares no parameter maps to V({}). Passwords are not here but in
      RV(secret_parameters); the others are shown exactly as the device lists them (strings; a C(hidden)
      parameter is only a settings-page flag and is listed in clear).
    - When a value could be a password's (empty, or only C(*)), the types are read too
      (C(param.cgi?action=listdefinitions), one request); on firmware without it, a value made only of C(*) is
      taken for a password.
  returned: success
  type: dict
  sample:
    peoplecounter:
      Threshold: "40"
      Mode: line
      Upload: "yes"
    hello_world: {}
secret_parameters:
  description:
    - Each installed application's password parameters, by application short name, then parameter name, masked
      (C(********); an unset password is empty). Never the value.
  returned: success
  type: dict
  sample:
    peoplecounter:
      ApiKey: "********"
    hello_world: {}
  version_added: 0.3.0
supported_sdks:
  description: SDKs whose applications the device can run (C(info.cgi)); empty when C(info.cgi) is missing.
  returned: success
  type: list
  elements: str
  sample: [acap3, acap4-native]
config:
  description:
    - The device-wide application settings the firmware has; a setting the firmware lacks is absent.
  returned: success
  type: dict
  contains:
    allow_unsigned:
      description: Whether unsigned packages may be installed (C(AllowUnsigned), AXIS OS 11.2 and later).
      type: bool
      returned: when the firmware has it
    allow_root:
      description: Whether applications running as root may be installed (C(AllowRoot), AXIS OS 11.5 to 11.11).
      type: bool
      returned: when the firmware has it
  sample:
    allow_unsigned: false
device:
  description: Device facts; values the device does not report are V(null).
  returned: success
  type: dict
  contains:
    firmware_version:
      description: AXIS OS version (C(Properties.Firmware.Version)).
      type: str
      sample: 12.6.85
    embedded_development_version:
      description: C(Properties.EmbeddedDevelopment.Version); V(null) when only basicdeviceinfo.cgi answered.
      type: str
      sample: "3.6"
    serial_number:
      description: Serial number (12 hex characters).
      type: str
      sample: B8A44F45D624
    architecture:
      description: CPU architecture as the device reports it (C(aarch64), C(armv7hf), C(mips), C(crisv32), ...).
      type: str
      sample: aarch64
    package_architectures:
      description:
        - The architecture words of packages that fit this device, from the collection's architecture table
          (the device's own word and its aliases, then C(all)); for a MIPS camera V([mips, mipsisa32r2el, all]),
          since MIPS packages are built as C(mipsisa32r2el). Only V([all]) when the device reports no architecture.
        - Use it to pick a package file for the camera; vapix.acap.axis_acap does the same choice itself when
          given one package per architecture.
      type: list
      elements: str
      sample: [aarch64, all]
      version_added: 0.3.0
    product:
      description: Product short name (C(Brand.ProdShortName)).
      type: str
      sample: AXIS M3086-V
missing:
  description: What the device lacks or did not answer, one sentence each, with the reason.
  returned: success
  type: list
  elements: str
  sample:
    - "list.cgi: needs EmbeddedDevelopment >= 1.20 (device has 1.10)"
    - "config.cgi: needs AXIS OS >= 11.2 (device has 10.12.1)"
error_code:
  description: The device's error code when the device refused a request, else V(null).
  returned: failure
  type: int
  sample: 1
http_status:
  description: HTTP status of the failing answer, V(null) when there was none (refused connection, TLS failure).
  returned: failure
  type: int
  sample: 401
endpoint:
  description: The CGI whose answer made the task fail (for example V(config.cgi)), where one did.
  returned: failure, when a device answer caused it
  type: str
  sample: config.cgi
"""

from ansible_collections.vapix.acap.plugins.module_utils._info import MODULE_SPEC
from ansible_collections.vapix.acap.plugins.module_utils._module import run_module


def main() -> None:
    run_module(MODULE_SPEC)


if __name__ == "__main__":
    main()
