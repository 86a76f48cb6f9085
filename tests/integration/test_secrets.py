# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""No secret, and no part of one, in any output when a device quotes what it was sent.

Ansible masks a no_log value where it appears whole. A device whose error quotes the request
(param.cgi quotes a refused value) defeats that twice: the reply excerpt in the message is cut after
a fixed length, so a long secret arrives cut in two; and a license key's code is part of a file, not
of any option. The emulator's ``quote_values`` fault is such a device."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List

from acap_helpers import make_eap, play_head
from vapix_emulator.builders import build_eap, build_license_key

APP = "pc"
APP_ID = "1"
# Long enough to straddle any excerpt's end; each 4-character piece is unique, so a cut is visible.
LONG_SECRET = "".join("S%03dx" % number for number in range(60))
KEY_CODE = "CQAB7PD27EAZ2MYMJARW"


def pieces(secret: str, length: int) -> List[str]:
    """Every piece of ``secret`` this long: none may appear anywhere."""
    return [secret[start:start + length] for start in range(0, len(secret) - length + 1)]


def assert_no_piece(secret: str, length: int, *texts: str) -> None:
    for text in texts:
        leaked = [piece for piece in pieces(secret, length) if piece in text]
        assert not leaked, "parts of a secret leaked: %s" % leaked[:3]


def write_playbook(tmp_path: Path, tasks: str) -> Path:
    playbook = tmp_path / "site.yml"
    playbook.write_text(play_head("Secrets") + tasks.lstrip("\n"), encoding="utf-8")
    return playbook


def test_a_long_secret_parameter_quoted_by_the_device_is_never_shown_even_cut(device, run_playbook, tmp_path):
    device.install(build_eap(name=APP, signed=True, parameters=[{"name": "ApiKey", "default": "", "type": "password"}]))
    # Both the update and the one repeat that a hidden value gets (it cannot be read back) are quoted.
    device.inject_fault("quote_values", count=2, match={"path": "param.cgi", "action": "update"})
    playbook = write_playbook(tmp_path, """
    - name: Set the key
      vapix.acap.axis_acap_parameters:
        name: %s
        secret_parameters:
          ApiKey: "{{ long_secret }}"
      ignore_errors: true
""" % APP)
    run = run_playbook(playbook, device, extra_vars={"long_secret": LONG_SECRET}, diff=True, verbosity=2)
    result = run.task("Set the key", device)
    shown = json.dumps(dict(result))
    assert "could not handle root.%s.ApiKey" % APP in shown, shown  # the device's words are still there
    assert_no_piece(LONG_SECRET, 5, run.stdout, run.stderr, shown)


def test_a_password_the_device_types_is_never_shown_even_declared_as_a_plain_parameter(
        device, run_playbook, tmp_path):
    # Declared under parameters (no no_log): the device's types say it is a password, so it is the run's
    # secret all the same.
    device.install(build_eap(name=APP, signed=True, parameters=[{"name": "AdminPass", "default": "", "type": "password"}]))
    device.inject_fault("quote_values", count=2, match={"path": "param.cgi", "action": "update"})
    playbook = write_playbook(tmp_path, """
    - name: Set the password
      vapix.acap.axis_acap_parameters:
        name: %s
        parameters:
          AdminPass: "{{ long_secret }}"
      ignore_errors: true
""" % APP)
    run = run_playbook(playbook, device, extra_vars={"long_secret": LONG_SECRET}, diff=True, verbosity=2)
    shown = json.dumps(dict(run.task("Set the password", device)))
    assert "could not handle root.%s.AdminPass" % APP in shown, shown
    assert_no_piece(LONG_SECRET, 5, run.stdout, run.stderr, shown)


def test_a_license_key_code_quoted_by_the_device_is_never_shown(device, run_playbook, tmp_path):
    device.install(Path(make_eap(tmp_path, name=APP, application_id=APP_ID, licensed=True)).read_bytes())
    keys = tmp_path / "keys"
    keys.mkdir()
    # Short fields, so that the device's quote of the key reaches the code right where the reply excerpt
    # in the message is cut.
    build_license_key(keys / "key.xml", product=APP, productid=APP_ID, serial_number=device.serial_number,
                      owner="O", key=KEY_CODE)
    device.inject_fault("quote_values", match={"path": "license.cgi", "action": "uploadlicensekey"})
    playbook = write_playbook(tmp_path, """
    - name: Upload the key
      vapix.acap.axis_acap_license:
        name: %s
        src: %s
      ignore_errors: true
""" % (APP, keys))
    run = run_playbook(playbook, device, diff=True, verbosity=2)
    result = run.task("Upload the key", device)
    assert result.status == "failed", result
    assert "could not handle licenseKey=" in result["msg"], result["msg"]
    assert_no_piece(KEY_CODE, 4, run.stdout, run.stderr, json.dumps(dict(result)))
