"""--state-dir: a restart keeps installed applications, licenses and config."""

from __future__ import annotations

import json

from lxml import etree

from conftest import Device, text_reply
from vapix_emulator.builders import build_eap, build_license_key


def config_value(device: Device, name: str) -> str:
    return etree.fromstring(device.config("get", name).content).find("param").get("value")


def test_state_survives_a_restart(emulator_factory, tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    first = emulator_factory(2, "--firmware", "11.9.60", state_dir=state_dir, https=False)
    device = Device(first.devices[1])
    device.install(build_eap(name="kept", version="2.3.4", application_id="77", licensed=True))
    device.install(build_eap(name="second"))
    assert text_reply(device.upload_license("kept", build_license_key(
        product="kept", productid="77", serial_number=device.serial_number, expires="2099-01-01"))) == "OK"
    assert text_reply(device.control("start", "kept")) == "OK"
    device.config("set", "AllowRoot", "true")
    device.config("set", "AllowUnsigned", "false")
    before = device.applications()
    assert first.stop() == 0
    assert any(state_dir.iterdir()), "state files were written"
    assert not [p for p in state_dir.rglob("*") if p.name.startswith(".tmp")], "no half-written files left"

    # Same serial numbers (same --serial-prefix and device order), another address and port.
    second = emulator_factory(2, "--firmware", "11.9.60", state_dir=state_dir, https=False)
    again = Device(second.devices[1])
    assert again.serial_number == device.serial_number
    after = again.applications()
    assert after == before
    assert after["kept"]["License"] == "Valid" and after["kept"]["LicenseExpirationDate"] == "2099-01-01"
    assert after["kept"]["Version"] == "2.3.4"
    assert config_value(again, "AllowRoot") == "true"
    assert config_value(again, "AllowUnsigned") == "false"
    # The other device had nothing and still has nothing.
    assert Device(second.devices[0]).applications() == {}


def test_removal_and_reset_persist(emulator_factory, tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    first = emulator_factory(1, state_dir=state_dir, https=False)
    device = Device(first.devices[0])
    device.install(build_eap(name="a"))
    device.install(build_eap(name="b"))
    assert text_reply(device.control("remove", "a")) == "OK"
    first.stop()
    second = emulator_factory(1, state_dir=state_dir, https=False)
    device = Device(second.devices[0])
    assert set(device.applications()) == {"b"}
    device.reset()
    second.stop()
    third = emulator_factory(1, state_dir=state_dir, https=False)
    assert Device(third.devices[0]).applications() == {}


def test_state_files_are_json(emulator_factory, tmp_path):
    state_dir = tmp_path / "state"
    state_dir.mkdir()
    first = emulator_factory(1, state_dir=state_dir, https=False)
    Device(first.devices[0]).install(build_eap(name="j"))
    first.stop()
    files = [p for p in state_dir.rglob("*") if p.is_file() and not p.name.startswith(".")]
    assert files
    assert any("\"j\"" in p.read_text() for p in files if p.suffix == ".json")
    for path in files:
        if path.suffix == ".json":
            json.loads(path.read_text())


def test_without_state_dir_nothing_survives(emulator_factory):
    first = emulator_factory(1, https=False)
    device = Device(first.devices[0])
    device.install(build_eap(name="volatile"))
    first.stop()
    second = emulator_factory(1, https=False)
    assert Device(second.devices[0]).applications() == {}
