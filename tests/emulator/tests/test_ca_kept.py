"""--ca-dir / --state-dir keep the HTTPS CA, so a client set up with ca.pem trusts a restarted emulator
(issue 10)."""

from __future__ import annotations

import os
import stat

import pytest
import requests

from conftest import Device


def _verified_list(device: Device, ca_file: str) -> int:
    return device.cgi("list.cgi", https=True, verify=ca_file).status_code


@pytest.mark.parametrize("option", ["--ca-dir", "--state-dir"])
def test_a_restarted_emulator_keeps_its_ca(emulator_factory, tmp_path, option):
    folder = tmp_path / "kept"
    extra = ("--ca-dir", str(folder)) if option == "--ca-dir" else ()
    state_dir = folder if option == "--state-dir" else None
    first = emulator_factory(1, *extra, state_dir=state_dir)
    device = Device(first.devices[0])
    ca_file = device.ca_file
    assert ca_file == str((folder if option == "--ca-dir" else folder / "ca") / "ca.pem")
    rehearsed = tmp_path / "rehearsed-ca.pem"  # what a playbook's ca_path points at
    rehearsed.write_bytes(open(ca_file, "rb").read())
    assert _verified_list(device, str(rehearsed)) == 200
    key_file = os.path.join(os.path.dirname(ca_file), "ca.key")
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.stop() == 0
    assert os.path.exists(ca_file), "the CA stays after exit"

    second = emulator_factory(1, *extra, state_dir=state_dir)
    again = Device(second.devices[0])
    assert again.ca_file == ca_file
    assert open(ca_file, "rb").read() == rehearsed.read_bytes()
    assert _verified_list(again, str(rehearsed)) == 200, "the certificate of the new start chains to the kept CA"


def test_without_a_folder_each_start_has_its_own_ca(emulator_factory, tmp_path):
    first = emulator_factory(1)
    ca_file = Device(first.devices[0]).ca_file
    rehearsed = tmp_path / "ca.pem"
    rehearsed.write_bytes(open(ca_file, "rb").read())
    first.stop()
    assert not os.path.exists(ca_file), "a temporary CA is removed at exit"
    second = Device(emulator_factory(1).devices[0])
    with pytest.raises(requests.exceptions.SSLError):
        _verified_list(second, str(rehearsed))


def test_an_unreadable_kept_ca_is_refused_with_a_message(emulator_factory, tmp_path):
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "ca.pem").write_text("not a certificate\n")
    (folder / "ca.key").write_text("not a key\n")
    with pytest.raises(Exception) as caught:
        emulator_factory(1, "--ca-dir", str(folder), port=29999, base_address="127.0.77.1")
    assert "unreadable" in str(caught.value) and "ca.pem" in str(caught.value)
