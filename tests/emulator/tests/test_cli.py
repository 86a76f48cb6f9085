"""The serve command: what it prints, where it listens, how it stops and how it fails."""

from __future__ import annotations

import ipaddress
import random
import re
import signal
import subprocess
import sys

import pytest
import requests
from lxml import etree

from conftest import EMULATOR_ROOT, Device
from vapix_emulator.builders import build_eap
from vapix_emulator.launcher import EmulatorStartError, random_port


def test_device_lines_and_ready_line(emulator, all_devices):
    assert emulator.ready["ready"] is True
    assert emulator.ready["devices"] == 8
    assert emulator.ready["pid"] == emulator.process.pid
    assert len(emulator.devices) == 8
    for line in emulator.devices:
        assert {"host", "port", "https_port", "serial_number", "firmware", "architecture",
                "embedded_development", "ca_file"} <= set(line), line
        assert ipaddress.ip_address(line["host"]).is_loopback
        assert re.fullmatch(r"[0-9A-F]{12}", line["serial_number"]), line["serial_number"]
        assert line["firmware"] == "12.6.1"
        assert line["architecture"] == "aarch64"
        assert line["embedded_development"] == "3.6"
    # Same port on consecutive loopback addresses, distinct serial numbers (prefix B8A44F, device n -> n).
    assert len({line["port"] for line in emulator.devices}) == 1
    hosts = [int(ipaddress.ip_address(line["host"])) for line in emulator.devices]
    assert hosts == list(range(hosts[0], hosts[0] + 8))
    assert [line["serial_number"] for line in emulator.devices] == ["B8A44F{0:06d}".format(n) for n in range(1, 9)]


