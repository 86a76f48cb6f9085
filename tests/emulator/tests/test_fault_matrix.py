"""The faults a reliability fault matrix needs, on every write and on reads (issue 11, "Done when")."""

from __future__ import annotations

import base64
import socket
from typing import Callable, Dict, Tuple

import pytest
import requests
from lxml import etree

from conftest import APP_PATH, Device, text_reply
from vapix_emulator.builders import build_eap, build_license_key

LIST = APP_PATH + "list.cgi"
UPLOAD = APP_PATH + "upload.cgi"
CONTROL = APP_PATH + "control.cgi"
LICENSE = APP_PATH + "license.cgi"
CONFIG = APP_PATH + "config.cgi"


def _key(device: Device) -> bytes:
    return build_license_key(product="lic", productid="42", serial_number=device.serial_number, expires="2099-12-31")


def _setup_upload(device: Device) -> None:
    device.install(build_eap(name="app", version="1.0.0"))


def _setup_installed(device: Device) -> None:
    device.install(build_eap(name="app"))


def _setup_licensed(device: Device) -> None:
    device.install(build_eap(name="lic", application_id="42", licensed=True))


def _setup_with_key(device: Device) -> None:
    _setup_licensed(device)
    assert text_reply(device.upload_license("lic", _key(device))) == "OK"


def _setup_config(device: Device) -> None:
    device.patch_state({"config": {"AllowUnsigned": False}})


# name: (set-up, match, the write, did it happen?)
WRITES: Dict[str, Tuple[Callable, dict, Callable, Callable]] = {
    "install_upgrade": (_setup_upload, {"path": UPLOAD},
                        lambda d: d.upload(build_eap(name="app", version="2.0.0"), timeout=10),
                        lambda d: d.applications()["app"]["Version"] == "2.0.0"),
    "start": (_setup_installed, {"path": CONTROL, "action": "start"},
              lambda d: d.control("start", "app", timeout=10),
              lambda d: d.applications()["app"]["Status"] == "Running"),
    "remove": (_setup_installed, {"path": CONTROL, "action": "remove"},
               lambda d: d.control("remove", "app", timeout=10),
               lambda d: "app" not in d.applications()),
    "license_upload": (_setup_licensed, {"path": LICENSE, "action": "uploadlicensekey"},
                       lambda d: d.upload_license("lic", _key(d), timeout=10),
                       lambda d: d.applications()["lic"]["License"] == "Valid"),
    "license_remove": (_setup_with_key, {"path": LICENSE, "action": "removelicensekey"},
                       lambda d: d.remove_license("lic", timeout=10),
                       lambda d: d.applications()["lic"]["License"] == "Missing"),
    "config_set": (_setup_config, {"path": CONFIG, "action": "set"},
                   lambda d: d.config("set", "AllowUnsigned", "true", timeout=10),
                   lambda d: d.state()["config"]["AllowUnsigned"] is True),
}

