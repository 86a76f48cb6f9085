# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VAPIX client against the emulator over real HTTP(S): authentication, TLS,
retries and every error mapping."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    AuthenticationError,
    ConnectionDroppedError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnreachableError,
    EndpointNotFoundError,
    PackageError,
    ParameterError,
    PermissionDeniedError,
    ServerError,
    TlsError,
    UnexpectedResponseError,
)

# The emulator's builders, from the same directory the harness starts the emulator from.
_EMULATOR_DIR = Path(os.environ.get("VAPIX_EMULATOR_DIR") or Path(__file__).resolve().parents[1] / "emulator")
if str(_EMULATOR_DIR) not in sys.path:
    sys.path.insert(0, str(_EMULATOR_DIR))

from vapix_emulator.builders import build_eap  # noqa: E402  pylint: disable=wrong-import-position

LIST = "/axis-cgi/applications/list.cgi"
CONTROL = "/axis-cgi/applications/control.cgi"
UPLOAD = "/axis-cgi/applications/upload.cgi"
PARAM = "/axis-cgi/param.cgi"


def make_client(device, **overrides):
    """A client for ``device``; retry pauses shortened so fault tests stay quick."""
    fast = {"retry_pause": 0.05, "upload_busy_pause": 0.05}
    fast.update({key: overrides.pop(key) for key in list(overrides) if key in fast or key.endswith("retries")})
    settings = ConnectionSettings.from_params(device.conn_params(**overrides))
    return VapixClient(dataclasses.replace(settings, **fast))


def package_file(directory, **options):
    """An .eap built by the emulator's builders, written to ``directory``; returns its path."""
    path = directory / ("%s.eap" % options.get("name", "package"))
    build_eap(path, **options)
    return str(path)


def entries(device, path):
    return [entry for entry in device.log() if entry["path"] == path]


# --- authentication ---------------------------------------------------------------------------


def test_auto_uses_digest_with_one_challenge_per_session(device):
    device.reset(auth="both")
    with make_client(device) as client:
        assert client.list_applications() == []
        assert client.get_supported_sdks() == ["acap3", "acap4-native", "acap4-cv"]
        assert client.get_config("AllowUnsigned") is False
    log = device.log()
    assert [entry["status"] for entry in log] == [401, 200, 200, 200]
    assert [entry["user"] for entry in log] == [None, "root", "root", "root"]


def test_forced_digest(device):
    device.reset(auth="digest")
    with make_client(device, auth_method="digest") as client:
        client.list_applications()
        client.list_applications()
    assert [entry["status"] for entry in entries(device, LIST)] == [401, 200, 200]


def test_auto_refuses_basic_over_plain_http(device):
    device.reset(auth="basic")
    with make_client(device) as client, pytest.raises(AuthenticationError) as caught:
        client.list_applications()
    assert "clear text" in caught.value.message
    assert "use_https: true" in caught.value.message and "auth_method: basic" in caught.value.message
    # The password never left the controller: one unauthenticated request, answered by a challenge.
    assert [(entry["status"], entry["user"]) for entry in device.log()] == [(401, None)]


def test_basic_over_plain_http_when_asked(device):
    device.reset(auth="basic")
    with make_client(device, auth_method="basic") as client:
        client.list_applications()
    # Pre-emptive: no challenge round trip.
    assert [(entry["status"], entry["user"]) for entry in device.log()] == [(200, "root")]


def test_auto_uses_basic_over_https(device):
    device.reset(auth="basic")
    with make_client(device, use_https=True, ca_path=device.ca_file) as client:
        client.list_applications()
    log = device.log()
    assert [(entry["status"], entry["user"], entry["scheme"]) for entry in log] == [
        (401, None, "https"), (200, "root", "https")]


def test_wrong_password(device):
    with make_client(device, password="wrong") as client, pytest.raises(AuthenticationError) as caught:
        client.list_applications()
    error = caught.value
    assert error.http_status == 401 and error.endpoint == "list.cgi"
    assert "'root'" in error.message
    assert "username or the password is wrong" in error.message
    assert "lacks the administrator role" in error.message


def test_viewer_user_is_refused_with_both_explanations(device):
    with make_client(device, username="viewer", password="viewpass") as client:
        with pytest.raises(AuthenticationError) as caught:
            client.list_applications()
    assert caught.value.http_status == 401
    assert "'viewer'" in caught.value.message and "administrator" in caught.value.message
    # The device knew the user (the log names it) but refused the role.
    assert "viewer" in {entry["user"] for entry in device.log()}


