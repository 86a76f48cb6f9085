"""What a real device answers that a first reading of the API page could miss (issue 11, items 10-11)."""

from __future__ import annotations

import socket

import pytest

from conftest import APP_PATH
from vapix_emulator.builders import build_eap


def test_nice_name_defaults_to_the_application_name(device):
    """A manifest without friendlyName is still listed with a NiceName (peer clients need one)."""
    device.install(build_eap(name="nameless", friendly_name=None, signed=True))
    assert device.applications()["nameless"]["NiceName"] == "nameless"


def test_nice_name_from_friendly_name(device):
    device.install(build_eap(name="named", friendly_name="A Named App", signed=True))
    assert device.applications()["named"]["NiceName"] == "A Named App"


@pytest.mark.parametrize("acap", [3, 4])
@pytest.mark.parametrize("copy_protection, expected", [("none", "Available"), ("axis", "Proprietary"), ("custom", "Proprietary")])
def test_license_name_default(device, acap, copy_protection, expected):
    """manifest.json has no license name; package.conf's LICENSENAME as the SDK writes it."""
    device.install(build_eap(name="licname", acap=acap, copy_protection=copy_protection, signed=True))
    assert device.applications()["licname"]["LicenseName"] == expected


@pytest.mark.parametrize("acap", [3, 4])
def test_vendor_home_page_is_the_url(device, acap):
    """package.conf carries an HTML anchor; list.cgi shows the URL in it, never markup."""
    device.install(build_eap(name="homepage", acap=acap, vendor_url="https://www.example.com/acap", signed=True))
    assert device.applications()["homepage"]["VendorHomePage"] == "https://www.example.com/acap"


def test_head_answers_without_a_body(device):
    get = device.cgi("list.cgi", method="GET")
    head = device.cgi("list.cgi", method="HEAD")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["Content-Type"] == get.headers["Content-Type"]
    assert int(head.headers["Content-Length"]) == len(get.content)


def test_head_keeps_the_connection_usable(device):
    """A HEAD answer carries no body bytes on the wire, so the next request on the connection works."""
    with socket.create_connection((device.host, device.port), timeout=10) as conn:
        request = "HEAD /axis-cgi/applications/list.cgi HTTP/1.1\r\nHost: x\r\n\r\n"
        conn.sendall((request + request.replace("HEAD", "GET", 1)).encode())
        data = b""
        while data.count(b"HTTP/1.1 401") < 2:
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    first, second = data.split(b"HTTP/1.1 401")[1:3]
    assert first.endswith(b"\r\n\r\n"), "the HEAD answer ends with its head"
    assert b"<html" in second


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_get_405(device, method):
    response = device.cgi("list.cgi", method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST, HEAD"
    assert device.log()[-1]["status"] == 405


def test_405_only_for_known_paths(device):
    assert device.request("PUT", "/axis-cgi/nothing.cgi").status_code == 404
    assert device.request("PUT", APP_PATH + "upload.cgi").status_code == 405
