# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented AWX credential type (docs/awx.md, section 3, shipped as docs/awx-credential-type.yml) is
safe when fields are left out.

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
AWX_GUIDE = REPO_ROOT / "docs" / "awx.md"


def documented() -> Dict[str, Any]:
    """The credential type as docs/awx.md shows it: the YAML blocks after "Input configuration:" and
    "Injector configuration:" of its credential type section."""
    text = AWX_GUIDE.read_text(encoding="utf-8")
    section = text[text.index("## 3. "):text.index("\n## 4. ")]
    parts = {}
    for key, label in (("inputs", "Input configuration:"), ("injectors", "Injector configuration:")):
        block = section[section.index(label):]
        block = block[block.index("```yaml\n") + len("```yaml\n"):]
        parts[key] = yaml.safe_load(block[:block.index("```")])
    return parts


def test_the_shipped_file_is_the_documented_credential_type():
    assert yaml.safe_load(CREDENTIAL_TYPE.read_text(encoding="utf-8")) == documented()


SITE = "- hosts: all\n  gather_facts: false\n  roles:\n    - vapix.acap.camera\n"


def saved(given: Dict[str, Any]) -> Dict[str, Any]:
    """The inputs AWX renders for a credential saved with only ``given`` filled in: a boolean field never
    saved is false, a text field never filled in is empty."""
    inputs = {field["id"]: False if field.get("type") == "boolean" else ""
              for field in documented()["inputs"]["fields"]}
    inputs.update(given)
    return inputs


def inject(inputs: Dict[str, Any], private_dir: Path) -> Dict[str, str]:
    """The environment AWX gives the job for a credential with these inputs."""
    definition = documented()
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
    definition = documented()
    fragment = (REPO_ROOT / "plugins" / "doc_fragments" / "connection.py").read_text(encoding="utf-8")
    for name in definition["injectors"]["env"]:
        assert "E(%s)" % name in fragment, name
    assert definition["injectors"].get("extra_vars") is None  # an extra var would beat the inventory's values


@pytest.mark.parametrize("left_out", [
    "saved with only the account",  # AWX: a boolean never saved is false, a text never filled in is empty
    "fields unknown to the credential",  # a credential saved before the field was added to the type
    "a CA of blanks",
])
def test_fields_left_out_keep_verification_on_and_inject_no_empty_ca(left_out, tmp_path):
    account = {"username": "root", "password": "pass"}
    inputs = {"saved with only the account": saved(account), "fields unknown to the credential": account,
              "a CA of blanks": saved(dict(account, ca_pem="  \n"))}[left_out]
    env = inject(inputs, tmp_path)
    assert env["AXIS_VALIDATE_CERTS"] == "true" and env.get("AXIS_CA_PATH") == "", env
    assert documented()["injectors"].get("extra_vars") is None  # no extra variable names the empty CA file


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

    left_out = run(saved({"username": "root", "password": "pass"}))
    assert left_out.returncode != 0, left_out.stdout
    assert "certificate" in left_out.stdout.lower(), left_out.stdout
    assert device.authenticated_log() == []

    with_ca = run(saved({"username": "root", "password": "pass",
                         "ca_pem": Path(device.ca_file).read_text(encoding="utf-8")}))
    assert with_ca.returncode == 0, with_ca.stdout + with_ca.stderr

    turned_off = run(saved({"username": "root", "password": "pass", "skip_verify": True}))
    assert turned_off.returncode == 0, turned_off.stdout + turned_off.stderr
