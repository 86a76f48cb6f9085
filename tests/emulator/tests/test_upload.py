"""upload.cgi: installation, upgrade in place, and every documented error with a realistic trigger."""

from __future__ import annotations

import base64
import io
import socket
import tarfile
import threading
import time

import pytest
from lxml import etree

from conftest import APP_PATH, text_reply
from vapix_emulator.builders import build_eap, build_license_key


def installed(device) -> dict:
    return device.applications()


# --- Error 1: not an Embedded Axis Package ------------------------------------------------------

@pytest.mark.parametrize("corrupt", ["not_gzip", "empty", "truncated", "no_manifest"])
def test_error_1_not_a_package(device, corrupt):
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="broken", corrupt=corrupt, size=20_000))) == "Error: 1"
    assert installed(device) == {}


def test_error_1_a_plain_uncompressed_tar(device):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("package.conf")
        data = b'APPNAME="plain"\n'
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(raw.getvalue())) == "Error: 1"


def test_upload_without_a_file_part_is_refused(device):
    response = device.cgi("upload.cgi", data={"packfil": "not a file"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.text.strip().startswith("Error:")
    assert installed(device) == {}


# --- Error 2: unsigned while AllowUnsigned is false ----------------------------------------------

def test_error_2_unsigned_on_12x_by_default(device):
    assert text_reply(device.upload(build_eap(name="unsigned"))) == "Error: 2"
    assert installed(device) == {}
    # Signed passes on the same device; unsigned passes once allowed.
    assert text_reply(device.upload(build_eap(name="signed", signed=True))) == "OK"
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="unsigned"))) == "OK"


def test_error_2_when_allow_unsigned_set_false_on_11x(device):
    device.reset(firmware="11.11.73")
    assert text_reply(device.upload(build_eap(name="u1"))) == "OK", "11.x allows unsigned by default"
    device.config("set", "AllowUnsigned", "false")
    assert text_reply(device.upload(build_eap(name="u2"))) == "Error: 2"
    assert set(installed(device)) == {"u1"}


# --- Error 3: too large --------------------------------------------------------------------------

def test_error_3_over_the_size_limit(device):
    device.reset(max_upload_size=200_000)
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="big", size=400_000))) == "Error: 3"
    assert installed(device) == {}
    assert text_reply(device.upload(build_eap(name="small", size=100_000))) == "OK"


# --- Error 5: not compatible ---------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [
    {"architecture": "armv7hf"},
    {"architecture": "mips", "acap": 3},
    {"embedded_sdk_version": "9.9"},
])
def test_error_5_incompatible(device, kwargs):
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="incompatible", **kwargs))) == "Error: 5"
    assert installed(device) == {}


def test_architecture_all_and_matching_versions_are_compatible(device):
    device.reset(architecture="armv7hf", embedded_development="3.0")
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="any_arch", architecture="all"))) == "OK"
    assert text_reply(device.upload(build_eap(name="arm", architecture="armv7hf", embedded_sdk_version="3.0"))) == "OK"
    assert text_reply(device.upload(build_eap(name="needs_more", architecture="armv7hf", embedded_sdk_version="3.1"))) == "Error: 5"


# --- Error 12: another upload in progress --------------------------------------------------------

def _slow_basic_upload(device, body: bytes, boundary: str, seconds: float, result: dict) -> None:
    """Send an upload over a raw socket (Basic auth) trickling the body over ``seconds``."""
    head = (
        "POST {0}upload.cgi HTTP/1.1\r\nHost: {1}:{2}\r\nAuthorization: Basic {3}\r\n"
        "Content-Type: multipart/form-data; boundary={4}\r\nContent-Length: {5}\r\nConnection: close\r\n\r\n"
    ).format(APP_PATH, device.host, device.port, base64.b64encode(b"root:pass").decode(), boundary, len(body)).encode()
    with socket.create_connection((device.host, device.port), timeout=30) as sock:
        sock.sendall(head)
        pieces = 20
        step = len(body) // pieces + 1
        for start in range(0, len(body), step):
            sock.sendall(body[start:start + step])
            time.sleep(seconds / pieces)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    result["raw"] = received


