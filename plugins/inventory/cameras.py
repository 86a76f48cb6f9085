# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
name: cameras
version_added: 0.3.0
short_description: Axis cameras from a camera list (CSV or YAML), probed for model, firmware and architecture
description:
  - Reads a list of cameras as camera management tools export it (CSV or YAML; see O(source)), one inventory host
    per camera, named after its name (its address when it has none), with C(ansible_connection=local) and the
    C(axis_*) connection variables the collection's modules, the role V(vapix.acap.camera) and the playbooks use.
  - With O(probe) (the default), reads each camera's serial number, model, firmware version and architecture,
    many cameras at a time (O(probe_workers)), and groups the hosts by model (C(model_<model>)), architecture
    (C(arch_<architecture>)) and firmware line (C(firmware_<major>_<minor>)).
  - With credentials (O(username)/O(password), or the camera's credentials set in O(credentials)) the probe uses
    the modules' client (C(param.cgi), C(basicdeviceinfo.cgi) as the fallback; credentials are sent only after the
    device's challenge). Without credentials it sends one anonymous C(basicdeviceinfo.cgi)
    C(getAllUnrestrictedProperties) request, which devices answer without authentication but without the
    architecture.
  - A camera that cannot be probed stays in the inventory, in the group C(vapix_probe_<status>) (V(unreachable),
    V(auth_failed), V(tls_error), V(error)), with the reason in C(axis_probe.message).
  - Credentials never become host variables and are not cached; the host variable C(axis_credentials) names the
    camera's credentials set, and a group C(credentials_<name>) holds the cameras of each set, so that the
    playbooks' C(axis_username)/C(axis_password) can come from that group's (vaulted) variables.
  - The probe results are kept in Ansible's inventory cache when O(cache) is on.
  - The inventory file's name must end with C(cameras.vapix.yml) or C(cameras.vapix.yaml).
author:
  - vapix.acap contributors (@vapix-acap)
requirements:
  - requests (on the controller)
extends_documentation_fragment:
  - constructed
  - inventory_cache
options:
  plugin:
    description: V(vapix.acap.cameras) for this plugin to read the file.
    type: str
    required: true
    choices: [vapix.acap.cameras]
  source:
    description:
      - The camera list, relative to the inventory file. C(.csv) - a header line, then one camera a line; C(.yml)/C(.yaml) -
        a list of mappings (or a mapping whose key C(cameras) holds that list).
      - Columns (case, blanks, dashes and underscores do not matter) - C(address) (or C(IP address), C(hostname); required),
        C(name) (or C(device name)), C(port), C(credentials) (the name of a set in O(credentials)). Other columns are
        kept in the host variable C(axis_list_columns).
    type: str
    required: true
  probe:
    description: Read each camera's facts. V(false) only lists the cameras (no request is sent).
    type: bool
    default: true
  probe_workers:
    description: How many cameras are probed at the same time.
    type: int
    default: 64
  timeout:
    description: Seconds to wait for a camera to connect and for each answer while probing.
    type: float
    default: 5
  use_https:
    description: Probe (and set C(axis_use_https) for) HTTPS; V(false) for plain HTTP.
    type: bool
    default: true
  port:
    description: Port of every camera whose list entry gives none; the scheme's default port when not set.
    type: int
  validate_certs:
    description: Verify the cameras' TLS certificates (also set as C(axis_validate_certs)).
    type: bool
    default: true
    env:
      - name: AXIS_VALIDATE_CERTS
  ca_path:
    description:
      - CA certificate file (PEM) that signed the cameras' certificates (also set as C(axis_ca_path)).
      - Empty from the environment means none, as for the modules; C(~) is expanded.
    type: str
    env:
      - name: AXIS_CA_PATH
  auth_method:
    description: How credentials are sent while probing, as the modules' O(vapix.acap.axis_acap_info#module:auth_method).
    type: str
    choices: [auto, digest, basic]
    default: auto
  username:
    description: User for probing cameras without a credentials set in the list.
    type: str
    env:
      - name: AXIS_USERNAME
  password:
    description: Password of O(username).
    type: str
    env:
      - name: AXIS_PASSWORD
  credentials:
    description:
      - "Named credentials sets, C({name: {username: ..., password: ...}}), that the list's C(credentials) column
        refers to (use Ansible Vault for the passwords). A name the list uses but this option lacks is an error."
    type: dict
    default: {}
"""

EXAMPLES = r"""
# fleet.cameras.vapix.yml: the cameras of an exported list, grouped by model, architecture and firmware line.
plugin: vapix.acap.cameras
source: cameras.csv       # Name,Address,Credentials  /  entrance-1,192.0.2.10,site_a
ca_path: /etc/pki/axis/device-ca.pem
credentials:
  site_a:
    username: ansible
    password: !vault |
      $ANSIBLE_VAULT;1.1;AES256
      ...
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/vapix-cameras
cache_timeout: 3600

# A second inventory file, lab.cameras.vapix.yml: a YAML list, plain HTTP, credentials from AXIS_USERNAME / AXIS_PASSWORD, extra groups.
# plugin: vapix.acap.cameras
# source: cameras.yml       # - {name: lab-1, address: 192.0.2.20, port: 8080}
# use_https: false
# probe_workers: 32
# groups:
#   old_firmware: axis_firmware_version is version('11.0', '<')
# keyed_groups:
#   - key: axis_list_columns.site | default('unknown')
#     prefix: site
"""

import os

from ansible.errors import AnsibleParserError
from ansible.module_utils.common.text.converters import to_native
from ansible.parsing.yaml.loader import AnsibleLoader
from ansible.plugins.inventory import BaseInventoryPlugin, Cacheable, Constructable

from ansible_collections.vapix.acap.plugins.plugin_utils._camera_inventory import CameraInventory, InventoryError
from ansible_collections.vapix.acap.plugins.plugin_utils._camera_list import CameraListError, parse_camera_list


def _load_yaml(text):
    return AnsibleLoader(text).get_single_data()


class InventoryModule(BaseInventoryPlugin, Constructable, Cacheable):
    NAME = "vapix.acap.cameras"

    def verify_file(self, path):
        return super().verify_file(path) and path.endswith(("cameras.vapix.yml", "cameras.vapix.yaml"))

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        source = os.path.join(os.path.dirname(path), os.path.expanduser(self.get_option("source")))
        try:
            with open(source, encoding="utf-8-sig") as handle:
                cameras = parse_camera_list(handle.read(), source, _load_yaml)
        except OSError as exc:
            raise AnsibleParserError("vapix.acap.cameras: cannot read the camera list %s: %s"
                                     % (source, to_native(exc))) from None
        except CameraListError as exc:
            raise AnsibleParserError("vapix.acap.cameras: %s" % to_native(exc)) from None
        options = {name: self.get_option(name) for name in (
            "probe", "probe_workers", "timeout", "use_https", "port", "validate_certs", "ca_path", "auth_method",
            "username", "password", "credentials")}
        # A str option, not a path one: Ansible turns an empty path into the current folder.
        options["ca_path"] = os.path.expanduser(options["ca_path"]) if options["ca_path"] else None
        try:
            builder = CameraInventory(cameras, options)
        except InventoryError as exc:
            raise AnsibleParserError("vapix.acap.cameras: %s" % to_native(exc)) from None

        cache_key = self.get_cache_key(path)
        cached = {}
        if self.get_option("cache") and cache:
            try:
                cached = self._cache[cache_key]
            except KeyError:
                cached = {}
        results = builder.probe(cached)
        if self.get_option("cache"):
            self._cache[cache_key] = results
        self._populate(builder, results)

    def _populate(self, builder, results):
        strict = self.get_option("strict")
        for host in builder.hosts(results):
            self.inventory.add_host(host.name)
            for key, value in host.variables.items():
                self.inventory.set_variable(host.name, key, value)
            for group in host.groups:
                group = self._sanitize_group_name(group)
                self.inventory.add_group(group)
                self.inventory.add_child(group, host.name)
            hostvars = self.inventory.get_host(host.name).get_vars()
            self._set_composite_vars(self.get_option("compose"), hostvars, host.name, strict=strict)
            self._add_host_to_composed_groups(self.get_option("groups"), hostvars, host.name, strict=strict)
            self._add_host_to_keyed_groups(self.get_option("keyed_groups"), hostvars, host.name, strict=strict)