def test_unauthorized_fault_after_login(device):
    with make_client(device) as client:
        client.list_applications()
        device.inject_fault("unauthorized", count=5, match={"path": LIST})
        with pytest.raises(AuthenticationError):
            client.list_applications()


# --- TLS -----------------------------------------------------------------------------------


def test_https_with_the_emulator_ca(device):
    with make_client(device, use_https=True, ca_path=device.ca_file) as client:
        assert client.get_device_properties().serial_number == device.serial_number
    assert {entry["scheme"] for entry in device.log()} == {"https"}


def test_https_without_the_ca_fails_verification(device):
    with make_client(device, use_https=True) as client, pytest.raises(TlsError) as caught:
        client.list_applications()
    assert "ca_path" in caught.value.message
    assert "%s:%d" % (device.host, device.https_port) in caught.value.message
    assert device.log() == []  # nothing reached the CGI


def test_https_with_verification_off(device):
    with make_client(device, use_https=True, validate_certs=False) as client:
        assert client.list_applications() == []


def test_missing_ca_file_is_named(device, tmp_path):
    with pytest.raises(TlsError, match="ca_path .*does not exist"):
        make_client(device, use_https=True, ca_path=str(tmp_path / "nope.pem"))


def test_plain_http_to_the_https_port(device):
    with make_client(device, use_https=False, port=device.https_port, read_retries=0) as client:
        with pytest.raises((ConnectionDroppedError, UnexpectedResponseError)):
            client.list_applications()


# --- transport failures and retries --------------------------------------------------------


def _free_port(host):
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def test_refused_connection(device):
    port = _free_port(device.host)
    with make_client(device, port=port) as client, pytest.raises(DeviceUnreachableError) as caught:
        client.list_applications()
    assert "refused" in caught.value.message and "%s:%d" % (device.host, port) in caught.value.message


def test_dropped_read_is_retried(device):
    with make_client(device) as client:
        client.list_applications()
        device.inject_fault("drop_before", count=1, match={"path": LIST})
        assert client.list_applications() == []
    # The dropped request has no status; the retry on a new connection succeeds.
    assert [entry["status"] for entry in entries(device, LIST)] == [401, 200, None, 200]


def test_dropped_read_gives_up_after_bounded_retries(device):
    with make_client(device, read_retries=2) as client:
        device.inject_fault("drop_before", count=10, match={"path": LIST})
        with pytest.raises(ConnectionDroppedError) as caught:
            client.list_applications()
    assert "closed the connection" in caught.value.message
    assert len([entry for entry in entries(device, LIST) if entry["status"] != 401]) == 3


def test_dropped_change_is_not_resent(device):
    with make_client(device) as client:
        client.list_applications()
        device.inject_fault("drop_before", count=1, match={"path": CONTROL})
        with pytest.raises(ConnectionDroppedError):
            client.control("start", "hello_world")
    assert len(entries(device, CONTROL)) == 1


def test_no_answer_is_retried_once_then_reported(device):
    device.inject_fault("delay", count=10, match={"path": LIST}, delay=3.0)
    with make_client(device, timeout=0.5, read_retries=5) as client, pytest.raises(DeviceTimeoutError) as caught:
        client.list_applications()
    message = caught.value.message
    assert "connected, but no answer within 0.5 s (timeout)" in message
    assert "large package" not in message
    # Two requests took a fault: the first and one retry (read_retries counts drops and 5xx, not timeouts).
    assert [fault["count"] for fault in device.state()["faults"]] == [8]


def test_server_error_is_retried(device):
    with make_client(device) as client:
        client.list_applications()
        device.inject_fault("http_error", count=1, match={"path": LIST}, status=503)
        assert client.list_applications() == []
    statuses = [entry["status"] for entry in entries(device, LIST) if entry["status"] != 401]
    assert statuses == [200, 503, 200]


def test_server_error_that_persists(device):
    device.inject_fault("http_error", count=10, match={"path": LIST}, status=500)
    with make_client(device, read_retries=1) as client, pytest.raises(ServerError) as caught:
        client.list_applications()
    assert caught.value.http_status == 500
    assert "HTTP 500" in caught.value.message and "system log" in caught.value.message


def test_server_error_on_a_change_is_not_resent(device):
    with make_client(device) as client:
        client.list_applications()
        device.inject_fault("http_error", count=1, match={"path": CONTROL}, status=500)
        with pytest.raises(ServerError):
            client.control("stop", "hello_world")
    assert len(entries(device, CONTROL)) == 1


# --- answers that are not the API's ----------------------------------------------------------