# kind (+ options): whether the write is applied on the device afterwards
FAULTS = {
    "error_12": ({}, False),
    "error_15_applied": ({}, True),
    "error_15_not_applied": ({}, False),
    "drop_before": ({}, False),
    "drop_after": ({}, True),
    "http_error_500": ({"kind": "http_error", "status": 500}, False),
    "http_error_503": ({"kind": "http_error", "status": 503}, False),
    "delay": ({"delay": 0.2}, True),
    "html_login": ({}, False),
    "html_login_applied": ({}, True),
    "ok_not_applied": ({}, False),
    "trickle": ({"interval": 0.01, "duration": 0.2}, True),
    "unauthorized": ({}, False),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("write", sorted(WRITES))
def test_every_write_under_every_fault(device, write, fault):
    setup, match, perform, applied = WRITES[write]
    options, expect_applied = FAULTS[fault]
    setup(device)
    body = dict({"kind": fault}, **options)
    kind = body.pop("kind")
    device.inject_fault(kind, match=match, **body)
    try:
        perform(device)
    except requests.RequestException:
        pass  # dropped or trickled: the client sees an error; the device's state tells the outcome
    assert applied(device) is expect_applied
    assert device.hook("GET", "faults").json()["pending"] == [], "the fault was used by the write"


def test_ok_not_applied_answers_as_the_device_would(device):
    device.install(build_eap(name="app", version="1.0.0"))
    device.inject_fault("ok_not_applied", match={"path": UPLOAD})
    assert text_reply(device.upload(build_eap(name="app", version="2.0.0"))) == "OK"
    assert device.applications()["app"]["Version"] == "1.0.0", "the old version stays"
    device.inject_fault("ok_not_applied", match={"path": CONFIG, "action": "set"})
    reply = etree.fromstring(device.config("set", "AllowUnsigned", "false").content)
    assert reply.find("param").get("value") == "false"
    assert device.state()["config"]["AllowUnsigned"] is True
    device.inject_fault("ok_not_applied", match={"path": CONTROL})
    assert text_reply(device.control("start", "nothere")) == "Error: 4", "a refused write is answered as usual"


def test_error_12_always(device):
    device.config("set", "AllowUnsigned", "true")
    device.inject_fault("error_12", match={"path": UPLOAD}, always=True)
    assert [text_reply(device.upload(build_eap(name="busy"))) for _attempt in range(3)] == ["Error: 12"] * 3
    assert device.hook("GET", "faults").json()["pending"][0]["always"] is True
    device.clear_faults()
    assert text_reply(device.upload(build_eap(name="busy"))) == "OK"


def test_skip_hits_the_nth_request(device):
    """Truncated XML on the re-read, not on the first read."""
    device.install(build_eap(name="x1"))
    device.inject_fault("truncated_xml", match={"path": LIST}, skip=1)
    etree.fromstring(device.cgi("list.cgi").content)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(device.cgi("list.cgi").content)
    etree.fromstring(device.cgi("list.cgi").content)


def test_skip_counts_only_matching_requests(device):
    device.install(build_eap(name="app"))
    device.inject_fault("error_10", match={"path": CONTROL, "action": "stop"}, skip=1)
    assert text_reply(device.control("start", "app")) == "OK"
    assert text_reply(device.control("stop", "app")) == "OK"
    assert text_reply(device.control("start", "app")) == "OK"
    assert text_reply(device.control("stop", "app")) == "Error: 10"


def _raw_list(device: Device, timeout: float = 10) -> bytes:
    credentials = base64.b64encode(b"root:pass").decode()
    data = b""
    with socket.create_connection((device.host, device.port), timeout=timeout) as conn:
        conn.sendall("GET {0} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Basic {1}\r\n\r\n".format(LIST, credentials).encode())
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                return data
            data += chunk


def test_trickle_sends_byte_by_byte_and_closes_when_bounded(device):
    full = _raw_list(device)
    device.inject_fault("trickle", match={"path": LIST}, interval=0.01, duration=0.3)
    partial = _raw_list(device)
    assert 0 < len(partial) < len(full) and full.startswith(partial)


def test_trickle_may_complete_the_answer(device):
    device.inject_fault("trickle", match={"path": LIST}, interval=0.01, duration=30)
    response = device.cgi("list.cgi", scheme="basic")
    assert response.status_code == 200 and response.headers["Connection"] == "close"
    etree.fromstring(response.content)


def test_password_changed_mid_run_by_a_fault(device):
    device.inject_fault("change_password", match={"path": LIST}, skip=1, password="n3w")
    assert device.cgi("list.cgi").status_code == 200
    assert device.cgi("list.cgi").status_code == 200, "this request is answered; the password changes with it"
    assert device.cgi("list.cgi").status_code == 401
    assert device.cgi("list.cgi", user=("root", "n3w")).status_code == 200
    assert device.hook("GET", "state").json()["faults"] == []
    device.reset()
    assert device.cgi("list.cgi").status_code == 200, "reset restores the command-line users"


def test_password_hook(device):
    device.hook("POST", "users", json={"name": "root", "password": "changed"})
    assert device.cgi("list.cgi").status_code == 401
    assert device.cgi("list.cgi", user=("root", "changed"), scheme="basic").status_code == 200
    response = device.hooks.post(device.base_url + "/emulator/users", json={"name": "ghost", "password": "x"}, timeout=10)
    assert response.status_code == 404 and "ghost" in response.text


def test_fault_password_is_not_shown(device):
    device.inject_fault("change_password", match={"path": LIST}, password="s3cret-new")
    assert "s3cret-new" not in device.hook("GET", "faults").text
    assert "s3cret-new" not in device.hook("GET", "state").text


def test_unknown_fault_option_is_refused(device):
    response = device.hooks.post(device.base_url + "/emulator/faults", json={"kind": "delay", "dealy": 3}, timeout=10)
    assert response.status_code == 400 and "dealy" in response.text
