"""Fault injection: every kind, for the next N matching requests only."""

from __future__ import annotations

import pytest
import requests
from lxml import etree

from conftest import APP_PATH, text_reply
from vapix_emulator.builders import build_eap, build_license_key

LIST = APP_PATH + "list.cgi"
UPLOAD = APP_PATH + "upload.cgi"
CONTROL = APP_PATH + "control.cgi"


def test_delay(device):
    device.inject_fault("delay", match={"path": LIST}, delay=2.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        device.cgi("list.cgi", timeout=0.5)
    # The fault was consumed by that request; the next answers at once.
    assert device.cgi("list.cgi", timeout=5).status_code == 200


def test_delay_still_applies_the_operation(device):
    device.install(build_eap(name="slowstart"))
    device.inject_fault("delay", match={"path": CONTROL, "action": "start"}, delay=0.5)
    assert text_reply(device.control("start", "slowstart")) == "OK"
    assert device.applications()["slowstart"]["Status"] == "Running"


def test_drop_before_does_not_apply(device):
    device.install(build_eap(name="dropper"))
    device.inject_fault("drop_before", match={"path": CONTROL, "action": "start"})
    with pytest.raises(requests.exceptions.ConnectionError):
        device.control("start", "dropper")
    assert device.applications()["dropper"]["Status"] == "Stopped"


def test_drop_after_applies(device):
    device.install(build_eap(name="dropper"))
    device.inject_fault("drop_after", match={"path": CONTROL, "action": "start"})
    with pytest.raises(requests.exceptions.ConnectionError):
        device.control("start", "dropper")
    assert device.applications()["dropper"]["Status"] == "Running"


def test_drop_before_and_after_on_upload(device):
    device.config("set", "AllowUnsigned", "true")
    device.inject_fault("drop_before", match={"path": UPLOAD})
    with pytest.raises(requests.exceptions.ConnectionError):
        device.upload(build_eap(name="never"))
    device.inject_fault("drop_after", match={"path": UPLOAD})
    with pytest.raises(requests.exceptions.ConnectionError):
        device.upload(build_eap(name="anyway"))
    assert set(device.applications()) == {"anyway"}


@pytest.mark.parametrize("status", [500, 503])
def test_http_error(device, status):
    device.inject_fault("http_error", match={"path": LIST}, status=status)
    assert device.cgi("list.cgi").status_code == status
    assert device.cgi("list.cgi").status_code == 200


def test_http_error_default_status_is_5xx(device):
    device.inject_fault("http_error", match={"path": LIST})
    assert 500 <= device.cgi("list.cgi").status_code < 600


def test_error_12_on_upload_does_nothing(device):
    device.config("set", "AllowUnsigned", "true")
    device.inject_fault("error_12", match={"path": UPLOAD})
    assert text_reply(device.upload(build_eap(name="busy"))) == "Error: 12"
    assert device.applications() == {}
    assert text_reply(device.upload(build_eap(name="busy"))) == "OK"


def test_error_15_applied_on_control(device):
    device.install(build_eap(name="t15"))
    device.inject_fault("error_15_applied", match={"path": CONTROL, "action": "start"})
    assert text_reply(device.control("start", "t15")) == "Error: 15"
    assert device.applications()["t15"]["Status"] == "Running"


def test_error_15_not_applied_on_control(device):
    device.install(build_eap(name="t15"))
    device.inject_fault("error_15_not_applied", match={"path": CONTROL, "action": "start"})
    assert text_reply(device.control("start", "t15")) == "Error: 15"
    assert device.applications()["t15"]["Status"] == "Stopped"


def test_html_login_page(device):
    device.inject_fault("html_login", match={"path": LIST})
    response = device.cgi("list.cgi")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "<html" in response.text.lower() and "login" in response.text.lower()
    assert device.cgi("list.cgi").headers["Content-Type"].startswith("text/xml")


def test_truncated_xml(device):
    device.install(build_eap(name="x1"))
    device.install(build_eap(name="x2"))
    device.inject_fault("truncated_xml", match={"path": LIST})
    response = device.cgi("list.cgi")
    assert response.status_code == 200
    assert response.text.lstrip().startswith("<")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(response.content)
    etree.fromstring(device.cgi("list.cgi").content)


def test_unauthorized_with_good_credentials(device):
    device.inject_fault("unauthorized", match={"path": LIST})
    assert device.cgi("list.cgi").status_code == 401
    assert device.cgi("list.cgi").status_code == 200


def test_error_10(device):
    device.install(build_eap(name="t10"))
    device.inject_fault("error_10", match={"path": CONTROL})
    assert text_reply(device.control("start", "t10")) == "Error: 10"
    assert device.applications()["t10"]["Status"] == "Stopped"


def test_error_22(device):
    device.install(build_eap(name="t22", application_id="22", licensed=True))
    device.inject_fault("error_22", match={"path": APP_PATH + "license.cgi"})
    key = build_license_key(product="t22", productid="22", serial_number=device.serial_number)
    assert text_reply(device.upload_license("t22", key)) == "Error: 22"
    assert device.applications()["t22"]["License"] == "Missing"
    assert text_reply(device.upload_license("t22", key)) == "OK"


@pytest.mark.parametrize("code", [26, 30])
def test_license_error_faults(device, code):
    device.install(build_eap(name="tlic", application_id="7", licensed=True))
    device.inject_fault("error_%d" % code, match={"path": APP_PATH + "license.cgi"})
    key = build_license_key(product="tlic", productid="7", serial_number=device.serial_number)
    assert text_reply(device.upload_license("tlic", key)) == "Error: %d" % code
    assert device.applications()["tlic"]["License"] == "Missing"
    assert text_reply(device.upload_license("tlic", key)) == "OK"


def test_count_limits_the_fault_to_n_requests(device):
    device.inject_fault("http_error", count=3, match={"path": LIST}, status=503)
    assert [device.cgi("list.cgi").status_code for _request in range(4)] == [503, 503, 503, 200]


def test_match_path_leaves_other_endpoints_alone(device):
    device.inject_fault("http_error", match={"path": UPLOAD}, status=500)
    assert device.cgi("list.cgi").status_code == 200
    assert device.cgi("info.cgi").status_code == 200
    device.config("set", "AllowUnsigned", "true")
    assert device.upload(build_eap(name="hit")).status_code == 500


def test_match_action_leaves_other_actions_alone(device):
    device.install(build_eap(name="act"))
    device.inject_fault("error_10", match={"path": CONTROL, "action": "stop"})
    assert text_reply(device.control("start", "act")) == "OK"
    assert text_reply(device.control("stop", "act")) == "Error: 10"
    assert text_reply(device.control("stop", "act")) == "OK"


def test_fault_without_match_hits_the_next_request(device):
    device.inject_fault("http_error", status=502)
    assert device.cgi("info.cgi").status_code == 502
    assert device.cgi("info.cgi").status_code == 200


def test_clear_faults(device):
    device.inject_fault("http_error", count=5, match={"path": LIST}, status=500)
    device.clear_faults()
    assert device.cgi("list.cgi").status_code == 200


def test_faults_are_per_device(device, other_device):
    device.inject_fault("http_error", match={"path": LIST}, status=500)
    assert other_device.cgi("list.cgi").status_code == 200
    assert device.cgi("list.cgi").status_code == 500


def test_unknown_fault_kind_is_refused(device):
    response = device.hooks.post(device.base_url + "/emulator/faults", json={"kind": "meteor", "count": 1}, timeout=10)
    assert response.status_code == 400
    assert "kind" in response.text and "drop_before" in response.text, "says what is accepted"
    assert device.cgi("list.cgi").status_code == 200, "nothing was queued"


def test_a_challenge_does_not_consume_a_fault(device):
    device.reset(auth="digest")
    device.inject_fault("http_error", match={"path": LIST}, status=500)
    # requests first sends no credentials (401 challenge), then the authenticated request.
    assert device.cgi("list.cgi").status_code == 500
    statuses = [entry["status"] for entry in device.log()]
    assert statuses == [401, 500]


def test_dropped_connection_is_logged_without_status(device):
    device.inject_fault("drop_before", match={"path": LIST})
    with pytest.raises(requests.exceptions.ConnectionError):
        device.cgi("list.cgi")
    entries = [entry for entry in device.log() if entry["user"] == "root"]
    assert entries and entries[-1]["status"] is None
