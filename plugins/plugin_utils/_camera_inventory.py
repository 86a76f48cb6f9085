# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From a camera list and probe results to inventory hosts, variables and groups (vapix.acap.cameras).

Kept apart from the plugin class so that the plugin file holds its documentation and Ansible's glue only.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings
from ansible_collections.vapix.acap.plugins.plugin_utils._camera_list import CameraEntry
from ansible_collections.vapix.acap.plugins.plugin_utils._camera_probe import (
    OK,
    ProbeResult,
    ProbeTarget,
    probe_cameras,
)

NOT_PROBED = "not_probed"


class InventoryError(ValueError):
    """The inventory configuration does not fit the camera list."""


@dataclass
class HostSpec:
    name: str
    variables: Dict[str, Any] = field(default_factory=dict)
    groups: List[str] = field(default_factory=list)


def firmware_line(version: Optional[str]) -> Optional[str]:
    """``12.6.85`` -> ``12_6``: the first two numbers, the firmware track (LTS lines are ``major.minor``)."""
    match = re.match(r"^\D*(\d+)\.(\d+)", version or "")
    return "%s_%s" % match.groups() if match else None


class CameraInventory:
    """The cameras of one inventory source with the plugin's options."""

    def __init__(self, cameras: List[CameraEntry], options: Mapping[str, Any]) -> None:
        self.cameras = cameras
        self.options = options
        credentials = options.get("credentials") or {}
        for camera in cameras:
            if camera.credentials and camera.credentials not in credentials:
                raise InventoryError(
                    "camera %s names the credentials set %r, which the inventory's credentials option lacks "
                    "(it has: %s)" % (camera.name, camera.credentials, ", ".join(sorted(credentials)) or "none"))
        for name, entry in credentials.items():
            if not isinstance(entry, Mapping) or not entry.get("username"):
                raise InventoryError("credentials set %r needs a username (and a password)" % name)

    def _port(self, camera: CameraEntry) -> Optional[int]:
        return camera.port or self.options.get("port")

    def _settings(self, camera: CameraEntry) -> ConnectionSettings:
        if camera.credentials:
            login = self.options["credentials"][camera.credentials]
            username, password = login.get("username"), login.get("password")
        else:
            username, password = self.options.get("username"), self.options.get("password")
        timeout = float(self.options.get("timeout") or 5)
        # str(): a vaulted value (inline !vault) decrypts to its text.
        return ConnectionSettings(
            hostname=camera.address, username=str(username) if username else None,
            password=str(password) if password is not None else None, port=self._port(camera),
            use_https=bool(self.options.get("use_https", True)),
            validate_certs=bool(self.options.get("validate_certs", True)), ca_path=self.options.get("ca_path"),
            auth_method=self.options.get("auth_method") or "auto", timeout=timeout, connect_timeout=timeout,
            read_timeout_retries=0)

    def _where(self, camera: CameraEntry) -> List[Any]:
        return [camera.address, self._port(camera), bool(self.options.get("use_https", True))]

    def probe(self, cached: Mapping[str, Any]) -> Dict[str, Any]:
        """{host name: {"where": [address, port, https], "probe": ProbeResult as a dict}}; cached entries for
        the same address, port and scheme are kept, the others probed."""
        results: Dict[str, Any] = {}
        if not self.options.get("probe", True):
            return results
        targets = []
        for camera in self.cameras:
            entry = cached.get(camera.name) if isinstance(cached, Mapping) else None
            if isinstance(entry, Mapping) and entry.get("where") == self._where(camera):
                results[camera.name] = dict(entry)
            else:
                targets.append(ProbeTarget(camera.name, self._settings(camera)))
        by_name = {camera.name: camera for camera in self.cameras}
        for name, result in probe_cameras(targets, int(self.options.get("probe_workers") or 64)).items():
            results[name] = {"where": self._where(by_name[name]), "probe": result.to_dict()}
        return results

    def hosts(self, results: Mapping[str, Any]) -> List[HostSpec]:
        return [self._host(camera, results.get(camera.name)) for camera in self.cameras]

    def _host(self, camera: CameraEntry, result: Optional[Mapping[str, Any]]) -> HostSpec:
        host = HostSpec(camera.name)
        variables = host.variables
        variables.update({
            "ansible_connection": "local",
            # The Python that runs Ansible: the modules run in it (action plugins), builtin modules too.
            "ansible_python_interpreter": sys.executable,
            "axis_hostname": camera.address,
            "axis_use_https": bool(self.options.get("use_https", True)),
            "axis_validate_certs": bool(self.options.get("validate_certs", True)),
        })
        if self._port(camera):
            variables["axis_port"] = self._port(camera)
        if self.options.get("ca_path"):
            variables["axis_ca_path"] = self.options["ca_path"]
        if camera.credentials:
            variables["axis_credentials"] = camera.credentials
            host.groups.append("credentials_%s" % camera.credentials)
        if camera.extra:
            variables["axis_list_columns"] = dict(camera.extra)
        if result is None:
            variables["axis_probe"] = {"status": NOT_PROBED}
            return host
        probe = ProbeResult(**result["probe"])
        variables["axis_probe"] = {"status": probe.status, "message": probe.message,
                                   "authenticated": probe.authenticated}
        if probe.status != OK:
            host.groups.append("vapix_probe_%s" % probe.status)
            return host
        facts = {"axis_serial_number": probe.serial_number, "axis_model": probe.model,
                 "axis_firmware_version": probe.firmware_version, "axis_architecture": probe.architecture}
        variables.update({key: value for key, value in facts.items() if value})
        if probe.model:
            host.groups.append("model_%s" % probe.model)
        if probe.architecture:
            host.groups.append("arch_%s" % probe.architecture)
        if firmware_line(probe.firmware_version):
            host.groups.append("firmware_%s" % firmware_line(probe.firmware_version))
        return host
