"""The fleet-wide hooks (/emulator/fleet/...) and the connection limit under a small file limit, over real HTTP."""

from __future__ import annotations

import os
import socket
import stat
import sys
import time
from pathlib import Path

import pytest
import requests

from conftest import _LOG_DIR, Device
from vapix_emulator.builders import build_eap
from vapix_emulator.launcher import FleetHooks, start_emulator as launch_emulator


@pytest.fixture
def three(emulator_factory) -> list[Device]:
    """A process of its own: the fleet hooks touch every device of the process."""
    return [Device(info) for info in emulator_factory(3, https=False).devices]


def fleet_of(device: Device) -> FleetHooks:
    return FleetHooks(device.host, device.port, timeout=30.0)


def installed(device: Device) -> list[str]:
    return [app["name"] for app in device.state()["applications"]]


def test_fleet_reset_resets_every_device_or_the_named_ones(three):
    for device in three:
        device.install(build_eap(name="kept"))
        device.cgi("list.cgi")
    hooks = fleet_of(three[1])  # any device's address serves the whole fleet
    assert hooks.reset([three[0].serial_number]) == 1
    assert installed(three[0]) == [] and three[0].log() == []
    assert installed(three[1]) == ["kept"] and installed(three[2]) == ["kept"]
    assert hooks.reset(firmware="11.11.73") == 3
    for device in three:
        assert installed(device) == [] and device.log() == []
        assert device.state()["device"]["firmware"] == "11.11.73"


def test_fleet_reset_refuses_unknown_serials_and_profiles(three):
    url = fleet_of(three[0]).base_url
    unknown = requests.post(url + "/reset", json={"serial_numbers": ["B8A44FFFFFFF"]}, timeout=30)
    assert unknown.status_code == 404 and "B8A44FFFFFFF" in unknown.json()["error"]
    bad = requests.post(url + "/reset", json={"profile": {"firmware": "not a version"}}, timeout=30)
    assert bad.status_code == 400
    extra = requests.post(url + "/reset", json={"serials": []}, timeout=30)
    assert extra.status_code == 400 and "serials" in extra.json()["error"]


def test_fleet_request_counts_per_device_and_clear(three):
    hooks = fleet_of(three[0])
    hooks.reset()
    three[0].cgi("list.cgi")  # Digest: a 401 challenge, then the request
    three[0].cgi("list.cgi")
    three[2].cgi("list.cgi", user=("root", "wrong"))
    counts = hooks.requests()
    assert counts["cameras"] == {
        three[0].serial_number: {"requests": 2, "challenges": 2},
        three[1].serial_number: {"requests": 0, "challenges": 0},
        three[2].serial_number: {"requests": 0, "challenges": 2},
    }
    assert (counts["requests"], counts["challenges"]) == (2, 4)
    named = hooks.requests([three[0].serial_number], clear=True)
    assert list(named["cameras"]) == [three[0].serial_number] and named["requests"] == 2
    assert three[0].log() == [] and len(three[2].log()) == 2  # only the named log was cleared
    read_only = requests.get(hooks.base_url + "/requests", params={"serial_numbers": three[2].serial_number}, timeout=30)
    assert read_only.json()["challenges"] == 2 and len(three[2].log()) == 2  # GET never clears
    assert hooks.requests(clear=True)["challenges"] == 2
    assert hooks.requests()["requests"] == 0


def test_fleet_hooks_are_not_logged(three):
    hooks = fleet_of(three[0])
    hooks.reset()
    hooks.requests()
    assert all(device.log() == [] for device in three)


def test_fleet_state_patch_gives_each_device_its_own_state(three):
    hooks = fleet_of(three[0])
    hooks.reset()
    key = {"product": "app", "productid": "1", "serial_number": three[1].serial_number, "expires": "", "license_code": "x"}
    patched = hooks.patch_states({
        three[0].serial_number: {"applications": {"app": {"version": "1.2.0", "status": "Running"}}},
        three[1].serial_number: {"applications": {"app": {"version": "2.0.0", "license_key": key}},
                                 "config": {"AllowUnsigned": False}},
    })
    assert patched == 2
    assert three[0].app_state("app")["version"] == "1.2.0" and three[0].app_state("app")["status"] == "Running"
    assert three[1].app_state("app")["license_key"] == key and three[1].state()["config"]["AllowUnsigned"] is False
    assert installed(three[2]) == []
    listed = three[1].applications()
    assert listed["app"]["Version"] == "2.0.0"


def test_fleet_state_patch_names_the_refused_camera(three):
    hooks = fleet_of(three[0])
    response = requests.patch(hooks.base_url + "/state", json={"cameras": {
        three[2].serial_number: {"applications": {"app": {"status": "Dancing"}}}}}, timeout=30)
    assert response.status_code == 400
    assert three[2].serial_number in response.json()["error"] and "Dancing" in response.json()["error"]
    assert requests.patch(hooks.base_url + "/state", json={"applications": {}}, timeout=30).status_code == 400
    assert requests.get(hooks.base_url + "/nothing", timeout=30).status_code == 404


def _keep_alive_connection(host: str, port: int) -> socket.socket:
    """One answered request on a connection left open (what a client's session pool holds)."""
    connection = socket.create_connection((host, port), timeout=10)
    connection.sendall(b"GET /emulator/faults HTTP/1.1\r\nHost: x\r\n\r\n")
    answer = b""
    while b"\r\n\r\n" not in answer or not answer.endswith(b"}\n"):
        chunk = connection.recv(65536)
        assert chunk, "the connection closed before the answer"
        answer += chunk
    return connection


def test_a_new_connection_is_answered_when_idle_ones_fill_the_file_limit(tmp_path):
    """With 100 devices and a file limit of 400, 400 idle keep-alive connections took every descriptor:
    accept() failed (EMFILE) and the next client waited until it timed out. Now the longest-idle
    keep-alive connections are closed to make room."""
    wrapper = tmp_path / "python-with-400-files"
    wrapper.write_text('#!/bin/sh\nulimit -n 400\nexec "{0}" "$@"\n'.format(sys.executable), encoding="utf-8")
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    emulator = launch_emulator(100, Path(_LOG_DIR), https=False, python=str(wrapper), ready_timeout=60.0)
    held = []
    try:
        assert "at most 44 connections" in emulator.stderr_tail()
        devices = emulator.devices
        for index in range(400):
            device = devices[index % len(devices)]
            held.append(_keep_alive_connection(device["host"], device["port"]))
        started = time.monotonic()
        fresh = requests.get("http://%s:%d/emulator/state" % (devices[0]["host"], devices[0]["port"]), timeout=10)
        assert fresh.status_code == 200 and time.monotonic() - started < 5
        closed = 0
        for connection in held[:300]:  # the oldest were closed (FIN) to make room
            connection.settimeout(5)
            try:
                closed += connection.recv(1) == b""
            except socket.timeout:
                pass
        assert closed >= 300 - 44
        assert "Too many open files" not in emulator.stderr_tail(100000)
        os.kill(emulator.process.pid, 0)  # still serving
    finally:
        for connection in held:
            connection.close()
        emulator.stop()
