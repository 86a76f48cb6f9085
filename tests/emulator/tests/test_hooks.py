"""The emulator-only hooks: request log, reset, state read and edit."""

from __future__ import annotations

import time

import requests
from lxml import etree

from conftest import APP_PATH, text_reply
from vapix_emulator.builders import build_eap


def test_log_entry_fields(device):
    package = build_eap(name="logged", signed=True, size=30_000)
    started = time.time()
    response = device.upload(package)
    assert text_reply(response) == "OK"
    entries = device.log()
    assert entries, "requests are logged"
    for entry in entries:
        assert {"time", "method", "path", "args", "user", "status", "bytes_in", "bytes_out"} <= set(entry), entry
    authenticated = [entry for entry in entries if entry["status"] == 200]
    assert len(authenticated) == 1
    entry = authenticated[0]
    assert entry["method"] == "POST"
    assert entry["path"] == APP_PATH + "upload.cgi"
    assert entry["user"] == "root"
    assert entry["bytes_in"] >= len(package)
    assert entry["bytes_out"] >= len("OK")
    assert started - 5 <= float(entry["time"]) <= time.time() + 5


def test_log_records_arguments_from_query_and_form(device):
    device.install(build_eap(name="args"))
    device.clear_log()
    device.control("start", "args")
    device.cgi("control.cgi", data={"action": "stop", "package": "args"})
    entries = [entry for entry in device.log() if entry["status"] == 200]
    assert [entry["args"]["action"] for entry in entries] == ["start", "stop"]
    assert all(entry["args"]["package"] == "args" for entry in entries)


def test_log_records_challenges_and_refusals(device):
    device.reset(auth="digest")
    device.cgi("list.cgi", auth=None)
    device.cgi("list.cgi", user=("root", "wrong"))
    statuses = [entry["status"] for entry in device.log()]
    assert statuses and set(statuses) == {401}


def test_hooks_are_not_logged_and_log_can_be_cleared(device):
    device.cgi("info.cgi")
    device.state()
    device.hooks.get(device.base_url + "/emulator/log", timeout=10)
    assert all(not entry["path"].startswith("/emulator") for entry in device.log())
    device.clear_log()
    assert device.log() == []


def test_hooks_need_no_auth_but_vapix_does(device):
    assert requests.get(device.base_url + "/emulator/state", timeout=10).status_code == 200
    assert requests.post(device.base_url + APP_PATH + "list.cgi", timeout=10).status_code == 401


def test_state_document(device):
    device.install(build_eap(name="st", version="1.2.3", application_id="12", licensed=True, friendly_name="St App"))
    state = device.state()
    assert set(state) >= {"device", "config", "applications"}
    assert state["device"]["serial_number"] == device.serial_number
    assert state["device"]["firmware"] == "12.6.1"
    assert state["config"]["AllowUnsigned"] in (True, "true")
    (app,) = state["applications"]
    assert app["name"] == "st"
    assert app["version"] == "1.2.3"
    assert app["status"] == "Stopped"
    assert app["license"] == "Missing"
    assert app["application_id"] == "12"


def test_reset_clears_state_and_applies_overrides(device):
    device.install(build_eap(name="wiped"))
    device.control("start", "wiped")
    device.reset(firmware="11.9.60", architecture="armv7hf", embedded_development="2.5", max_running=1)
    assert device.applications() == {}
    state = device.state()
    assert state["device"]["firmware"] == "11.9.60"
    assert state["device"]["architecture"] == "armv7hf"
    text = device.request("GET", "/axis-cgi/param.cgi", params={"action": "list", "group": "Properties.Firmware.Version"}).text
    assert "=11.9.60" in text
    # Overrides last until the next reset: a reset without overrides goes back to the CLI profile.
    device.reset()
    assert device.state()["device"]["firmware"] == "12.6.1"


def test_reset_refuses_unknown_overrides(device):
    response = device.hooks.post(device.base_url + "/emulator/reset", json={"colour": "blue"}, timeout=10)
    assert response.status_code == 400
    assert "colour" in response.text
    response = device.hooks.post(device.base_url + "/emulator/reset", json={"firmware": "latest"}, timeout=10)
    assert response.status_code == 400


def test_patch_state_simulates_a_change_by_hand(device):
    device.install(build_eap(name="manual"))
    device.install(build_eap(name="doomed"))
    device.patch_state({"applications": {"manual": {"status": "Running"}, "doomed": None}})
    apps = device.applications()
    assert apps["manual"]["Status"] == "Running"
    assert "doomed" not in apps
    assert text_reply(device.control("start", "manual")) == "Error: 6"


def test_patch_state_adds_an_application_and_edits_config(device):
    device.patch_state({"applications": {"handmade": {"version": "3.1.4", "status": "Idle"}},
                        "config": {"AllowUnsigned": True}})
    apps = device.applications()
    assert apps["handmade"]["Version"] == "3.1.4"
    assert apps["handmade"]["Status"] == "Idle"
    assert etree.fromstring(device.config("get", "AllowUnsigned").content).find("param").get("value") == "true"


def test_patch_state_license_override(device):
    device.install(build_eap(name="ovr", application_id="5", licensed=True))
    device.patch_state({"applications": {"ovr": {"license": "Invalid"}}})
    assert device.applications()["ovr"]["License"] == "Invalid"


def test_patch_state_refuses_bad_values(device):
    device.install(build_eap(name="strict"))
    response = device.hooks.patch(device.base_url + "/emulator/state",
                                  json={"applications": {"strict": {"status": "Dancing"}}}, timeout=10)
    assert response.status_code == 400
    assert device.applications()["strict"]["Status"] == "Stopped"
