"""Device behaviours a test can choose (issue 11, items 13-15): Idle applications, applications that fail
to start, authentication per transport, 403 for a user without the admin role, invalid signatures and a
changed vendor ID."""

from __future__ import annotations

import pytest

from conftest import OPERATOR, VIEWER, Device, text_reply
from vapix_emulator.builders import build_eap


# --- start on an Idle application (item 13) ----------------------------------------------------------

def test_start_on_idle_runs_it_by_default(device):
    device.install(build_eap(name="idler"))
    device.patch_state({"applications": {"idler": {"status": "Idle"}}})
    assert device.applications()["idler"]["Status"] == "Idle"
    assert text_reply(device.control("start", "idler")) == "OK"
    assert device.applications()["idler"]["Status"] == "Running"


def test_start_on_idle_can_leave_it_idle(device):
    device.install(build_eap(name="idler"))
    device.patch_state({"applications": {"idler": {"status": "Idle", "start_status": "Idle"}}})
    assert text_reply(device.control("start", "idler")) == "OK"
    assert device.applications()["idler"]["Status"] == "Idle"
    assert text_reply(device.control("start", "idler")) == "OK", "Idle is not Running: no error 6"


def test_start_status_survives_an_upgrade(device):
    device.install(build_eap(name="idler", version="1.0.0"))
    device.patch_state({"applications": {"idler": {"start_status": "Idle"}}})
    device.install(build_eap(name="idler", version="1.1.0"))
    assert text_reply(device.control("start", "idler")) == "OK"
    assert device.applications()["idler"]["Status"] == "Idle"


def test_bad_start_status_is_refused(device):
    device.install(build_eap(name="idler"))
    response = device.hooks.patch(device.base_url + "/emulator/state", json={"applications": {"idler": {"start_status": "Busy"}}}, timeout=10)
    assert response.status_code == 400 and "start_status" in response.text


# --- an application that fails to start (item 15) -------------------------------------------------------

@pytest.mark.parametrize("code", [1, 8, 10])
def test_an_application_that_fails_to_start(device, code):
    device.install(build_eap(name="broken"))
    device.patch_state({"applications": {"broken": {"start_error": code}}})
    assert text_reply(device.control("start", "broken")) == "Error: %d" % code
    assert device.applications()["broken"]["Status"] == "Stopped"
    device.patch_state({"applications": {"broken": {"start_error": 0}}})
    assert text_reply(device.control("start", "broken")) == "OK"


# --- signatures and vendor ID (item 15) ---------------------------------------------------------------

def test_invalid_signature_is_error_2_even_when_unsigned_is_allowed(device):
    assert device.config("set", "AllowUnsigned", "true").status_code == 200
    assert text_reply(device.upload(build_eap(name="tampered", invalid_signature=True))) == "Error: 2"
    assert device.applications() == {}
    assert text_reply(device.upload(build_eap(name="tampered", signed=True))) == "OK"
    assert device.app_state("tampered")["signed"] is True


def test_invalid_signature_on_firmware_before_config_cgi(device):
    device.reset(firmware="10.12.0")
    assert text_reply(device.upload(build_eap(name="tampered", invalid_signature=True))) == "Error: 2"
    assert text_reply(device.upload(build_eap(name="tampered"))) == "OK", "unsigned is fine there"


@pytest.mark.parametrize("acap", [3, 4])
def test_signature_over_other_bytes_is_invalid(device, acap):
    """A valid signature moved onto another package does not verify."""
    one = build_eap(name="one", acap=acap, signed=True)
    other = build_eap(name="other", acap=acap, signed=True)
    stream_length = len(build_eap(name="other", acap=acap))
    assert text_reply(device.upload(other[:stream_length] + one[len(one) - (len(other) - stream_length):])) == "Error: 2"