def test_html_login_page(device):
    device.inject_fault("html_login", count=1, match={"path": LIST})
    with make_client(device) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.list_applications()
    assert "HTML page" in caught.value.message and caught.value.http_status == 200


def test_html_login_page_on_a_text_endpoint(device):
    device.inject_fault("html_login", count=1, match={"path": CONTROL})
    with make_client(device) as client, pytest.raises(UnexpectedResponseError, match="HTML page"):
        client.control("start", "hello_world")


def test_truncated_xml(device):
    device.install(build_eap(name="hello_world", signed=True))
    device.inject_fault("truncated_xml", count=1, match={"path": LIST})
    with make_client(device) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.list_applications()
    assert "not well-formed XML" in caught.value.message and "cut off" in caught.value.message


def test_endpoint_absent_on_old_firmware(device):
    device.reset(embedded_development="1.10", firmware="10.12.1")
    with make_client(device) as client:
        with pytest.raises(EndpointNotFoundError) as caught:
            client.list_applications()
        assert caught.value.http_status == 404
        assert "EmbeddedDevelopment.Version 1.20" in caught.value.message
        with pytest.raises(EndpointNotFoundError, match="config.cgi needs AXIS OS 11.2"):
            client.get_config("AllowUnsigned")


# --- device error codes ----------------------------------------------------------------------


def test_control_unknown_application_is_error_4(device):
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.control("start", "NoSuchApp")
    assert caught.value.error_code == 4 and caught.value.http_status == 200
    assert caught.value.message.startswith("control.cgi answered Error: 4: application not found")


def test_unsigned_upload_on_12_is_error_2_naming_allow_unsigned(device, tmp_path):
    package = package_file(tmp_path, name="hello_world", signed=False)
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.upload_package("hello.eap", package)
    assert caught.value.error_code == 2
    assert "allow_unsigned" in caught.value.message and "signed" in caught.value.message


def test_invalid_package_is_error_1(device, tmp_path):
    package = package_file(tmp_path, corrupt="not_gzip")
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.upload_package("junk.eap", package)
    assert caught.value.error_code == 1 and "Embedded Axis Package" in caught.value.message


def test_upload_busy_is_retried_after_a_pause(device, tmp_path):
    device.reset(firmware="11.11.73")  # unsigned packages allowed by default
    package = package_file(tmp_path, name="hello_world")
    with make_client(device) as client:
        device.inject_fault("error_12", count=1, match={"path": UPLOAD})
        client.upload_package("hello.eap", package)
        assert [app.name for app in client.list_applications()] == ["hello_world"]
    assert [entry["status"] for entry in entries(device, UPLOAD) if entry["status"] != 401] == [200, 200]


def test_upload_busy_gives_up(device, tmp_path):
    package = package_file(tmp_path, name="hello_world")
    with make_client(device, upload_busy_retries=2) as client:
        device.inject_fault("error_12", count=10, match={"path": UPLOAD})
        with pytest.raises(DeviceError) as caught:
            client.upload_package("hello.eap", package)
    assert caught.value.error_code == 12 and "another package upload" in caught.value.message
    assert len([entry for entry in entries(device, UPLOAD) if entry["status"] != 401]) == 3


def test_unspecified_error_10(device):
    device.inject_fault("error_10", count=1, match={"path": CONTROL})
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.control("start", "hello_world")
    assert caught.value.error_code == 10 and "system log" in caught.value.message


def test_config_setting_missing_on_12_is_http_400(device):
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.get_config("AllowRoot")
    assert caught.value.http_status == 400 and "HTTP 400" in caught.value.message


def test_config_setting_missing_before_12_2_is_an_error_reply(device):
    device.reset(firmware="12.0.5")
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.get_config("AllowRoot")
    assert caught.value.error_code == 1 and caught.value.message.startswith("config.cgi answered Error: 1")


# --- device properties -----------------------------------------------------------------------


def test_device_properties_from_param_cgi(device):
    device.reset(firmware="11.5.64", architecture="armv7hf", embedded_development="3.4")
    with make_client(device) as client:
        properties = client.get_device_properties()
    assert properties.to_dict() == {
        "firmware_version": "11.5.64",
        "embedded_development_version": "3.4",
        "serial_number": device.serial_number,
        "architecture": "armv7hf",
        "product": "AXIS M3085-V",
    }
    assert len([entry for entry in device.log() if entry["status"] == 200]) == 1


