# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The VAPIX client against the emulator over real HTTP(S): authentication, TLS,
retries and every error mapping."""

from __future__ import annotations

import dataclasses
import os
import socket
import sys
from pathlib import Path

import pytest
import requests

from ansible_collections.vapix.acap.plugins.module_utils._client import ConnectionSettings, VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    AuthenticationError,
    ConnectionDroppedError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnreachableError,
    EndpointNotFoundError,
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


def test_timeout_is_retried_then_reported(device):
    device.inject_fault("delay", count=10, match={"path": LIST}, delay=2.0)
    with make_client(device, timeout=0.5, read_retries=1) as client, pytest.raises(DeviceTimeoutError) as caught:
        client.list_applications()
    assert "did not answer within 0.5 s" in caught.value.message


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


def test_unsigned_upload_on_12_is_error_2_naming_allow_unsigned(device):
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.upload_package("hello.eap", build_eap(name="hello_world", signed=False))
    assert caught.value.error_code == 2
    assert "allow_unsigned" in caught.value.message and "signed" in caught.value.message


def test_invalid_package_is_error_1(device):
    with make_client(device) as client, pytest.raises(DeviceError) as caught:
        client.upload_package("junk.eap", build_eap(corrupt="not_gzip"))
    assert caught.value.error_code == 1 and "Embedded Axis Package" in caught.value.message


def test_upload_busy_is_retried_after_a_pause(device):
    device.reset(firmware="11.11.73")  # unsigned packages allowed by default
    with make_client(device) as client:
        device.inject_fault("error_12", count=1, match={"path": UPLOAD})
        client.upload_package("hello.eap", build_eap(name="hello_world"))
        assert [app.name for app in client.list_applications()] == ["hello_world"]
    assert [entry["status"] for entry in entries(device, UPLOAD) if entry["status"] != 401] == [200, 200]


def test_upload_busy_gives_up(device):
    with make_client(device, upload_busy_retries=2) as client:
        device.inject_fault("error_12", count=10, match={"path": UPLOAD})
        with pytest.raises(DeviceError) as caught:
            client.upload_package("hello.eap", build_eap(name="hello_world"))
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


@pytest.mark.parametrize("hostname", ["https://camera.example", "camera.example/axis-cgi", ""])
def test_hostname_with_scheme_or_path_is_refused(device, hostname):
    with pytest.raises(AcapError, match="without scheme or path"):
        make_client(device, hostname=hostname)


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
             "--user", "camadmin:s3cret:admin", "--user", "operator:operpass:operator"],
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
    import time  # pylint: disable=import-outside-toplevel

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
    with make_client(device, hostname="a" * 300) as client, pytest.raises(AcapError, match="Cannot build a URL"):
        client.list_applications()


def test_device_properties_when_both_sources_fail(device):
    device.inject_fault("http_error", count=1, match={"path": PARAM}, status=404)
    device.inject_fault("http_error", count=1, match={"path": "/axis-cgi/basicdeviceinfo.cgi"}, status=404)
    with make_client(device) as client, pytest.raises(EndpointNotFoundError) as caught:
        client.get_device_properties()
    assert "param.cgi" in caught.value.message and "basicdeviceinfo.cgi failed too" in caught.value.message