def test_upgrade_changing_the_vendor_id_is_refused(device):
    schema2 = dict(schema_version="2.0.0", compatible_os_versions=[{"min": "12.0"}], signed=True)
    device.install(build_eap(name="vendored", version="1.0.0", vendor_id="a1b2c3d4e5", **schema2))
    assert text_reply(device.upload(build_eap(name="vendored", version="1.1.0", vendor_id="ffffffffff", **schema2))) == "Error: 2"
    assert device.applications()["vendored"]["Version"] == "1.0.0"
    assert text_reply(device.upload(build_eap(name="vendored", version="1.1.0", vendor_id="a1b2c3d4e5", **schema2))) == "OK"
    assert device.applications()["vendored"]["Version"] == "1.1.0"
    assert device.app_state("vendored")["vendor_id"] == "a1b2c3d4e5"


def test_a_vendor_id_where_there_was_none_is_accepted(device):
    device.install(build_eap(name="vendored", version="1.0.0", signed=True))
    schema2 = dict(schema_version="2.0.0", compatible_os_versions=[{"min": "12.0"}], signed=True)
    assert text_reply(device.upload(build_eap(name="vendored", version="2.0.0", vendor_id="a1b2c3d4e5", **schema2))) == "OK"


# --- authentication per transport and 403 (item 14) -------------------------------------------------

def test_digest_on_http_basic_on_https(device):
    device.reset(auth="digest", auth_https="basic")
    http = device.cgi("list.cgi", auth=None)
    assert [v.split()[0] for v in http.raw.headers.getlist("WWW-Authenticate")] == ["Digest"]
    https = device.cgi("list.cgi", auth=None, https=True)
    assert [v.split()[0] for v in https.raw.headers.getlist("WWW-Authenticate")] == ["Basic"]
    assert device.cgi("list.cgi", scheme="digest").status_code == 200
    assert device.cgi("list.cgi", scheme="basic").status_code == 401
    assert device.cgi("list.cgi", scheme="basic", https=True).status_code == 200
    assert device.cgi("list.cgi", scheme="digest", https=True).status_code == 401


def test_auth_https_defaults_to_auth(device):
    device.reset(auth="basic")
    https = device.cgi("list.cgi", auth=None, https=True)
    assert [v.split()[0] for v in https.raw.headers.getlist("WWW-Authenticate")] == ["Basic"]


def test_bad_auth_https_is_refused(device):
    response = device.hooks.post(device.base_url + "/emulator/reset", json={"auth_https": "kerberos"}, timeout=10)
    assert response.status_code == 400 and "auth_https" in response.text


@pytest.mark.parametrize("user", [OPERATOR, VIEWER], ids=["operator", "viewer"])
def test_non_admin_gets_403_when_chosen(device, user):
    device.reset(non_admin_status=403)
    device.install(build_eap(name="guarded"))
    response = device.control("start", "guarded", user=user)
    assert response.status_code == 403
    assert "WWW-Authenticate" not in response.headers
    assert device.applications()["guarded"]["Status"] == "Stopped"
    assert device.request("GET", "/axis-cgi/param.cgi?action=list&group=Brand.Brand", user=user).status_code == 200
    assert device.cgi("list.cgi", user=("root", "wrong")).status_code == 401, "a wrong password is still 401"


def test_non_admin_status_only_401_or_403(device):
    response = device.hooks.post(device.base_url + "/emulator/reset", json={"non_admin_status": 404}, timeout=10)
    assert response.status_code == 400 and "non_admin_status" in response.text


def test_command_line_options(emulator_factory):
    started = emulator_factory(1, "--auth", "digest", "--auth-https", "basic", "--non-admin-status", "403", "--body-timeout", "5")
    device = Device(started.devices[0])
    profile = device.state()["device"]
    assert (profile["auth"], profile["auth_https"], profile["non_admin_status"], profile["body_timeout"]) == ("digest", "basic", 403, 5.0)
    assert device.cgi("list.cgi", scheme="basic", https=True).status_code == 200
    assert device.cgi("list.cgi", scheme="basic").status_code == 401
    assert device.cgi("list.cgi", user=VIEWER).status_code == 403
