# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: eap_facts
version_added: 0.3.0
short_description: The facts of an ACAP package (.eap), read on the controller
description:
  - Reads an ACAP application package (C(.eap)) on the controller, without a device, with the same reader the
    modules use (M(vapix.acap.axis_acap) reads a package the same way before it uploads it), and returns its facts.
  - The package is read in one streaming pass; only its small metadata members are kept in memory.
  - A file that is not a valid package fails the task with a message naming the file and the cause.
positional: _input
options:
  _input:
    description: Path of the C(.eap) file on the controller (C(~) is expanded).
    type: path
    required: true
author:
  - vapix.acap contributors (@vapix-acap)
"""

EXAMPLES = r"""
- name: Read the package before it is rolled out
  ansible.builtin.set_fact:
    counter_package: "{{ 'files/counter_1_2_3_aarch64.eap' | vapix.acap.eap_facts }}"

- name: Refuse an unsigned package or one for another architecture
  ansible.builtin.assert:
    that:
      - counter_package.signed
      - counter_package.architecture in ['aarch64', 'all']
    fail_msg: "{{ counter_package.filename }} is {{ counter_package.architecture }}, signed={{ counter_package.signed }}"

- name: Name and version of every package of a folder
  ansible.builtin.debug:
    msg: "{{ query('ansible.builtin.fileglob', 'files/*.eap') | map('vapix.acap.eap_facts') | map(attribute='name') | list }}"
"""

RETURN = r"""
_value:
  description: The package's facts.
  type: dict
  contains:
    name:
      description: The application's name (C(appName) of manifest.json, else C(APPNAME) of package.conf).
      type: str
      sample: counter
    version:
      description: The application's version.
      type: str
      sample: 1.2.3
    architecture:
      description:
        - The architecture the package is for (V(all) for any), from manifest.json, else package.conf C(APPTYPE);
          V(null) when the package names none.
      type: str
      sample: aarch64
    schema_version:
      description: The manifest's C(schemaVersion); V(null) for a package with package.conf only (ACAP 3).
      type: str
      sample: "1.3"
    signed:
      description: Whether a signature follows the package's gzip stream.
      type: bool
    acap_format:
      description: 4 for a package with manifest.json, 3 for one with package.conf only.
      type: int
    friendly_name:
      description: The name the device shows.
      type: str
    vendor:
      description: The vendor.
      type: str
    application_id:
      description: The application ID that license keys name; V(null) when the package has none.
      type: str
    embedded_sdk_version:
      description:
        - The embedded SDK version the package requires of the device; V(null) when the manifest states none
          (package.conf without C(REQEMBDEVVERSION) means V(2.0)).
      type: str
    run_as_root:
      description: Whether the application runs as root (the device must allow it).
      type: bool
    copy_protection:
      description: V(axis), V(custom) or V(none).
      type: str
    path:
      description: The file read.
      type: str
    filename:
      description: The file's name.
      type: str
    size:
      description: The file's size in bytes.
      type: int
    sha256:
      description: SHA-256 of the file.
      type: str
"""

from typing import Any, Callable, Dict

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError
from ansible_collections.vapix.acap.plugins.module_utils._package import read_package


def eap_facts(path: Any) -> Dict[str, Any]:
    """What the modules read from the package at ``path``, without a device."""
    if not isinstance(path, str) or not path:
        raise AnsibleFilterError(
            "vapix.acap.eap_facts takes the path of an .eap file (a string), not %r" % (path,))
    try:
        return read_package(path).to_dict()
    except PackageError as exc:
        raise AnsibleFilterError(to_native(exc)) from None
    except OSError as exc:  # a folder, a file without read permission
        raise AnsibleFilterError("vapix.acap.eap_facts could not read %s: %s" % (path, to_native(exc))) from None


class FilterModule:
    """vapix.acap filters."""

    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"eap_facts": eap_facts}
