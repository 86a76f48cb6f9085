# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Shared helpers of the axis_acap integration tests: packages, request log, device state."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

# The same emulator the harness starts (conftest.py honours VAPIX_EMULATOR_DIR too).
EMULATOR_DIR = Path(os.environ.get("VAPIX_EMULATOR_DIR") or Path(__file__).resolve().parents[1] / "emulator")
if str(EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(EMULATOR_DIR))

from vapix_emulator.builders import build_eap  # noqa: E402  pylint: disable=wrong-import-position

# Requests that change a device; everything else (list, info, config get, param) is a read.
MUTATING = {"upload.cgi", "control.cgi", "license.cgi"}


def make_eap(directory: Path, **options: Any) -> str:
    """Build an .eap into ``directory`` and return its path (file name tells what it is)."""
    name = options.setdefault("name", "hello_world")
    version = options.setdefault("version", "1.0.0")
    architecture = options.setdefault("architecture", "aarch64")
    acap = options.setdefault("acap", 4)
    options.setdefault("signed", True)
    label = "%s_%s_%s_acap%d%s%s" % (
        name, version, architecture, acap, "_signed" if options["signed"] else "",
        "_" + options["corrupt"] if options.get("corrupt") else "",
    )
    path = directory / (label + ".eap")
    build_eap(path, **options)
    return str(path)


def operations(device: Any) -> List[Tuple[str, Optional[str]]]:
    """The authenticated requests the device saw, as (cgi, action)."""
    found = []
    for entry in device.authenticated_log():
        cgi = entry["path"].rsplit("/", 1)[-1]
        found.append((cgi, (entry.get("args") or {}).get("action")))
    return found


def changing_operations(device: Any) -> List[Tuple[str, Optional[str]]]:
    """Requests that change the device (config.cgi counts only with action=set)."""
    return [
        (cgi, action) for cgi, action in operations(device)
        if cgi in MUTATING or (cgi == "config.cgi" and action == "set")
    ]


def applications(device: Any) -> Dict[str, Dict[str, Any]]:
    """The device's applications by name, from the emulator's own state (not through the collection)."""
    state = device.state()
    listed = state.get("applications", [])
    if isinstance(listed, dict):
        listed = list(listed.values())
    return {app["name"]: app for app in listed}


def connection(device: Any, **params: Any) -> Dict[str, Any]:
    merged = device.conn_params()
    merged.update(params)
    return merged


def play_head(name: str, use_https: str = "false") -> str:
    """The start of a play on every host whose modules reach the camera through the inventory's axis_*
    variables (module_defaults of the action group); the tasks follow."""
    return """
- name: %s
  hosts: all
  gather_facts: false
  module_defaults:
    group/vapix.acap.axis:
      hostname: "{{ axis_hostname }}"
      port: "{{ axis_port }}"
      use_https: %s
      username: "{{ axis_username }}"
      password: "{{ axis_password }}"
  tasks:
""" % (name, use_https)
