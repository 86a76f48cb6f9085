"""Authentication (Digest RFC 7616 MD5 qop=auth with expiring nonces, Basic), roles, and HTTPS."""

from __future__ import annotations

import hashlib
import os
import re
import time

import pytest
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

from conftest import ADMIN, APP_PATH, OPERATOR, VIEWER, Device, text_reply
from vapix_emulator.builders import build_eap

APPLICATION_CGIS = ["upload.cgi", "control.cgi", "config.cgi", "license.cgi", "list.cgi", "info.cgi"]

# A harmless request per CGI: each reaches the CGI and gets its documented answer.
HARMLESS = {
    "upload.cgi": ({"files": {"packfil": ("x.eap", b"not a package", "application/octet-stream")}}, "Error: 1"),
    "control.cgi": ({"params": {"action": "stop", "package": "no_such_app"}}, "Error: 4"),
    "config.cgi": ({"params": {"action": "get", "name": "AllowUnsigned"}}, "<reply"),
    "license.cgi": ({"params": {"action": "removelicensekey", "package": "no_such_app"}}, "Error: 24"),
    "list.cgi": ({}, "<reply"),
    "info.cgi": ({}, "<reply"),
}


def challenges(response) -> str:
    return response.headers.get("WWW-Authenticate", "")


def parse_digest_challenge(header: str) -> dict:
    digest = header[header.index("Digest"):]
    return dict(re.findall(r'(\w+)="?([^",]*)"?', digest[len("Digest"):]))


def digest_header(method: str, uri: str, user: str, password: str, challenge: dict, nc: int = 1) -> str:
    """An RFC 7616 MD5 qop=auth Authorization header, computed here independently of requests."""
    cnonce = os.urandom(8).hex()
    ha1 = hashlib.md5("{0}:{1}:{2}".format(user, challenge["realm"], password).encode()).hexdigest()
    ha2 = hashlib.md5("{0}:{1}".format(method, uri).encode()).hexdigest()
    nc_text = "{0:08x}".format(nc)
    response = hashlib.md5("{0}:{1}:{2}:{3}:auth:{4}".format(ha1, challenge["nonce"], nc_text, cnonce, ha2).encode()).hexdigest()
    header = ('Digest username="{0}", realm="{1}", nonce="{2}", uri="{3}", algorithm=MD5, response="{4}", '
              'qop=auth, nc={5}, cnonce="{6}"').format(user, challenge["realm"], challenge["nonce"], uri, response, nc_text, cnonce)
    if "opaque" in challenge:
        header += ', opaque="{0}"'.format(challenge["opaque"])
    return header


# --- challenges -----------------------------------------------------------------------------------

def test_unauthenticated_request_gets_a_digest_challenge(device):
    device.reset(auth="digest")
    response = device.cgi("list.cgi", auth=None)
    assert response.status_code == 401
    header = challenges(response)
    assert "Digest" in header and "Basic" not in header
    challenge = parse_digest_challenge(header)
    assert challenge["realm"] and challenge["nonce"]
    assert "auth" in challenge["qop"].split(",")
    assert challenge.get("algorithm", "MD5").upper() == "MD5"


def test_basic_only_device_challenges_basic(device):
    device.reset(auth="basic")
    response = device.cgi("list.cgi", auth=None)
    assert response.status_code == 401
    assert challenges(response).startswith("Basic") and "Digest" not in challenges(response)
    assert 'realm="' in challenges(response)


def test_both_offers_both(device):
    device.reset(auth="both")
    header = challenges(device.cgi("list.cgi", auth=None))
    assert "Digest" in header and "Basic" in header


# --- Digest ---------------------------------------------------------------------------------------

def test_digest_with_requests(device):
    device.reset(auth="digest")
    assert device.cgi("list.cgi", scheme="digest").status_code == 200


def test_digest_header_computed_by_hand(device):
    device.reset(auth="digest")
    url = device.base_url + APP_PATH + "list.cgi"
    challenge = parse_digest_challenge(challenges(requests.post(url, timeout=10)))
    uri = APP_PATH + "list.cgi"
    ok = requests.post(url, headers={"Authorization": digest_header("POST", uri, *ADMIN, challenge)}, timeout=10)
    assert ok.status_code == 200
    # The response hash binds the method: the same header with another method is refused.
    refused = requests.get(url, headers={"Authorization": digest_header("POST", uri, *ADMIN, challenge, nc=2)}, timeout=10)
    assert refused.status_code == 401


def test_digest_nonce_is_reused_within_a_session(device):
    device.reset(auth="digest")
    session = requests.Session()
    session.auth = HTTPDigestAuth(*ADMIN)
    for _request in range(3):
        assert session.post(device.base_url + APP_PATH + "list.cgi", timeout=10).status_code == 200
    statuses = [entry["status"] for entry in device.log()]
    assert statuses == [401, 200, 200, 200], "one challenge, then the nonce is reused (nc counts up)"


def test_digest_wrong_password(device):
    device.reset(auth="digest")
    response = device.cgi("list.cgi", auth=HTTPDigestAuth("root", "wrong"))
    assert response.status_code == 401


def test_digest_unknown_user(device):
    device.reset(auth="digest")
    assert device.cgi("list.cgi", auth=HTTPDigestAuth("nobody", "pass")).status_code == 401


def test_digest_made_up_nonce_is_refused(device):
    device.reset(auth="digest")
    url = device.base_url + APP_PATH + "list.cgi"
    challenge = parse_digest_challenge(challenges(requests.post(url, timeout=10)))
    challenge["nonce"] = "0123456789abcdef0123456789abcdef"
    response = requests.post(url, headers={"Authorization": digest_header("POST", APP_PATH + "list.cgi", *ADMIN, challenge)}, timeout=10)
    assert response.status_code == 401


