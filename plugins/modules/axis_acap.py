#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: axis_acap
short_description: Install, upgrade, start, stop, restart and remove ACAP applications on Axis devices
version_added: 0.1.0
description:
  - Makes an ACAP application on an Axis device be installed in a given version and in a given run state,
    through the VAPIX Application API (C(list.cgi), C(upload.cgi), C(control.cgi)).
  - One C(list.cgi) read decides. The package is uploaded only when the application is missing, older than the
    package, or newer and O(allow_downgrade=true), or when O(force=true); the application is started or
    stopped only when its status differs from what O(state) asks. A run with nothing to do sends exactly one
    request to the device.
  - The packages in O(src) are read where the module runs, without the device (name, version, architecture,
    vendor, application ID, required embedded SDK version, signed or not). Every package is read, and
    every local mistake reported, before the first request is sent.
  - Before a byte of the package is sent, the module checks that a package fits the device's architecture,
    that the device has the embedded SDK version the package requires, that no installed application has the
    same name in another letter case, and, for an unsigned package on AXIS OS 11.2 and later, that the device
    accepts unsigned applications (C(config.cgi) C(AllowUnsigned)). Device facts and C(config.cgi) are read
    only when an upload is needed; device facts also when the packages in O(src) have different versions
    (the device's architecture then decides which version applies).
  - When the device cannot tell whether an upload or an action succeeded (error C(15), a dropped connection),
    the module reads C(list.cgi) again and reports what the device shows, with a warning; if the device does
    not show it done, the task fails and says so.
author:
  - vapix.acap contributors (@vapix-acap)
extends_documentation_fragment:
  - vapix.acap.connection
  - vapix.acap.attributes
attributes:
  check_mode:
    support: full
    details:
      - Reads (C(list.cgi), C(param.cgi), C(config.cgi)) are sent, so the pre-flight checks run in check mode
        too; nothing that changes the device is sent. RV(actions) and RV(application) are predicted.
  diff_mode:
    support: full
    details:
      - The diff shows the application's name, version, status and license before and after.
options:
  name:
    description:
      - The application's short name, as C(list.cgi) lists it (C(Name)) and as the package declares it
        (C(appName) in C(manifest.json), C(APPNAME) in C(package.conf)). Case sensitive.
      - Optional when O(src) is given; when both are given they must agree.
      - Required without O(src), for example to start, stop, restart or remove an installed application.
    type: str
  src:
    description:
      - Path of an C(.eap) package on the controller, or a list of paths, one package per architecture of the
        same application.
      - A relative path is looked up in the folder of the playbook you run, then the folder of the host's
        inventory file, then as M(ansible.builtin.copy) looks up O(ansible.builtin.copy#module:src) (the role's
        C(files/) folder, the role, the playbook's C(files/) folder, then the playbook's folder); see the
        collection's C(docs/fleet_guide.md), "Relative paths".
      - When the task does not run on the controller (a jump host), the package is copied to the host's
        temporary directory for the task.
      - The module picks the package whose architecture is the device's, through one table of architecture
        words in which aliases are one architecture (a C(mipsisa32r2el) package fits a camera that reports
        C(mips)); a package of architecture C(all) fits any device, and a package of the device's own
        architecture wins over C(all). When none fits, the task fails and lists what was offered and what the
        device is.
      - A package's architecture is read from C(manifest.json), else from the C(APPTYPE) of its C(package.conf)
        (packages built with the ACAP 3 SDK have it only there). A package that names none, or names a word
        the table does not know, is not refused; it is sent with a warning and the device decides (it answers
        error code 5 when the architecture is wrong).
      - When several packages are given and they all have the version the device already runs, the device's
        architecture is not read and RV(package) is V(null).
      - A string is one path; a comma in it is taken as a list separator by Ansible, so give paths that contain
        commas as a YAML list.
    type: list
    elements: path
  state:
    description:
      - V(present) installs or upgrades the application and leaves its run state as it is. A new installation is
        not started; an application that was running before an upgrade is running after it (started again if
        the device stopped it).
      - V(started) and V(stopped) also bring the application to that run state. C(Running) and C(Idle) count as
        started (the device keeps a started application idle until it has work), so V(started) sends nothing
        for an C(Idle) application and V(stopped) sends a stop; C(Stopped) counts as stopped.
      - V(restarted) always acts and reports a change. A running application is restarted, a stopped one is
        started.
      - V(absent) removes the application when it is installed. O(src) then only names the application.
    type: str
    choices: [present, started, stopped, restarted, absent]
    default: present
  allow_downgrade:
    description:
      - When the device has a newer version of the application than the package, keep it (with a warning)
        unless this is V(true), in which case the older package is installed.
    type: bool
    default: false
  force:
    description:
      - Upload the package even when the device already has the package's version.
      - Does not override O(allow_downgrade).
    type: bool
    default: false
notes:
  - Versions are compared tolerantly; C(4.15-2) (how C(list.cgi) shows a C(package.conf) version) equals
    C(4.15.2). When the device does not report the installed version, the installed application is kept with a
    warning; use O(force=true) to upload anyway.
  - A package is signed when bytes follow its gzip stream; the device, not the module, verifies the signature.
  - See docs/axis_acap.md in the collection for the decisions behind the behaviour.
seealso:
  - module: vapix.acap.axis_acap_info
  - module: vapix.acap.axis_acap_license
  - module: vapix.acap.axis_acap_config
"""

EXAMPLES = r"""
- name: Install (or upgrade to) the package's version and make sure it runs
  vapix.acap.axis_acap:
    hostname: 192.0.2.10
    username: root
    password: "{{ axis_password }}"
    src: hello_world_1_2_0_aarch64.eap  # in the playbook's (or the role's) files/ folder
    state: started

# A fleet of mixed cameras: the inventory holds axis_hostname/axis_username/axis_password per camera;
# each camera gets the package built for its architecture.
- name: Roll out version 1.3.0 to every camera
  delegate_to: localhost
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
      ca_path: "{{ playbook_dir }}/files/axis-ca.pem"
  block:
    - name: Upgrade older versions, install where missing, keep it running
      vapix.acap.axis_acap:
        src:
          - "{{ playbook_dir }}/files/object_counter_1_3_0_aarch64.eap"
          - "{{ playbook_dir }}/files/object_counter_1_3_0_armv7hf.eap"
        state: started
      register: rollout

    - name: Show what changed on each camera
      ansible.builtin.debug:
        msg: "{{ inventory_hostname }}: {{ rollout.actions }} -> {{ rollout.application.version }}"

- name: Go back to an older version on purpose
  vapix.acap.axis_acap:
    hostname: 192.0.2.10
    username: root
    password: "{{ axis_password }}"
    src: "{{ playbook_dir }}/files/hello_world_1_1_0_all.eap"
    allow_downgrade: true

- name: Reinstall the same version (for example after a failed manual change)
  vapix.acap.axis_acap:
    hostname: 192.0.2.10
    username: root
    password: "{{ axis_password }}"
    src: "{{ playbook_dir }}/files/hello_world_1_2_0_aarch64.eap"
    force: true

- name: Stop an installed application
  vapix.acap.axis_acap:
    hostname: 192.0.2.10
    username: root
    password: "{{ axis_password }}"
    name: hello_world
    state: stopped

- name: Restart it (always reports a change)
  vapix.acap.axis_acap:
    hostname: 192.0.2.10
    username: root
    password: "{{ axis_password }}"
    name: hello_world
    state: restarted

- name: Remove it
  vapix.acap.axis_acap:
    hostname: 192.0.2.10
    username: root
    password: "{{ axis_password }}"
    name: hello_world
    state: absent
"""

RETURN = r"""
actions:
  description:
    - What was done (or, in check mode, would be done), in order. Each of V(upload), V(start), V(stop),
      V(restart), V(remove).
    - Actions the device answered with "already so" (C(control.cgi) error C(6) to a start, C(7) to a stop,
      C(4) to a remove) are not listed.
  returned: always
  type: list
  elements: str
  sample: [upload, start]
application:
  description:
    - The application after the task, as one item of M(vapix.acap.axis_acap_info)'s C(applications); V(null) when
      it is not installed. Read from the device after a change; predicted in check mode.
  returned: always
  type: dict
  sample:
    name: hello_world
    nice_name: Hello World
    vendor: Example Inc
    version: 1.2.0
    application_id: "414120"
    status: Running
    license: None
    license_expiration_date: null
    configuration_page: local/hello_world/index.html
    vendor_home_page: null
    license_name: null
    validation_result: null
    extra: {}
package:
  description:
    - What was read from the chosen C(.eap). V(null) without O(src), and when several packages were given but no
      upload was needed (the device's architecture was then not read).
  returned: always
  type: dict
  contains:
    path:
      description: The package's path.
      type: str
    filename:
      description: The package's file name, as sent to the device.
      type: str
    name:
      description: The application's short name (C(appName) / C(APPNAME)).
      type: str
    version:
      description: The version; a C(package.conf) version is spelled as C(list.cgi) shows it (C(MAJOR.MINOR-MICRO)).
      type: str
    architecture:
      description:
        - The package's own word (C(all), C(aarch64), C(armv7hf), C(mipsisa32r2el), ...), from C(manifest.json)
          or else C(package.conf) C(APPTYPE); V(null) when the package names none.
      type: str
    vendor:
      description: The vendor.
      type: str
    friendly_name:
      description: The application's nice name.
      type: str
    application_id:
      description: The application ID used for licensing.
      type: str
    embedded_sdk_version:
      description: The embedded development version the package requires; V(null) when the manifest states none.
      type: str
    schema_version:
      description: The C(manifest.json) schema version; V(null) for a C(package.conf) package.
      type: str
    signed:
      description: Whether a signature follows the package's gzip stream.
      type: bool
    run_as_root:
      description: Whether the application runs as C(root).
      type: bool
    copy_protection:
      description: C(axis), C(custom) or C(none).
      type: str
    acap_format:
      description: V(4) for a C(manifest.json) package, V(3) for a C(package.conf) one.
      type: int
    size:
      description: Size of the file in bytes.
      type: int
    sha256:
      description: SHA-256 of the file.
      type: str
  sample:
    path: files/hello_world_1_2_0_aarch64.eap
    filename: hello_world_1_2_0_aarch64.eap
    name: hello_world
    version: 1.2.0
    architecture: aarch64
    vendor: Example Inc
    friendly_name: Hello World
    application_id: "414120"
    embedded_sdk_version: "3.0"
    schema_version: "1.3"
    signed: true
    run_as_root: false
    copy_protection: none
    acap_format: 4
    size: 48213
    sha256: 9f2c7e0c2a4f6c1d8b3e5a7f9d1c3b5a7e9f1d3c5b7a9e1f3d5c7b9a1e3f5d7c
device:
  description:
    - The device facts read to choose the package and run the checks; returned only when they were read (an upload
      was needed, or the packages in O(src) have different versions).
  returned: when the device facts were read
  type: dict
  sample:
    firmware_version: 12.2.1
    embedded_development_version: "3.5"
    serial_number: ACCC8E012345
    architecture: aarch64
    package_architectures: [aarch64, all]
    product: AXIS M3086-V
  contains:
    package_architectures:
      description:
        - The architecture words of packages that fit this device, from the architecture table (the device's word
          and its aliases, then C(all)); see vapix.acap.axis_acap_info.
      type: list
      elements: str
      version_added: 0.3.0
resources:
  description:
    - One record for the application (resource C(application:NAME)), the format every managing module of the
      collection returns and the drift report reads; see RV(vapix.acap.axis_acap_state#module:resources) for
      its keys.
  returned: success, and on failure for what was planned
  type: list
  elements: dict
  sample:
    - resource: application:hello_world
      changed: true
      actions: [upload, start]
      before: {}
      after: {name: hello_world, version: 1.2.0, status: Running, license: None}
      source: files/hello_world_1_2_0_aarch64.eap
      warnings: []
      outcome_unknown: false
outcome_unknown:
  description: Present and V(true) when a write's outcome could not be proved (see the warnings).
  returned: when it happened
  type: bool
error_code:
  description:
    - "The device's error code (C(Error: N)) when the task failed because of one; V(null) otherwise."
    - When a check made before the upload finds that the device would refuse the package (unsigned where
      unsigned packages are refused, a name in another letter case), the code the device would answer
      (V(2), V(14)), so that automation can treat both alike; RV(http_status) is then V(null), since
      nothing was sent.
  returned: failure
  type: int
  sample: 2
http_status:
  description: HTTP status of the failing answer, V(null) when there was none (nothing sent, or no answer).
  returned: failure
  type: int
  sample: 401
endpoint:
  description: The CGI whose answer made the task fail (for example V(upload.cgi)), where one did.
  returned: failure, when a device answer caused it
  type: str
  sample: upload.cgi
"""

from ansible_collections.vapix.acap.plugins.module_utils._acap import MODULE_SPEC
from ansible_collections.vapix.acap.plugins.module_utils._module import run_module


def main() -> None:
    run_module(MODULE_SPEC)


if __name__ == "__main__":
    main()
