# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented AWX credential type (docs/awx-credential-type.yml) is safe when fields are left out.

Its injectors are rendered as AWX renders them (a Jinja sandbox; an unsaved boolean is false, a text
never given is undefined or empty; a file template is written in any case), and the environment they
give runs the camera role through ansible-playbook against an emulated camera over HTTPS, whose
certificate no system trust store knows: verification must stay on unless explicitly turned off."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

import pytest
import yaml
from jinja2.sandbox import ImmutableSandboxedEnvironment

from conftest import REPO_ROOT
from test_local_paths import playbook

CREDENTIAL_TYPE = REPO_ROOT / "docs" / "awx-credential-type.yml"
SITE = "- hosts: all\n  gather_facts: false\n  roles:\n    - vapix.acap.camera\n"


def inject(inputs: Dict[str, Any], private_dir: Path) -> Dict[str, str]:
    """The environment AWX gives the job for a credential with these inputs."""
    definition = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    sandbox = ImmutableSandboxedEnvironment()
    files = {}
    for label, template in definition["injectors"].get("file", {}).items():
        path = private_dir / ("tmp_%s" % label.split(".", 1)[1])
        path.write_text(sandbox.from_string(template).render(**inputs), encoding="utf-8")  # written in any case
        files[label.split(".", 1)[1]] = str(path)
    namespace = dict(inputs, tower={"filename": files})
    return {name: sandbox.from_string(template).render(**namespace)
            for name, template in definition["injectors"]["env"].items()}


def test_every_injected_variable_is_one_the_modules_read():
    definition = yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8"))
    fragment = (REPO_ROOT / "plugins" / "doc_fragments" / "connection.py").read_text(encoding="utf-8")
    for name in definition["injectors"]["env"]:
        assert "E(%s)" % name in fragment, name
    assert definition["injectors"].get("extra_vars") is None  # an extra var would beat the inventory's values


@pytest.mark.parametrize("left_out", [
    {"username": "root", "password": "pass", "skip_verify": False, "ca_pem": ""},  # AWX: unsaved boolean, empty text
    {"username": "root", "password": "pass"},  # fields never known to AWX (added to the type later)
    {"username": "root", "password": "pass", "skip_verify": False, "ca_pem": "  \n"},
])
def test_fields_left_out_keep_verification_on_and_inject_no_empty_ca(left_out, tmp_path):
    env = inject(left_out, tmp_path)
    assert env["AXIS_VALIDATE_CERTS"] == "true" and env["AXIS_CA_PATH"] == "", env


def test_left_out_fields_against_a_camera_with_an_unknown_certificate_fail_verification(device, tmp_path):
    inventory = tmp_path / "inventory.yml"
    host = {"ansible_connection": "local", "ansible_python_interpreter": device.inventory_vars()["ansible_python_interpreter"],
            "axis_hostname": device.host, "axis_port": device.https_port, "axis_use_https": True,
            "axis_camera_settings": {"allow_unsigned": False}}
    inventory.write_text(json.dumps({"all": {"hosts": {device.inventory_name: host}}}), encoding="utf-8")
    site = tmp_path / "site.yml"
    site.write_text(SITE, encoding="utf-8")

    def run(inputs: Dict[str, Any]) -> Any:
        private = tmp_path / ("private-%d" % len(list(tmp_path.glob("private-*"))))
        private.mkdir()
        return playbook(["-i", str(inventory), str(site)], tmp_path / "run", tmp_path / "report",
                        extra_env=inject(inputs, private))

    left_out = run({"username": "root", "password": "pass", "skip_verify": False, "ca_pem": ""})
    assert left_out.returncode != 0, left_out.stdout
    assert "certificate" in left_out.stdout.lower(), left_out.stdout
    assert device.authenticated_log() == []

    with_ca = run({"username": "root", "password": "pass", "skip_verify": False,
                   "ca_pem": Path(device.ca_file).read_text(encoding="utf-8")})
    assert with_ca.returncode == 0, with_ca.stdout + with_ca.stderr

    turned_off = run({"username": "root", "password": "pass", "skip_verify": True, "ca_pem": ""})
    assert turned_off.returncode == 0, turned_off.stdout + turned_off.stderr