def test_device_properties_fall_back_to_basicdeviceinfo(device):
    device.inject_fault("http_error", count=1, match={"path": PARAM}, status=404)
    with make_client(device) as client:
        properties = client.get_device_properties()
    assert properties.firmware_version == "12.6.1"
    assert properties.serial_number == device.serial_number
    assert properties.embedded_development_version is None  # basicdeviceinfo does not tell
    assert [entry["path"] for entry in device.log() if entry["status"] != 401] == [
        PARAM, "/axis-cgi/basicdeviceinfo.cgi"]


def test_http_403_is_permission_denied(device):
    device.inject_fault("http_error", count=1, match={"path": LIST}, status=403)
    with make_client(device) as client, pytest.raises(PermissionDeniedError) as caught:
        client.list_applications()
    assert caught.value.http_status == 403 and "administrator" in caught.value.message


def test_garbage_on_a_text_endpoint(device):
    # An HTTP 200 whose body is neither OK nor Error: N.
    device.inject_fault("http_error", count=1, match={"path": CONTROL}, status=200)
    with make_client(device) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.control("start", "hello_world")
    assert "neither OK nor Error: N" in caught.value.message
    assert "200 Server Error (injected)" in caught.value.message  # the start of the body, for the reader


def test_redirect_is_not_followed(device):
    device.inject_fault("http_error", count=1, match={"path": LIST}, status=302)
    with make_client(device) as client, pytest.raises(UnexpectedResponseError) as caught:
        client.list_applications()
    assert caught.value.http_status == 302 and "use_https" in caught.value.message


@pytest.mark.parametrize("hostname", ["https://camera.example", "camera.example/axis-cgi"])
def test_hostname_with_scheme_or_path_is_refused(device, hostname):
    with pytest.raises(ParameterError, match="without scheme or path"):
        make_client(device, hostname=hostname)


def test_empty_hostname_is_refused(device):
    with pytest.raises(ParameterError, match="hostname must be the device's name or IP address; it is empty"):
        make_client(device, hostname="")


# --- stale Digest nonces (a dedicated emulator with a 1 s nonce lifetime) ---------------------


@pytest.fixture(scope="module")
def short_nonce_device():
    """One device whose Digest nonces expire after 1 s, and a second admin not called root."""
    import json  # pylint: disable=import-outside-toplevel
    import random  # pylint: disable=import-outside-toplevel
    import subprocess  # pylint: disable=import-outside-toplevel

    env = dict(os.environ, PYTHONPATH=str(_EMULATOR_DIR), PYTHONUNBUFFERED="1")
    for _attempt in range(5):
        base = "127.%d.%d.1" % (random.randint(1, 254), random.randint(0, 255))
        port = random.randint(20000, 60000)
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            [sys.executable, "-m", "vapix_emulator", "serve", "--devices", "1", "--base-address", base,
             "--port", str(port), "--nonce-lifetime", "1", "--user", "root:pass:admin",
             "--user", "camadmin:s3cret:admin", "--user", "operator:operpass:operator",
             "--user", "unicode:p\u00e4ssw\u00f6rd\u20ac:admin"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True, env=env)
        description = None
        for line in process.stdout:
            message = json.loads(line)
            if message.get("ready"):
                break
            description = message
        if description is not None and process.poll() is None:
            break
        process.wait(timeout=10)
    else:
        pytest.fail("could not start the short-nonce emulator")
    try:
        yield description
    finally:
        process.terminate()
        process.wait(timeout=10)


def _short_nonce_client(description, **overrides):
    params = {"hostname": description["host"], "port": description["port"], "use_https": False,
              "username": "root", "password": "pass", "timeout": 10}
    params.update(overrides)
    return VapixClient(ConnectionSettings.from_params(params))


def test_stale_nonce_is_renewed(short_nonce_device):

    log_url = "http://%s:%d/emulator/log" % (short_nonce_device["host"], short_nonce_device["port"])
    requests.delete(log_url, timeout=10)
    with _short_nonce_client(short_nonce_device) as client:
        client.list_applications()
        time.sleep(1.5)  # the nonce is now stale
        assert client.list_applications() == []
    statuses = [entry["status"] for entry in requests.get(log_url, timeout=10).json()["entries"]]
    requests.delete(log_url, timeout=10)
    # First challenge, success; then the stale nonce is refused once and the re-sent request passes.
    assert statuses == [401, 200, 401, 200]


def test_admin_not_named_root(short_nonce_device):
    with _short_nonce_client(short_nonce_device, username="camadmin", password="s3cret") as client:
        assert client.get_config("AllowUnsigned") is False