def test_digest_stale_nonce(emulator_factory):
    started = emulator_factory(1, "--auth", "digest", "--nonce-lifetime", "1", https=False)
    device = Device(started.devices[0])
    url = device.base_url + APP_PATH + "list.cgi"
    uri = APP_PATH + "list.cgi"
    challenge = parse_digest_challenge(challenges(requests.post(url, timeout=10)))
    assert requests.post(url, headers={"Authorization": digest_header("POST", uri, *ADMIN, challenge)}, timeout=10).status_code == 200
    time.sleep(2.5)
    expired = requests.post(url, headers={"Authorization": digest_header("POST", uri, *ADMIN, challenge, nc=2)}, timeout=10)
    assert expired.status_code == 401
    assert re.search(r'stale="?true"?', challenges(expired), re.IGNORECASE), challenges(expired)
    fresh = parse_digest_challenge(challenges(expired))
    assert fresh["nonce"] != challenge["nonce"]
    assert requests.post(url, headers={"Authorization": digest_header("POST", uri, *ADMIN, fresh)}, timeout=10).status_code == 200
    # requests renews a stale nonce by itself.
    session = requests.Session()
    session.auth = HTTPDigestAuth(*ADMIN)
    assert session.post(url, timeout=10).status_code == 200
    time.sleep(2.5)
    assert session.post(url, timeout=10).status_code == 200


def test_stale_is_not_claimed_for_a_wrong_password(emulator_factory):
    started = emulator_factory(1, "--auth", "digest", "--nonce-lifetime", "1", https=False)
    device = Device(started.devices[0])
    url = device.base_url + APP_PATH + "list.cgi"
    challenge = parse_digest_challenge(challenges(requests.post(url, timeout=10)))
    wrong = requests.post(url, headers={"Authorization": digest_header("POST", APP_PATH + "list.cgi", "root", "bad", challenge)}, timeout=10)
    assert wrong.status_code == 401
    assert not re.search(r'stale="?true"?', challenges(wrong), re.IGNORECASE)


# --- Basic ----------------------------------------------------------------------------------------

def test_basic(device):
    device.reset(auth="basic")
    assert device.cgi("list.cgi", scheme="basic").status_code == 200
    assert device.cgi("list.cgi", auth=HTTPBasicAuth("root", "wrong")).status_code == 401


def test_basic_refused_by_a_digest_only_device(device):
    device.reset(auth="digest")
    assert device.cgi("list.cgi", scheme="basic").status_code == 401


def test_digest_refused_by_a_basic_only_device(device):
    device.reset(auth="basic")
    assert device.cgi("list.cgi", scheme="digest").status_code == 401


def test_both_schemes_work_on_both(device):
    device.reset(auth="both")
    assert device.cgi("list.cgi", scheme="basic").status_code == 200
    assert device.cgi("list.cgi", scheme="digest").status_code == 200


# --- roles ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("user", [OPERATOR, VIEWER], ids=["operator", "viewer"])
@pytest.mark.parametrize("cgi", APPLICATION_CGIS)
@pytest.mark.parametrize("scheme", ["digest", "basic"])
def test_application_cgis_need_admin(device, user, cgi, scheme):
    device.reset(auth="both")
    kwargs = HARMLESS[cgi][0]
    response = device.cgi(cgi, scheme=scheme, user=user, **kwargs)
    assert response.status_code == 401


def test_refused_user_changes_nothing(device):
    device.install(build_eap(name="guarded"))
    assert device.control("start", "guarded", user=OPERATOR).status_code == 401
    assert device.upload(build_eap(name="sneaky", signed=True), user=VIEWER).status_code == 401
    assert set(device.applications()) == {"guarded"}
    assert device.applications()["guarded"]["Status"] == "Stopped"


@pytest.mark.parametrize("cgi", APPLICATION_CGIS)
@pytest.mark.parametrize("scheme", ["digest", "basic"])
def test_admin_reaches_every_application_cgi(device, cgi, scheme):
    kwargs, expected = HARMLESS[cgi]
    response = device.cgi(cgi, scheme=scheme, **kwargs)
    assert response.status_code == 200
    assert response.text.strip().startswith(expected), response.text


def test_custom_users_option(emulator_factory):
    started = emulator_factory(1, "--user", "admin2:s3cret:admin", "--user", "watch:w:viewer", https=False)
    device = Device(started.devices[0])
    assert device.cgi("list.cgi", user=("admin2", "s3cret")).status_code == 200
    assert device.cgi("list.cgi", user=("watch", "w")).status_code == 401
    assert device.cgi("list.cgi", user=ADMIN).status_code == 401, "the defaults are replaced by --user"


# --- HTTPS ----------------------------------------------------------------------------------------

def test_https_with_the_printed_ca(device):
    assert device.https_url and device.ca_file and os.path.exists(device.ca_file)
    response = device.cgi("list.cgi", https=True)
    assert response.status_code == 200
    assert response.url.startswith("https://")


def test_https_fails_verification_without_the_ca(device):
    with pytest.raises(requests.exceptions.SSLError):
        device.cgi("list.cgi", https=True, verify=True)


@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_https_without_verification_still_needs_credentials(device):
    response = device.cgi("list.cgi", https=True, verify=False, auth=None)
    assert response.status_code == 401


def test_https_basic_and_uploads(device):
    device.reset(auth="both")
    response = device.upload(build_eap(name="tls_app", signed=True), https=True, scheme="basic")
    assert text_reply(response) == "OK"
    assert "tls_app" in device.applications()


def test_every_device_presents_a_certificate_for_its_own_address(all_devices):
    for device in all_devices:
        assert device.cgi("info.cgi", https=True).status_code == 200
