"""Uploads are read as they arrive (file parts go to temporary files) and a stalled client is dropped."""

from __future__ import annotations

import base64
import socket

import requests

from conftest import APP_PATH, text_reply
from vapix_emulator.builders import build_eap

UPLOAD = APP_PATH + "upload.cgi"


def _basic(user: str = "root", password: str = "pass") -> str:
    return "Basic " + base64.b64encode("{0}:{1}".format(user, password).encode()).decode()


def test_a_stalled_upload_is_dropped_and_does_not_block_the_next(device):
    device.reset(body_timeout=1)
    device.config("set", "AllowUnsigned", "true")
    package = build_eap(name="stalled", size=200_000)
    boundary = "stallboundary"
    head = ("--{0}\r\nContent-Disposition: form-data; name=\"packfil\"; filename=\"a.eap\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").format(boundary).encode()
    body_length = len(head) + len(package) + len("\r\n--{0}--\r\n".format(boundary))
    request = ("POST {0} HTTP/1.1\r\nHost: {1}\r\nAuthorization: {2}\r\nContent-Type: multipart/form-data; boundary={3}\r\n"
               "Content-Length: {4}\r\n\r\n").format(UPLOAD, device.host, _basic(), boundary, body_length).encode()
    with socket.create_connection((device.host, device.port), timeout=30) as stalled:
        stalled.sendall(request + head + package[:50_000])  # then nothing more
        # While the body is awaited, the device is busy with that upload.
        assert text_reply(device.upload(build_eap(name="meanwhile"))) == "Error: 12"
        # The device gives up on the stalled client: the connection ends without an answer.
        assert stalled.recv(65536) == b""
    assert text_reply(device.upload(build_eap(name="after"))) == "OK"
    assert set(device.applications()) == {"after"}
    unanswered = [entry for entry in device.log() if entry["path"] == UPLOAD and entry["status"] is None]
    assert len(unanswered) == 1 and unanswered[0]["user"] == "root", "logged as a request that got no answer"


def test_a_large_package_in_odd_chunks(device):
    """Chunked transfer coding, chunk edges anywhere (also inside the multipart delimiter)."""
    device.config("set", "AllowUnsigned", "true")
    package = build_eap(name="bigone", size=3_000_000, signed=True)
    boundary = "b0undary-x"
    body = (("--{0}\r\nContent-Disposition: form-data; name=\"packfil\"; filename=\"big.eap\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n").format(boundary).encode() + package
            + "\r\n--{0}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nafter the file\r\n--{0}--\r\n".format(boundary).encode())

    def pieces():
        position, step = 0, 7
        while position < len(body):
            yield body[position:position + step]
            position += step
            step = step * 3 % 65521 + 1

    response = requests.post(device.base_url + UPLOAD, data=pieces(), auth=device.auth("basic"),  # Digest would resend an exhausted generator
                             headers={"Content-Type": "multipart/form-data; boundary=" + boundary}, timeout=60)
    assert text_reply(response) == "OK"
    assert device.app_state("bigone")["size"] == len(package)
    logged = [entry for entry in device.log() if entry["status"] == 200][-1]["args"]
    assert logged["note"] == "after the file", "a field after the file part is read too"
    assert logged["packfil"] == "<file 'big.eap', {0} bytes>".format(len(package))


def test_a_package_above_the_limit_is_read_and_refused(device):
    device.reset(max_upload_size=1_000_000)
    device.config("set", "AllowUnsigned", "true")
    assert text_reply(device.upload(build_eap(name="toolarge", size=1_200_000))) == "Error: 3"
    assert text_reply(device.upload(build_eap(name="fits", size=900_000))) == "OK"