def test_error_12_while_another_upload_is_in_progress(device):
    device.reset(auth="both")
    device.config("set", "AllowUnsigned", "true")
    package = build_eap(name="slow_one", size=300_000)
    boundary = "fileboundary"
    body = (
        "--{0}\r\nContent-Disposition: form-data; name=\"packfil\"; filename=\"slow.eap\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n".format(boundary).encode()
        + package + "\r\n--{0}--\r\n".format(boundary).encode()
    )
    result: dict = {}
    sender = threading.Thread(target=_slow_basic_upload, args=(device, body, boundary, 3.0, result))
    sender.start()
    try:
        time.sleep(1.0)  # the first upload is now being received
        assert text_reply(device.upload(build_eap(name="second"))) == "Error: 12"
    finally:
        sender.join(timeout=60)
    assert result["raw"].startswith(b"HTTP/1.") and result["raw"].rstrip().endswith(b"OK"), result["raw"][-200:]
    assert set(installed(device)) == {"slow_one"}
    # Once the first upload is done, uploads are accepted again.
    assert text_reply(device.upload(build_eap(name="second"))) == "OK"


# --- Error 13: root user not allowed -------------------------------------------------------------

@pytest.mark.parametrize("firmware", ["11.8.61", "12.0.0", "12.6.1"])
def test_error_13_root_package_refused(device, firmware):
    device.reset(firmware=firmware)
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="rooted", run_as_root=True))) == "Error: 13"
    assert installed(device) == {}


@pytest.mark.parametrize("firmware", ["11.5.64", "11.7.57"])
def test_root_package_allowed_while_allow_root_defaults_true(device, firmware):
    device.reset(firmware=firmware)
    assert text_reply(device.upload(build_eap(name="rooted", run_as_root=True))) == "OK"


def test_allow_root_set_true_on_11_8_lets_root_packages_in(device):
    device.reset(firmware="11.8.61")
    device.config("set", "AllowRoot", "true")
    assert text_reply(device.upload(build_eap(name="rooted", run_as_root=True))) == "OK"


def test_root_acap3_package_conf_is_checked_too(device):
    device.reset(firmware="11.10.60")
    assert text_reply(device.upload(build_eap(name="rooted3", acap=3, run_as_root=True))) == "Error: 13"


# --- Error 14: same name in another letter case --------------------------------------------------

def test_error_14_same_name_other_case(device):
    device.install(build_eap(name="MyApp"))
    assert text_reply(device.upload(build_eap(name="myapp"))) == "Error: 14"
    assert set(installed(device)) == {"MyApp"}


# --- Error 29: malformed manifest.json or package.conf -------------------------------------------

@pytest.mark.parametrize("corrupt", ["bad_manifest_json", "manifest_missing_appname", "bad_package_conf"])
def test_error_29_malformed_metadata(device, corrupt):
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="meta", corrupt=corrupt))) == "Error: 29"
    assert installed(device) == {}


# --- Errors 10 and 15 (fault injection) ----------------------------------------------------------

def test_error_10_by_fault(device):
    device.config("set", "AllowUnsigned", "true")
    device.inject_fault("error_10", match={"path": APP_PATH + "upload.cgi"})
    assert text_reply(device.upload(build_eap(name="f10"))) == "Error: 10"
    assert installed(device) == {}


def test_error_15_applied_and_not_applied(device):
    device.config("set", "AllowUnsigned", "true")
    device.inject_fault("error_15_applied", match={"path": APP_PATH + "upload.cgi"})
    assert text_reply(device.upload(build_eap(name="f15a"))) == "Error: 15"
    assert "f15a" in installed(device)
    device.inject_fault("error_15_not_applied", match={"path": APP_PATH + "upload.cgi"})
    assert text_reply(device.upload(build_eap(name="f15n"))) == "Error: 15"
    assert "f15n" not in installed(device)


# --- ACAP 3 and 4 packages, signed packages ------------------------------------------------------

def test_acap3_and_acap4_packages_install(device):
    device.install(build_eap(name="three", acap=3, version="1.2.3"))
    device.install(build_eap(name="four", acap=4, version="2.0.0"))
    apps = installed(device)
    assert apps["three"]["Version"] == "1.2-3"
    assert apps["four"]["Version"] == "2.0.0"


def test_state_records_what_was_installed(device):
    device.install(build_eap(name="rec", version="1.5.0-LTS", application_id="321", licensed=True, signed=True))
    state = device.app_state("rec")
    assert state["version"] == "1.5.0-LTS"
    assert state["application_id"] == "321"
    assert state["status"] == "Stopped"
    assert state["license"] == "Missing"


