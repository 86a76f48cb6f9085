"""license.cgi errors 21-31 and list.cgi's License / LicenseExpirationDate."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from conftest import APP_PATH, text_reply
from vapix_emulator.builders import build_eap, build_license_key

APP = "licensed_app"
APP_ID = "4242"


@pytest.fixture
def licensed(device):
    device.install(build_eap(name=APP, application_id=APP_ID, licensed=True))
    return device


def key_for(device, **overrides) -> bytes:
    args = dict(product=APP, productid=APP_ID, serial_number=device.serial_number)
    args.update(overrides)
    return build_license_key(**args)


def license_of(device, name: str = APP) -> dict:
    return device.applications()[name]


def test_valid_key_without_expiry(licensed):
    assert text_reply(licensed.upload_license(APP, key_for(licensed))) == "OK"
    app = license_of(licensed)
    assert app["License"] == "Valid"
    assert app.get("LicenseExpirationDate", "") == ""


def test_valid_key_with_expiry_shows_the_date(licensed):
    expires = dt.date.today() + dt.timedelta(days=400)
    assert text_reply(licensed.upload_license(APP, key_for(licensed, expires=expires))) == "OK"
    app = license_of(licensed)
    assert app["License"] == "Valid"
    assert app["LicenseExpirationDate"] == expires.isoformat()
    assert licensed.app_state(APP)["license_expiration_date"] == expires.isoformat()


@pytest.mark.parametrize("corrupt", ["not_xml", "wrong_root", "with_entity"])
def test_error_21_invalid_key_file(licensed, corrupt):
    assert text_reply(licensed.upload_license(APP, key_for(licensed, corrupt=corrupt))) == "Error: 21"
    assert license_of(licensed)["License"] == "Missing"


def test_error_21_empty_file(licensed):
    assert text_reply(licensed.upload_license(APP, b"")) == "Error: 21"


def test_error_22_by_fault(licensed):
    licensed.inject_fault("error_22", match={"path": APP_PATH + "license.cgi", "action": "uploadlicensekey"})
    assert text_reply(licensed.upload_license(APP, key_for(licensed))) == "Error: 22"
    assert license_of(licensed)["License"] == "Missing"


def test_error_23_remove_when_there_is_no_key(licensed):
    assert text_reply(licensed.remove_license(APP)) == "Error: 23"


def test_error_24_not_installed(device):
    assert text_reply(device.upload_license("not_installed", build_license_key(
        product="not_installed", productid="1", serial_number=device.serial_number))) == "Error: 24"
    assert text_reply(device.remove_license("not_installed")) == "Error: 24"


def test_error_25_application_id_mismatch(licensed):
    assert text_reply(licensed.upload_license(APP, key_for(licensed, productid="9999"))) == "Error: 25"
    assert license_of(licensed)["License"] == "Missing"


def test_error_26_key_for_another_version(licensed):
    # The key names another product (application) than the installed one while its ID matches: the
    # emulator's reading of "cannot be used with this version of the application" (docs/emulator.md).
    assert text_reply(licensed.upload_license(APP, key_for(licensed, product=APP + "_v2"))) == "Error: 26"
    assert license_of(licensed)["License"] == "Missing"


def test_error_30_wrong_serial_number(licensed, other_device):
    assert text_reply(licensed.upload_license(APP, key_for(licensed, serial_number=other_device.serial_number))) == "Error: 30"
    assert license_of(licensed)["License"] == "Missing"


def test_error_31_expired(licensed):
    yesterday = dt.date.today() - dt.timedelta(days=2)
    assert text_reply(licensed.upload_license(APP, key_for(licensed, expires=yesterday))) == "Error: 31"
    assert license_of(licensed)["License"] == "Missing"


def test_key_expiring_after_installation_turns_invalid(licensed):
    soon = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) + dt.timedelta(seconds=5)
    assert text_reply(licensed.upload_license(APP, key_for(licensed, expires=soon))) == "OK"
    assert license_of(licensed)["License"] == "Valid"
    time.sleep(6.5)
    app = license_of(licensed)
    assert app["License"] == "Invalid"
    assert app["LicenseExpirationDate"] == soon.strftime("%Y-%m-%d")


def test_license_status_none_and_custom(device):
    device.install(build_eap(name="free_app"))
    device.install(build_eap(name="custom_app", copy_protection="custom"))
    device.install(build_eap(name="old_free", acap=3))
    apps = device.applications()
    assert apps["free_app"]["License"] == "None"
    assert apps["custom_app"]["License"] == "Custom"
    assert apps["old_free"]["License"] == "None"


def test_acap3_licensed_package(device):
    device.install(build_eap(name="old_lic", acap=3, application_id="88", licensed=True))
    assert device.applications()["old_lic"]["License"] == "Missing"
    key = build_license_key(product="old_lic", productid="88", serial_number=device.serial_number)
    assert text_reply(device.upload_license("old_lic", key)) == "OK"
    assert device.applications()["old_lic"]["License"] == "Valid"


def test_replacing_a_key(licensed):
    first = dt.date.today() + dt.timedelta(days=10)
    second = dt.date.today() + dt.timedelta(days=500)
    assert text_reply(licensed.upload_license(APP, key_for(licensed, expires=first))) == "OK"
    assert text_reply(licensed.upload_license(APP, key_for(licensed, expires=second))) == "OK"
    assert license_of(licensed)["LicenseExpirationDate"] == second.isoformat()


def test_remove_key(licensed):
    assert text_reply(licensed.upload_license(APP, key_for(licensed))) == "OK"
    assert text_reply(licensed.remove_license(APP)) == "OK"
    assert license_of(licensed)["License"] == "Missing"
    assert text_reply(licensed.remove_license(APP)) == "Error: 23"


def test_removing_the_application_drops_its_key(licensed):
    assert text_reply(licensed.upload_license(APP, key_for(licensed))) == "OK"
    assert text_reply(licensed.control("remove", APP)) == "OK"
    licensed.install(build_eap(name=APP, application_id=APP_ID, licensed=True))
    assert license_of(licensed)["License"] == "Missing"


def test_a_failed_upload_keeps_the_previous_key(licensed):
    assert text_reply(licensed.upload_license(APP, key_for(licensed))) == "OK"
    assert text_reply(licensed.upload_license(APP, key_for(licensed, productid="1"))) == "Error: 25"
    assert license_of(licensed)["License"] == "Valid"


def test_key_for_an_application_without_copy_protection(device):
    device.install(build_eap(name="free", application_id="31"))
    key = build_license_key(product="free", productid="31", serial_number=device.serial_number)
    assert text_reply(device.upload_license("free", key)) == "OK"
    assert device.applications()["free"]["License"] == "None"


def test_application_without_id_never_matches_a_key(device):
    device.install(build_eap(name="no_id", licensed=True))
    key = build_license_key(product="no_id", productid="1", serial_number=device.serial_number)
    assert text_reply(device.upload_license("no_id", key)) == "Error: 25"


def test_license_without_a_file_part(device):
    device.install(build_eap(name="nofile", application_id="3", licensed=True))
    response = device.cgi("license.cgi", params={"action": "uploadlicensekey", "package": "nofile"})
    assert text_reply(response) == "Error: 21"