def test_each_device_answers_on_its_own_address_with_its_own_identity(all_devices):
    for device in all_devices:
        response = device.request("GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "Properties.System.SerialNumber"})
        assert response.status_code == 200
        assert "root.Properties.System.SerialNumber={0}".format(device.serial_number) in response.text


def test_devices_do_not_share_state(device, other_device):
    device.install(build_eap(name="only_here"))
    assert "only_here" in device.applications()
    assert "only_here" not in other_device.applications()


def test_addresses_roll_over_into_the_next_slash_24(emulator_factory):
    for _attempt in range(5):
        base = "127.{0}.{1}.253".format(random.randint(20, 250), random.randint(1, 200))
        try:
            started = emulator_factory(6, "--firmware", "12.6.1", https=False, base_address=base, port=random_port())
            break
        except EmulatorStartError as exc:
            if exc.returncode != 2:
                raise
    else:
        pytest.skip("could not find a free address/port for the roll-over test")
    hosts = [ipaddress.ip_address(line["host"]) for line in started.devices]
    assert len(set(hosts)) == 6 and all(h.is_loopback for h in hosts)
    assert int(hosts[-1]) > int(hosts[0])
    assert len({str(h).rsplit(".", 1)[0] for h in hosts}) == 2, "goes on in the next /24: {0}".format(hosts)
    for line in started.devices:
        assert Device(line).state()["device"] is not None


def test_profile_options_show_in_the_device_lines_and_params(emulator_factory):
    started = emulator_factory(2, "--firmware", "11.8.61", "--architecture", "armv7hf", "--embedded-development", "2.19",
                               "--serial-prefix", "ACCC8E", https=False)
    assert [line["serial_number"] for line in started.devices] == ["ACCC8E000001", "ACCC8E000002"]
    device = Device(started.devices[1])
    text = device.request("GET", "/axis-cgi/param.cgi", params={
        "action": "list", "group": "Properties.Firmware.Version,Properties.System.Architecture,Properties.EmbeddedDevelopment.Version"}).text
    assert "root.Properties.Firmware.Version=11.8.61" in text
    assert "root.Properties.System.Architecture=armv7hf" in text
    assert "root.Properties.EmbeddedDevelopment.Version=2.19" in text


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly_on_signal(emulator_factory, sig):
    started = emulator_factory(1, https=False)
    device = Device(started.devices[0])
    assert device.state()
    assert started.stop(sig) == 0
    with pytest.raises(requests.ConnectionError):
        requests.get(device.base_url + "/emulator/state", timeout=5)


def test_exit_2_when_the_address_is_taken(emulator):
    first = emulator.devices[0]
    result = subprocess.run(
        [sys.executable, "-m", "vapix_emulator", "serve", "--devices", "1", "--base-address", first["host"],
         "--port", str(first["port"])],
        cwd=str(EMULATOR_ROOT), env={"PYTHONPATH": str(EMULATOR_ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, check=False, text=True, timeout=60,
    )
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert '"ready"' not in result.stdout
    assert result.stderr.strip(), "says why it failed"


@pytest.mark.parametrize("address", ["0.0.0.0", "192.0.2.10"])
def test_refuses_non_loopback_addresses(address):
    result = subprocess.run(
        [sys.executable, "-m", "vapix_emulator", "serve", "--devices", "1", "--base-address", address, "--port", str(random_port())],
        cwd=str(EMULATOR_ROOT), env={"PYTHONPATH": str(EMULATOR_ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True, check=False, text=True, timeout=60,
    )
    assert result.returncode != 0
    assert '"ready"' not in result.stdout
    assert "loopback" in result.stderr.lower() or "127." in result.stderr


def test_help_lists_the_documented_options():
    result = subprocess.run([sys.executable, "-m", "vapix_emulator", "serve", "--help"], cwd=str(EMULATOR_ROOT),
                            env={"PYTHONPATH": str(EMULATOR_ROOT), "PATH": "/usr/bin:/bin"},
                            capture_output=True, check=False, text=True, timeout=60)
    assert result.returncode == 0
    for option in ("--devices", "--base-address", "--port", "--https-port", "--firmware", "--architecture",
                   "--embedded-development", "--sdks", "--auth", "--user", "--state-dir", "--max-upload-size",
                   "--max-running", "--restart-after-upgrade", "--product", "--serial-prefix", "--nonce-lifetime"):
        assert option in result.stdout, option


def test_profile_options_on_the_command_line(emulator_factory):
    started = emulator_factory(
        1, "--firmware", "12.5.56", "--sdks", "acap3,acap4-native", "--max-upload-size", "150000",
        "--max-running", "1", "--no-restart-after-upgrade", "--product", "AXIS Q1656-LE", "--auth", "basic",
        https=False,
    )
    device = Device(started.devices[0])
    # --auth basic
    assert "Basic" in device.cgi("list.cgi", auth=None).headers["WWW-Authenticate"]
    basic = dict(scheme="basic")
    # --sdks
    sdks = [e.text for e in etree.fromstring(device.cgi("info.cgi", **basic).content).findall("supportedSdks/sdk")]
    assert sdks == ["acap3", "acap4-native"]
    # --product
    assert "root.Brand.ProdShortName=AXIS Q1656-LE" in device.request(
        "GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "Brand.ProdShortName"}, **basic).text
    # --max-upload-size
    device.cgi("config.cgi", params={"action": "set", "name": "AllowUnsigned", "value": "true"}, **basic)
    assert device.upload(build_eap(name="huge", size=300_000), **basic).text.strip() == "Error: 3"
    # --max-running (firmware below 12.6)
    for name in ("r1", "r2"):
        assert device.upload(build_eap(name=name), **basic).text.strip() == "OK"
    assert device.control("start", "r1", **basic).text.strip() == "OK"
    assert device.control("start", "r2", **basic).text.strip() == "Error: 9"
    # --no-restart-after-upgrade
    assert device.upload(build_eap(name="r1", version="2.0.0"), **basic).text.strip() == "OK"
    assert device.cgi("list.cgi", **basic).text.count('Status="Running"') == 0


def test_five_hundred_devices_in_one_process(emulator_factory):
    """Issue 2: 500 devices in one process must work (the benchmark reports their memory)."""
    started = emulator_factory(500, https=False)
    assert started.ready["devices"] == 500 and len(started.devices) == 500
    hosts = {line["host"] for line in started.devices}
    serials = {line["serial_number"] for line in started.devices}
    assert len(hosts) == 500 and len(serials) == 500
    assert all(ipaddress.ip_address(host).is_loopback for host in hosts)
    for index in (0, 254, 255, 499):
        device = Device(started.devices[index])
        text = device.request("GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "Properties.System.SerialNumber"}).text
        assert text.strip() == "root.Properties.System.SerialNumber={0}".format(device.serial_number)
        assert device.cgi("list.cgi").status_code == 200