# --- Upgrade in place ------------------------------------------------------------------------------

def test_upgrade_in_place_keeps_license(device):
    device.install(build_eap(name="upg", version="1.0.0", application_id="42", licensed=True))
    key = build_license_key(product="upg", productid="42", serial_number=device.serial_number, expires="2099-12-31T23:59:59Z")
    assert text_reply(device.upload_license("upg", key)) == "OK"
    device.install(build_eap(name="upg", version="1.1.0", application_id="42", licensed=True))
    apps = installed(device)
    assert list(apps) == ["upg"]
    assert apps["upg"]["Version"] == "1.1.0"
    assert apps["upg"]["License"] == "Valid"
    assert apps["upg"]["LicenseExpirationDate"] == "2099-12-31"


@pytest.mark.parametrize("restart, expected", [(True, "Running"), (False, "Stopped")])
def test_restart_after_upgrade_both_ways(device, restart, expected):
    device.reset(restart_after_upgrade=restart)
    device.install(build_eap(name="runner", version="1.0.0"))
    assert text_reply(device.control("start", "runner")) == "OK"
    device.install(build_eap(name="runner", version="2.0.0"))
    assert installed(device)["runner"]["Status"] == expected


def test_upgrade_of_a_stopped_application_stays_stopped(device):
    device.reset(restart_after_upgrade=True)
    device.install(build_eap(name="idle_one", version="1.0.0"))
    device.install(build_eap(name="idle_one", version="2.0.0"))
    assert installed(device)["idle_one"]["Status"] == "Stopped"


# --- compatibility details -------------------------------------------------------------------------

@pytest.mark.parametrize("window, expected", [
    ({"min": "12.0", "max": "12.99"}, "OK"),
    ({"min": "12.7"}, "Error: 5"),
    ({"max": "12.5"}, "Error: 5"),
])
def test_compatible_os_versions(device, window, expected):
    package = build_eap(name="os_window", schema_version="2.2.0", signed=True, compatible_os_versions=[window])
    assert text_reply(device.upload(package)) == expected


def test_acap3_package_needs_the_acap3_sdk(device):
    device.reset(sdks=["acap4-native"])
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="old3", acap=3))) == "Error: 5"
    assert text_reply(device.upload(build_eap(name="new4", acap=4))) == "OK"


def test_a_delayed_upload_keeps_the_device_busy(device):
    device.config("set", "AllowUnsigned", "true")
    device.inject_fault("delay", match={"path": APP_PATH + "upload.cgi"}, delay=2.0)
    outcome: dict = {}
    first = threading.Thread(target=lambda: outcome.setdefault("first", device.upload(build_eap(name="held"))))
    first.start()
    try:
        time.sleep(0.7)
        assert text_reply(device.upload(build_eap(name="queued"))) == "Error: 12"
    finally:
        first.join(timeout=30)
    assert text_reply(outcome["first"]) == "OK"
    assert set(installed(device)) == {"held"}


def test_chunked_upload_body(device):
    """A client that streams the multipart body with chunked transfer coding."""
    boundary = "chunkboundary"
    package = build_eap(name="chunked", signed=True, size=120_000)
    body = (
        "--{0}\r\nContent-Disposition: form-data; name=\"packfil\"; filename=\"c.eap\"\r\n"
        "Content-Type: application/octet-stream\r\n\r\n".format(boundary).encode()
        + package + "\r\n--{0}--\r\n".format(boundary).encode()
    )

    def pieces():
        for start in range(0, len(body), 16_384):
            yield body[start:start + 16_384]

    device.reset(auth="both")
    response = device.cgi("upload.cgi", scheme="basic", data=pieces(),
                          headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    assert text_reply(response) == "OK"
    assert "chunked" in installed(device)


def test_application_id_that_is_not_a_number_is_left_out_of_list(device, list_schema):
    device.install(build_eap(name="odd_id", application_id="abc-1"))
    device.install(build_eap(name="good_id", application_id="123"))
    root = etree.fromstring(device.cgi("list.cgi").content)
    list_schema.assertValid(root)
    apps = {element.get("Name"): element.attrib for element in root.findall("application")}
    assert "ApplicationID" not in apps["odd_id"]
    assert apps["good_id"]["ApplicationID"] == "123"