def test_operator_role_is_refused(short_nonce_device):
    with _short_nonce_client(short_nonce_device, username="operator", password="operpass") as client:
        with pytest.raises(AuthenticationError, match="lacks the administrator role"):
            client.list_applications()


def test_port_out_of_range_is_refused(device):
    with pytest.raises(AcapError, match="port must be between 1 and 65535"):
        make_client(device, port=70000)


def test_unusable_hostname_is_a_clear_error(device):
    with pytest.raises(ParameterError, match="is not an IP address or a DNS name"):
        make_client(device, hostname="a" * 300)


def test_device_properties_when_both_sources_fail(device):
    device.inject_fault("http_error", count=1, match={"path": PARAM}, status=404)
    device.inject_fault("http_error", count=1, match={"path": "/axis-cgi/basicdeviceinfo.cgi"}, status=404)
    with make_client(device) as client, pytest.raises(EndpointNotFoundError) as caught:
        client.get_device_properties()
    assert "param.cgi" in caught.value.message and "basicdeviceinfo.cgi failed too" in caught.value.message


# --- small raw-socket servers for what the emulator cannot do -----------------------------------


class RawServer:
    """A listener on a loopback address that runs ``handler(connection, head)`` for each connection
    (``head``: the request head it read, up to the blank line). Bounded: it serves at most
    ``max_connections`` and stops itself after ``lifetime`` seconds; leaving the ``with`` block stops it."""

    def __init__(self, host, handler, max_connections=4, lifetime=20.0):
        self.handler = handler
        self.heads = []
        self.bodies = []
        self._listener = socket.socket()
        self._listener.bind((host, 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self._max_connections = max_connections
        self._stop_at = time.monotonic() + lifetime
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stopped.set()
        self._thread.join(timeout=30)
        self._listener.close()

    @property
    def expired(self):
        return self._stopped.is_set() or time.monotonic() > self._stop_at

    def _serve(self):
        while not self.expired and len(self.heads) < self._max_connections:
            try:
                connection, _peer = self._listener.accept()
            except socket.timeout:
                continue
            with connection:
                connection.settimeout(5)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        data = connection.recv(4096)
                        if not data:
                            break
                        head += data
                    head, _sep, rest = head.partition(b"\r\n\r\n")
                    self.heads.append(head.decode("latin-1"))
                    self.handler(self, connection, head.decode("latin-1"), rest)
                except OSError:
                    pass  # the client went away: what these tests provoke


def read_body(connection, head, rest):
    """The request body announced by Content-Length (the tests' clients always send one)."""
    match = re.search(r"(?im)^content-length:\s*(\d+)", head)
    length = int(match.group(1)) if match else 0
    body = rest
    while len(body) < length:
        data = connection.recv(1024 * 1024)
        if not data:
            break
        body += data
    return body


def raw_client(server, host, **overrides):
    """Basic credentials are sent pre-emptively, so a raw server sees the operation at once."""
    params = {"hostname": host, "port": server.port, "use_https": False, "username": "root", "password": "pass",
              "auth_method": "basic", "timeout": 10}
    params.update(overrides)
    return VapixClient(ConnectionSettings.from_params(params))


# --- streamed uploads (issue 8 item 5) ---------------------------------------------------------


def test_upload_is_streamed_from_disk_with_a_content_length(device, tmp_path):
    package = package_file(tmp_path, name="hello_world", size=300 * 1024)
    content = Path(package).read_bytes()

    def answer(server, connection, head, rest):
        server.bodies.append(read_body(connection, head, rest))
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nOK\n")

    with RawServer(device.host, answer, max_connections=1) as server:
        with raw_client(server, device.host) as client:
            client.upload_package("hello world.eap", package)
    (head,), (body,) = server.heads, server.bodies
    assert re.search(r"(?im)^content-length: %d\r?$" % len(body), head)
    assert "transfer-encoding" not in head.lower()
    boundary = re.search(r"(?im)^content-type: multipart/form-data; boundary=(\S+)\r?$", head).group(1)
    part_head, _sep, rest = body.partition(b"\r\n\r\n")
    assert part_head.startswith(b"--" + boundary.encode())
    assert b'name="packfil"; filename="hello world.eap"' in part_head
    assert rest == content + b"\r\n--" + boundary.encode() + b"--\r\n"


def test_upload_resent_after_error_12_carries_the_whole_package(device, tmp_path):
    device.reset(firmware="11.11.73")  # unsigned packages allowed by default
    package = package_file(tmp_path, name="hello_world", size=200 * 1024)
    with make_client(device) as client:
        client.list_applications()
        device.inject_fault("error_12", count=1, match={"path": UPLOAD})
        client.upload_package("hello.eap", package)
    (installed,) = device.state()["applications"]
    assert installed["name"] == "hello_world" and installed["size"] == os.path.getsize(package)
    uploads = entries(device, UPLOAD)
    assert [entry["status"] for entry in uploads] == [200, 200]
    assert all(entry["bytes_in"] > os.path.getsize(package) for entry in uploads)


def test_upload_resent_after_a_stale_nonce_carries_the_whole_package(short_nonce_device, tmp_path):
    base = "http://%s:%d/emulator/" % (short_nonce_device["host"], short_nonce_device["port"])
    requests.post(base + "reset", json={}, timeout=10)
    package = package_file(tmp_path, name="hello_world", signed=True, size=100 * 1024)
    with _short_nonce_client(short_nonce_device) as client:
        client.list_applications()
        time.sleep(1.5)  # the nonce is now stale
        client.upload_package("hello.eap", package)
    uploads = [entry for entry in requests.get(base + "log", timeout=10).json()["entries"] if entry["path"] == UPLOAD]
    state = requests.get(base + "state", timeout=10).json()
    requests.post(base + "reset", json={}, timeout=10)
    # The stale nonce is refused once; the resend opened the file again and carried all of it.
    assert [entry["status"] for entry in uploads] == [401, 200]
    assert [(app["name"], app["size"]) for app in state["applications"]] == [("hello_world", os.path.getsize(package))]


def test_unreadable_package_fails_before_sending(device, tmp_path):
    with make_client(device) as client, pytest.raises(PackageError) as caught:
        client.upload_package("gone.eap", str(tmp_path / "gone.eap"))
    assert "gone.eap cannot be read" in caught.value.message
    assert entries(device, UPLOAD) == []


def _big_file(directory, size=16 * 1024 * 1024):
    """Bytes enough to fill the loopback socket buffers (the raw servers do not read packages)."""
    path = directory / "big.eap"
    path.write_bytes(os.urandom(size))
    return str(path)


def test_device_that_pauses_reading_longer_than_connect_timeout_gets_the_package(device, tmp_path):
    package = _big_file(tmp_path)

    def slow_reader(server, connection, head, rest):
        time.sleep(2.5)  # longer than connect_timeout, shorter than timeout
        server.bodies.append(read_body(connection, head, rest))
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nOK\n")

    with RawServer(device.host, slow_reader, max_connections=1) as server:
        with raw_client(server, device.host, connect_timeout=1, timeout=10) as client:
            client.upload_package("big.eap", package)
    assert Path(package).read_bytes() in server.bodies[0]


def test_device_that_stops_reading_the_package(device, tmp_path):
    package = _big_file(tmp_path)

    def stalls(server, connection, head, rest):
        while not server.expired:
            time.sleep(0.1)

    with RawServer(device.host, stalls, max_connections=1, lifetime=10) as server:
        with raw_client(server, device.host, connect_timeout=1, timeout=1) as client:
            with pytest.raises(DeviceTimeoutError) as caught:
                client.upload_package("big.eap", package)
    message = caught.value.message
    assert re.search(r"upload.cgi on \S+ stopped taking the request \(\d+ of \d+ bytes sent\) for 1 s", message), message


# --- timeouts (issue 10) -----------------------------------------------------------------------


def test_https_to_the_http_port_fails_at_the_handshake(device):
    with make_client(device, use_https=True, port=device.port, connect_timeout=1, timeout=20, read_retries=0) as client:
        with pytest.raises(DeviceTimeoutError) as caught:
            client.list_applications()
    message = caught.value.message
    assert "no answer to the TLS handshake within 1 s (connect_timeout)" in message
    assert "is this an HTTP port?" in message and "use_https: false" in message
    assert device.log() == []


def test_connect_timeout_is_its_own_message(device):
    # A listener whose accept queue is full: the kernel drops further connection attempts.
    with socket.socket() as listener:
        listener.bind((device.host, 0))
        listener.listen(0)
        fillers = []
        try:
            for _index in range(3):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
                fillers.append(filler)
            with make_client(device, port=listener.getsockname()[1], connect_timeout=0.5, timeout=20) as client:
                with pytest.raises(DeviceTimeoutError) as caught:
                    client.list_applications()
        finally:
            for filler in fillers:
                filler.close()
    message = caught.value.message
    assert "within 0.5 s (connect_timeout) while connecting" in message and "firewall" in message


def test_connect_timeout_option(device):
    settings = ConnectionSettings.from_params(device.conn_params(connect_timeout=2.5))
    assert (settings.connect_timeout, settings.timeout) == (2.5, 10)
    assert ConnectionSettings.from_params(device.conn_params()).connect_timeout == 5.0
    with pytest.raises(ParameterError, match="connect_timeout must be a positive number"):
        ConnectionSettings.from_params(device.conn_params(connect_timeout=0))


# --- hostname and port (issue 11 item 6) -------------------------------------------------------


@pytest.fixture
def traps(device):
    """Listeners where a hostname trick would send requests: another port on the device's address,
    and port 80 (where port 0 used to go). Yields them; each must see no connection."""
    listeners = []
    for port in (0, 80):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            listener.bind((device.host, port))
        except OSError:
            listener.close()
            continue
        listener.listen(8)
        listener.setblocking(False)
        listeners.append(listener)
    yield listeners
    for listener in listeners:
        listener.close()


def _connections(listener):
    count = 0
    while True:
        try:
            connection, _peer = listener.accept()
        except BlockingIOError:
            return count
        connection.close()
        count += 1


@pytest.mark.parametrize("pattern", [
    "{host}:{trap}", "{host}:{trap}#", "{host}:{trap}?", "{host}:{trap}/", "{host}#:{trap}", "{host}?:{trap}",
    "x@{host}:{trap}", "{host}:{trap}@{host}", "{host} ", "{host}\t", " {host}", "{host}:{trap} x",
    "[{host}]", "{host}%0a", "0x7f.1", "2130706433", "127.1", "127.0.0.256", "010.0.0.1", "1.2.3.4.5",
])
def test_hostname_that_could_change_the_authority_is_refused(device, traps, pattern):
    hostname = pattern.format(host=device.host, trap=traps[0].getsockname()[1])
    with pytest.raises(ParameterError) as caught:
        with make_client(device, hostname=hostname) as client:
            client.list_applications()
    assert "hostname" in caught.value.message
    assert [_connections(listener) for listener in traps] == [0] * len(traps)
    assert device.log() == []


def test_password_in_hostname_is_not_repeated(device):
    with pytest.raises(ParameterError) as caught:
        make_client(device, hostname="root:s3cr3t@%s" % device.host)
    assert "s3cr3t" not in caught.value.message and "username and password" in caught.value.message


def test_port_zero_is_refused(device, traps):
    with pytest.raises(ParameterError, match="port must be between 1 and 65535, not 0"):
        with make_client(device, port=0) as client:
            client.list_applications()
    assert [_connections(listener) for listener in traps] == [0] * len(traps)
    assert device.log() == []


@pytest.mark.parametrize("hostname, url", [
    ("::1", "http://[::1]:{port}"),
    ("[::1]", "http://[::1]:{port}"),
    ("0:0::1", "http://[::1]:{port}"),
    ("fe80::1%eth0", "http://[fe80::1%25eth0]:{port}"),
    ("camera-1.example.com.", "http://camera-1.example.com.:{port}"),
    ("CAM_01", "http://CAM_01:{port}"),
    ("192.0.2.10", "http://192.0.2.10:{port}"),
])
def test_valid_hostnames(device, hostname, url):
    port = _free_port(device.host)
    settings = ConnectionSettings.from_params(device.conn_params(hostname=hostname, port=port))
    assert settings.base_url == url.format(port=port)


def test_ipv6_literal_reaches_its_address(device):
    with socket.socket(socket.AF_INET6) as probe:
        probe.bind(("::1", 0))
        port = probe.getsockname()[1]
    with make_client(device, hostname="::1", port=port) as client, pytest.raises(DeviceUnreachableError) as caught:
        client.list_applications()
    assert "refused" in caught.value.message and "[::1]:%d" % port in caught.value.message


# --- deadline and reply size (issue 11 item 7) -------------------------------------------------


def test_trickling_answer_is_cut_at_the_deadline(device):
    def trickle(server, connection, head, rest):
        answer = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n" + b" " * 100000
        for byte in answer:
            if server.expired:
                return
            connection.sendall(bytes([byte]))
            time.sleep(0.1)

    with RawServer(device.host, trickle, lifetime=20) as server:
        with raw_client(server, device.host, connect_timeout=1, timeout=1) as client:
            with pytest.raises(DeviceTimeoutError) as caught:
                client.list_applications()
    message = caught.value.message
    assert "did not complete within 2 s, the deadline of one request" in message
    assert "trickles" in message
    assert len(server.heads) == 1  # not retried: a trickling device would trickle again


def test_announced_oversized_answer_is_refused(device):
    def huge(server, connection, head, rest):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 50000000\r\n\r\n<reply")

    with RawServer(device.host, huge) as server, raw_client(server, device.host) as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            client.list_applications()
    assert "announces 50000000 bytes" in caught.value.message and "list.cgi" in caught.value.message


def test_endless_answer_is_cut_at_the_size_cap(device):
    def endless(server, connection, head, rest):
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n")
        chunk = b"<application/>" * 4096
        for _index in range(200):  # about 11 MB at most
            if server.expired:
                return
            connection.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        connection.sendall(b"0\r\n\r\n")

    with RawServer(device.host, endless) as server, raw_client(server, device.host) as client:
        with pytest.raises(UnexpectedResponseError) as caught:
            client.list_applications()
    assert "sent more than 4194304 bytes" in caught.value.message


# --- credentials sent once (issue 11 item 8) ---------------------------------------------------


@pytest.mark.parametrize("auth_method", ["auto", "digest"])
def test_wrong_password_is_sent_once_per_client(device, auth_method):
    with make_client(device, password="wrong", auth_method=auth_method) as client:
        with pytest.raises(AuthenticationError):
            client.list_applications()
        with pytest.raises(AuthenticationError, match="not sent again"):
            client.get_config("AllowUnsigned")
    # The challenge to the request without credentials, then the one rejected login.
    assert [(entry["path"], entry["status"]) for entry in device.log()] == [(LIST, 401), (LIST, 401)]


def test_wrong_basic_password_is_sent_once(device):
    with make_client(device, password="wrong", auth_method="basic") as client:
        for _attempt in range(2):
            with pytest.raises(AuthenticationError):
                client.list_applications()
    assert [(entry["path"], entry["status"]) for entry in device.log()] == [(LIST, 401)]


def test_upload_body_goes_out_once_with_wrong_credentials(device, tmp_path):
    package = package_file(tmp_path, name="hello_world", signed=True, size=200 * 1024)
    with make_client(device, password="wrong") as client, pytest.raises(AuthenticationError):
        client.upload_package("hello.eap", package)
    log = device.log()
    # The scheme is learnt with a bodyless request; the package goes out once, and is refused.
    assert [(entry["method"], entry["path"], entry["status"]) for entry in log] == [
        ("GET", UPLOAD, 401), ("POST", UPLOAD, 401)]
    assert log[0]["bytes_in"] < 4096 < os.path.getsize(package) < log[1]["bytes_in"]


def test_upload_as_first_request_sends_the_body_once(device, tmp_path):
    package = package_file(tmp_path, name="hello_world", signed=True, size=200 * 1024)
    with make_client(device) as client:
        client.upload_package("hello.eap", package)
    log = device.log()
    assert [(entry["method"], entry["status"]) for entry in log] == [("GET", 401), ("POST", 200)]
    assert [entry for entry in log if entry["bytes_in"] > os.path.getsize(package)] == [log[1]]
    assert [app["name"] for app in device.state()["applications"]] == ["hello_world"]


# --- Basic and Latin-1 (issue 11 item 9) -------------------------------------------------------


def _says_nothing_about(message, password):
    assert message.isascii() and "position" not in message and "\\u" not in message
    assert not any(character in message for character in password if not character.isascii())


@pytest.mark.parametrize("password", ["pässwörd€", "密码12345", "\U0001f600"])
def test_basic_password_outside_latin1_is_refused_before_sending(device, password):
    with pytest.raises(AuthenticationError) as caught:
        with make_client(device, auth_method="basic", password=password) as client:
            client.list_applications()
    message = caught.value.message
    assert "password cannot be sent with Basic authentication" in message and "Digest" in message
    assert "hostname" not in message
    _says_nothing_about(message, password)
    assert device.log() == []


def test_basic_only_device_and_a_password_outside_latin1(device):
    device.reset(auth="basic")
    password = "pässwörd€"
    with make_client(device, use_https=True, ca_path=device.ca_file, password=password) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.list_applications()
    assert "password cannot be sent with Basic authentication" in caught.value.message
    _says_nothing_about(caught.value.message, password)
    assert [(entry["status"], entry["user"]) for entry in device.log()] == [(401, None)]


def test_digest_password_outside_latin1_works(short_nonce_device):
    with _short_nonce_client(short_nonce_device, username="unicode", password="p\u00e4ssw\u00f6rd\u20ac") as client:
        assert client.get_config("AllowUnsigned") is False
