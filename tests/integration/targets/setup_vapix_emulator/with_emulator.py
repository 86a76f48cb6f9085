# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a command with the bundled device emulator serving on loopback, then stop the emulator.

    python with_emulator.py [--devices N] [--inventory FILE] [--emulator-arg=ARG ...] -- COMMAND...

For the ansible-test integration targets (their runme.sh): it finds the emulator in the collection that
ansible-test tests (tests/emulator of ``ANSIBLE_COLLECTIONS_PATH``'s vapix/acap, else of the checkout this
file is in), starts it on random loopback addresses and ports, writes an inventory (one host per device:
cam1, cam2, ... in the group ``cameras``, and localhost, with the ``axis_*`` connection variables, ``ansible_connection: local`` and
``axis_emulator_url``, the device's test hooks), runs COMMAND with ``PYTHONPATH`` set so that
``python -m vapix_emulator build-eap`` works (``--devices 0``: no
emulator, an inventory of localhost), and stops the emulator however COMMAND ends. Exit code:
COMMAND's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import List, Optional

EMULATOR_SUBDIR = Path("tests") / "emulator"


def emulator_dir() -> Path:
    """tests/emulator of the collection under test."""
    roots: List[Path] = []
    for variable in ("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"):
        roots.extend(Path(entry) for entry in os.environ.get(variable, "").split(os.pathsep) if entry)
    candidates = [root / "ansible_collections" / "vapix" / "acap" / EMULATOR_SUBDIR for root in roots]
    candidates.append(Path(__file__).resolve().parents[4] / EMULATOR_SUBDIR)
    for candidate in candidates:
        if (candidate / "vapix_emulator" / "__main__.py").is_file():
            return candidate
    raise SystemExit("with_emulator: no tests/emulator/vapix_emulator in %s" % ", ".join(map(str, candidates)))


def inventory(devices: List[dict]) -> dict:
    hosts = {}
    for index, device in enumerate(devices, start=1):
        hosts["cam%d" % index] = {
            "axis_hostname": device["host"],
            "axis_port": device["port"],
            "axis_use_https": False,
            "axis_username": "root",
            "axis_password": "pass",
            "axis_serial_number": device["serial_number"],
            "axis_emulator_url": "http://%s:%d/emulator" % (device["host"], device["port"]),
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
        }
    controller = {"localhost": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}}
    return {"all": {"hosts": controller, "children": {"cameras": {"hosts": hosts}}}}


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--devices", type=int, default=2)
    parser.add_argument("--inventory", default="emulator-inventory.json")
    parser.add_argument("--emulator-arg", action="append", default=[])
    parser.add_argument("command", nargs=argparse.REMAINDER)
    options = parser.parse_args(argv)
    command = options.command[1:] if options.command[:1] == ["--"] else options.command
    if not command:
        parser.error("no command to run")

    source = emulator_dir()
    sys.path.insert(0, str(source))
    from vapix_emulator.launcher import start_emulator  # pylint: disable=import-outside-toplevel

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH", "")]))
    if options.devices == 0:  # only the builders (build-eap, build-license) are needed
        Path(options.inventory).write_text(json.dumps(inventory([])), encoding="utf-8")
        return subprocess.call(command, env=env)
    work_dir = Path(tempfile.mkdtemp(prefix="vapix-target-"))
    emulator = start_emulator(options.devices, work_dir, https=False, extra_args=options.emulator_arg)
    try:
        Path(options.inventory).write_text(json.dumps(inventory(emulator.devices), indent=2), encoding="utf-8")
        return subprocess.call(command, env=env)
    finally:
        emulator.stop()
        shutil.rmtree(str(work_dir), ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
