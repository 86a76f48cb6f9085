# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap_license against the emulator: every decision of issue 5, every local
check, every license.cgi error code, check mode, and the secrecy of the key.

Applications are installed the way a user would (upload.cgi); states the
emulator cannot reach through the API (a license status of Custom on a
licensed application, a device that reports Valid without a key) are set
through its state hook and say so.
"""

from __future__ import annotations

import datetime
import re
import threading
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from acap_helpers import make_eap, operations
from vapix_emulator.builders import build_license_key

from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    LicenseKeyError,
    PreflightError,
)

APP = "ExampleApp"
APP_ID = "414120"
EXPIRES = datetime.date(2030, 6, 30)
MODULE = "axis_acap_license"

CHANGING = {("license.cgi", "uploadlicensekey"), ("license.cgi", "removelicensekey")}


def install_app(device: Any, tmp_path: Path, copy_protection: str = "axis", application_id: str = APP_ID) -> None:
    path = make_eap(tmp_path, name=APP, application_id=application_id, copy_protection=copy_protection)
    device.install(Path(path).read_bytes())


def write_key(tmp_path: Path, serial: str, filename: Optional[str] = None, **options: Any) -> Path:
    options.setdefault("product", APP)
    options.setdefault("productid", APP_ID)
    options.setdefault("expires", EXPIRES)
    path = tmp_path / (filename or "%s.xml" % serial)
    build_license_key(path, serial_number=serial, **options)
    return path


def app_state(device: Any) -> Dict[str, Any]:
    for application in device.state()["applications"]:
        if application["name"] == APP:
            return application
    raise AssertionError("%s is not on %s" % (APP, device))


def params(device: Any, **options: Any) -> Dict[str, Any]:
    merged = device.conn_params()
    merged.update(name=APP)
    merged.update(options)
    return merged


def changes_sent(device: Any) -> List[Any]:
    return [operation for operation in operations(device) if operation in CHANGING]


@pytest.fixture
def licensed_device(device: Any, tmp_path: Path) -> Any:
    """A device with ExampleApp installed, needing an Axis license, no key yet."""
    install_app(device, tmp_path)
    device.clear_log()
    return device


# --------------------------------------------------------------------------------------------
# Decisions
# --------------------------------------------------------------------------------------------


def test_missing_uploads_then_nothing_to_do_in_one_request(licensed_device, tmp_path, run_logic):
    device = licensed_device
    key_path = write_key(tmp_path, device.serial_number)

    result = run_logic(MODULE, params(device, src=str(key_path)))

    assert result["changed"] is True
    assert result["actions"] == ["upload_license"]
    assert result["license"] == {"status": "Valid", "expiration_date": "2030-06-30"}
    assert result["key"] == {
        "product": APP, "productid": APP_ID, "serial_number": device.serial_number, "expires": "2030-06-30",
    }
    assert result["diff"]["before"]["status"] == "Missing"
    assert result["diff"]["after"]["status"] == "Valid"
    assert operations(device) == [
        ("list.cgi", None), ("param.cgi", "list"), ("license.cgi", "uploadlicensekey"), ("list.cgi", None),
    ]
    assert app_state(device)["license"] == "Valid"
    assert app_state(device)["license_key"]["serial_number"] == device.serial_number

    device.clear_log()
    again = run_logic(MODULE, params(device, src=str(key_path)))
    assert again["changed"] is False and again["actions"] == []
    assert operations(device) == [("list.cgi", None)]


def test_invalid_key_is_replaced(licensed_device, tmp_path, run_logic):
    device = licensed_device
    expired = {"product": APP, "productid": APP_ID, "serial_number": device.serial_number,
               "expires": "2020-01-01T23:59:59Z", "license_code": "OLDCODE"}
    device.patch_state({"applications": {APP: {"license_key": expired}}})
    assert app_state(device)["license"] == "Invalid"
    device.clear_log()

    result = run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))

    assert result["actions"] == ["upload_license"]
    assert result["diff"]["before"] == {"application": APP, "status": "Invalid", "expiration_date": "2020-01-01"}
    assert result["license"] == {"status": "Valid", "expiration_date": "2030-06-30"}
    assert app_state(device)["license"] == "Valid"


def test_valid_with_another_expiry_uploads_the_renewal(licensed_device, tmp_path, run_logic):
    device = licensed_device
    run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number, "old.xml"))))
    renewed = write_key(tmp_path, device.serial_number, "new.xml", expires=datetime.date(2032, 1, 31))
    device.clear_log()

    result = run_logic(MODULE, params(device, src=str(renewed)))

    assert result["actions"] == ["upload_license"]
    assert result["diff"]["before"]["expiration_date"] == "2030-06-30"
    assert result["license"] == {"status": "Valid", "expiration_date": "2032-01-31"}
    assert app_state(device)["license_expiration_date"] == "2032-01-31"


def test_force_uploads_over_a_valid_key(licensed_device, tmp_path, run_logic):
    device = licensed_device
    key_path = write_key(tmp_path, device.serial_number)
    run_logic(MODULE, params(device, src=str(key_path)))
    device.clear_log()

    result = run_logic(MODULE, params(device, src=str(key_path), force=True))

    assert result["changed"] is True and result["actions"] == ["upload_license"]
    assert changes_sent(device) == [("license.cgi", "uploadlicensekey")]


def test_content_is_accepted_like_a_file(licensed_device, tmp_path, run_logic):
    device = licensed_device
    content = write_key(tmp_path, device.serial_number).read_text()
    result = run_logic(MODULE, params(device, content=content))
    assert result["actions"] == ["upload_license"]
    device.clear_log()
    assert run_logic(MODULE, params(device, content=content))["changed"] is False
    assert operations(device) == [("list.cgi", None)]


@pytest.mark.parametrize(
    "copy_protection, status, why",
    [("none", "None", "needs no license"), ("custom", "Custom", "cannot report")],
)
def test_none_and_custom_warn_and_upload_only_with_force(device, tmp_path, run_logic, copy_protection, status, why):
    install_app(device, tmp_path, copy_protection=copy_protection)
    key_path = write_key(tmp_path, device.serial_number)
    device.clear_log()

    result = run_logic(MODULE, params(device, src=str(key_path)))

    assert result["changed"] is False and result["actions"] == []
    assert result["license"]["status"] == status
    assert len(result["warnings"]) == 1
    assert "License=%s" % status in result["warnings"][0] and why in result["warnings"][0]
    assert "force=true" in result["warnings"][0]
    assert operations(device) == [("list.cgi", None)]

    forced = run_logic(MODULE, params(device, src=str(key_path), force=True))
    assert forced["changed"] is True and forced["actions"] == ["upload_license"]
    assert forced["license"]["status"] == status  # the device cannot say more after the upload
    assert any("cannot confirm" in warning for warning in forced["warnings"])


def test_not_installed_fails_with_advice(device, tmp_path, run_logic):
    key_path = write_key(tmp_path, device.serial_number)
    device.clear_log()
    with pytest.raises(PreflightError) as caught:
        run_logic(MODULE, params(device, src=str(key_path)))
    assert "ExampleApp is not installed" in caught.value.message
    assert "vapix.acap.axis_acap" in caught.value.message
    assert operations(device) == [("list.cgi", None)]


def test_absent_removes_then_nothing_to_do(licensed_device, tmp_path, run_logic):
    device = licensed_device
    run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    device.clear_log()

    result = run_logic(MODULE, params(device, state="absent"))

    assert result["changed"] is True and result["actions"] == ["remove_license"]
    assert result["license"] == {"status": "Missing", "expiration_date": None}
    assert result["key"] is None
    assert operations(device) == [("list.cgi", None), ("license.cgi", "removelicensekey"), ("list.cgi", None)]
    assert app_state(device)["license"] == "Missing"

    device.clear_log()
    assert run_logic(MODULE, params(device, state="absent"))["changed"] is False
    assert operations(device) == [("list.cgi", None)]


def test_absent_removes_an_invalid_key(licensed_device, run_logic):
    device = licensed_device
    expired = {"product": APP, "productid": APP_ID, "serial_number": device.serial_number,
               "expires": "2020-01-01", "license_code": "OLDCODE"}
    device.patch_state({"applications": {APP: {"license_key": expired}}})
    result = run_logic(MODULE, params(device, state="absent"))
    assert result["actions"] == ["remove_license"]
    assert app_state(device)["license"] == "Missing"


def test_absent_when_the_application_is_not_installed_is_ok(device, run_logic):
    result = run_logic(MODULE, params(device, state="absent"))
    assert result["changed"] is False and result["license"] == {"status": None, "expiration_date": None}
    assert changes_sent(device) == []


def test_absent_custom_warns(device, tmp_path, run_logic):
    install_app(device, tmp_path, copy_protection="custom")
    device.clear_log()
    result = run_logic(MODULE, params(device, state="absent"))
    assert result["changed"] is False and "License=Custom" in result["warnings"][0]
    assert changes_sent(device) == []


# --------------------------------------------------------------------------------------------
# Check mode
# --------------------------------------------------------------------------------------------


def test_check_mode_upload_sends_nothing_that_changes(licensed_device, tmp_path, run_logic):
    device = licensed_device
    result = run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))), check_mode=True)
    assert result["changed"] is True and result["actions"] == ["upload_license"]
    assert result["license"] == {"status": "Valid", "expiration_date": "2030-06-30"}  # predicted
    assert operations(device) == [("list.cgi", None), ("param.cgi", "list")]
    assert app_state(device)["license"] == "Missing"


def test_check_mode_remove_sends_nothing_that_changes(licensed_device, tmp_path, run_logic):
    device = licensed_device
    run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    device.clear_log()
    result = run_logic(MODULE, params(device, state="absent"), check_mode=True)
    assert result["changed"] is True and result["actions"] == ["remove_license"]
    assert result["diff"]["after"]["status"] == "Missing"
    assert operations(device) == [("list.cgi", None)]
    assert app_state(device)["license"] == "Valid"


def test_check_mode_still_checks_the_key(licensed_device, tmp_path, run_logic):
    device = licensed_device
    with pytest.raises(PreflightError, match="for another device"):
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, "B8A44F0000FF"))), check_mode=True)
    assert changes_sent(device) == []


# --------------------------------------------------------------------------------------------
# Local checks: each fails before anything is sent
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "options, error, expected",
    [
        ({"productid": "999"}, PreflightError, r"productid 999.*ExampleApp \(ApplicationID 414120\)"),
        ({"serial": "B8A44F0000FF"}, PreflightError,
         r"serial number B8A44F0000FF.*for another device: this device's serial number is B8A44F"),
        ({"expires": datetime.date(2020, 1, 1)}, PreflightError, r"expires 2020-01-01T23:59:59Z\).*has expired"),
        ({"corrupt": "not_xml"}, LicenseKeyError, r"is not well-formed XML"),
        ({"corrupt": "wrong_root"}, LicenseKeyError, r"root element is <configuration>, expected <license>"),
        ({"corrupt": "with_entity"}, LicenseKeyError, r"document type declaration"),
    ],
)
def test_local_checks_fail_before_any_change(licensed_device, tmp_path, run_logic, options, error, expected):
    device = licensed_device
    serial = options.pop("serial", device.serial_number)
    key_path = write_key(tmp_path, serial, "cam.xml", **options)
    with pytest.raises(error) as caught:
        run_logic(MODULE, params(device, src=str(key_path)))
    assert re.search(expected, caught.value.message), caught.value.message
    assert "cam.xml" in caught.value.message
    assert caught.value.to_result().get("changed", False) is False
    assert changes_sent(device) == []
    assert app_state(device)["license"] == "Missing"


def test_a_key_naming_another_product_is_left_to_the_device(licensed_device, tmp_path, run_logic):
    # Only the application ID, serial number and expiry are checked locally (issue 11 item 16): that the
    # product is the application's short name rests on one public sample, so the device judges it.
    device = licensed_device
    key_path = write_key(tmp_path, device.serial_number, "cam.xml", product="OtherApp")
    try:
        result = run_logic(MODULE, params(device, src=str(key_path)))
    except AcapError as exc:
        assert exc.error_code is not None, exc.message  # refused by the device, with its code
        assert changes_sent(device) == [("license.cgi", "uploadlicensekey")]
    else:
        assert result["changed"] is True and app_state(device)["license"] == "Valid"


def test_missing_key_file(licensed_device, tmp_path, run_logic):
    with pytest.raises(LicenseKeyError, match="nope.xml does not exist"):
        run_logic(MODULE, params(licensed_device, src=str(tmp_path / "nope.xml")))


# --------------------------------------------------------------------------------------------
# Every license.cgi error code
# --------------------------------------------------------------------------------------------


def assert_device_error(caught: Any, code: int, fragment: str) -> None:
    error = caught.value
    assert isinstance(error, DeviceError), repr(error)
    assert error.error_code == code
    assert "license.cgi answered Error: %d: %s" % (code, fragment) in error.message, error.message
    assert error.to_result()["changed"] is False
    assert error.to_result()["error_code"] == code


def test_error_21_invalid_key_file(licensed_device, tmp_path, run_logic):
    # A key without <productid>: this collection accepts it (the field is "likely", not certain),
    # the emulated device refuses it as an invalid file.
    device = licensed_device
    key_path = write_key(tmp_path, device.serial_number)
    key_path.write_text(re.sub(r"\s*<productid>[^<]*</productid>", "", key_path.read_text()))
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, src=str(key_path)))
    assert_device_error(caught, 21, "invalid license key file")
    assert "Upload of the license key file %s" % key_path in caught.value.message
    assert app_state(device)["license"] == "Missing"


def test_error_22_upload_failed(licensed_device, tmp_path, run_logic):
    device = licensed_device
    device.inject_fault("error_22", match={"path": "license.cgi", "action": "uploadlicensekey"})
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    assert_device_error(caught, 22, "license key file upload failed")


def test_error_23_remove_failed(licensed_device, run_logic):
    # The device says Valid without holding a key (state hook): removing it answers 23.
    device = licensed_device
    device.patch_state({"applications": {APP: {"license": "Valid"}}})
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, state="absent"))
    assert_device_error(caught, 23, "failed to remove the license key file")
    assert "Removal of the license key of ExampleApp failed" in caught.value.message


def _remove_app_after_the_first_read(device: Any) -> threading.Thread:
    """Remove the application as soon as the module's list.cgi has been answered (the log records a
    request once answered), while its license.cgi request is held back by a delay fault."""
    def remove() -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if any(entry["path"].endswith("list.cgi") and entry["status"] == 200 for entry in device.log()):
                break
            time.sleep(0.02)
        device.patch_state({"applications": {APP: None}})

    thread = threading.Thread(target=remove)
    thread.start()
    return thread


def test_error_24_application_removed_meanwhile(licensed_device, tmp_path, run_logic):
    # The application goes away between list.cgi and license.cgi (another admin, another task).
    device = licensed_device
    device.clear_log()
    device.inject_fault("delay", match={"path": "license.cgi"}, delay=3.0)
    thread = _remove_app_after_the_first_read(device)
    try:
        with pytest.raises(AcapError) as caught:
            run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    finally:
        thread.join()
    assert_device_error(caught, 24, "the application is not installed")


def test_error_25_application_id_mismatch(device, tmp_path, run_logic):
    # A non-numeric appId is left out of list.cgi (the schema types it xs:integer), so the
    # productid cannot be checked locally: the device's answer is the check.
    install_app(device, tmp_path, application_id="EXAMPLE")
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number, productid="999"))))
    assert_device_error(caught, 25, "the key's application ID does not match")


def _inject_error_fault(device: Any, code: int) -> None:
    device.inject_fault("error_%d" % code, match={"path": "license.cgi", "action": "uploadlicensekey"})


@pytest.mark.parametrize(
    "code, fragment",
    [(26, "the license key cannot be used with this version"), (30, "wrong serial number")],
)
def test_errors_only_the_device_can_detect(licensed_device, tmp_path, run_logic, code, fragment):
    # 26 (key for another version) has no local check; 30 is caught locally first, so the
    # device's answer is injected to show the message a user would get.
    device = licensed_device
    _inject_error_fault(device, code)
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    assert_device_error(caught, code, fragment)


def test_error_31_key_expires_in_flight(licensed_device, tmp_path, run_logic):
    # Valid when checked locally, expired when the device reads it.
    device = licensed_device
    # Seconds of margin on both sides, so that a loaded machine does not move the check across the expiry.
    expires = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=5)
    device.inject_fault("delay", match={"path": "license.cgi"}, delay=6.5)
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number, expires=expires))))
    assert_device_error(caught, 31, "the license key has expired")


def test_upload_ok_but_not_valid_after_is_a_failure_that_says_changed(licensed_device, tmp_path, run_logic):
    # The key expires between the upload and the list.cgi that confirms it. Faults are taken in order:
    # the first list.cgi (the decision) goes at once, so the upload is seconds inside the key's life
    # even on a loaded machine; only the confirming list.cgi waits until the key has expired.
    device = licensed_device
    expires = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=5)
    device.inject_fault("delay", count=1, match={"path": "list.cgi"}, delay=0.0)
    device.inject_fault("delay", count=1, match={"path": "list.cgi"}, delay=6.5)
    with pytest.raises(DeviceError) as caught:
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number, expires=expires))))
    error = caught.value
    assert "answered OK, but the device then shows License=Invalid" in error.message
    assert error.to_result()["changed"] is True
    assert error.to_result()["actions"] == ["upload_license"]
    assert changes_sent(device) == [("license.cgi", "uploadlicensekey")]


# --------------------------------------------------------------------------------------------
# Lost answers: the device is asked again
# --------------------------------------------------------------------------------------------


def test_connection_dropped_after_the_upload_is_confirmed_by_list(licensed_device, tmp_path, run_logic):
    device = licensed_device
    device.inject_fault("drop_after", match={"path": "license.cgi"})
    result = run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    assert result["changed"] is True and result["license"]["status"] == "Valid"
    assert any("got no clear answer" in warning and "the device shows it done: License=Valid" in warning
               for warning in result["warnings"])


def test_connection_dropped_before_the_upload_reports_nothing_changed(licensed_device, tmp_path, run_logic):
    device = licensed_device
    device.inject_fault("drop_before", match={"path": "license.cgi"})
    with pytest.raises(AcapError) as caught:
        run_logic(MODULE, params(device, src=str(write_key(tmp_path, device.serial_number))))
    assert "still shows License=Missing, as before, so it was not done" in caught.value.message
    assert caught.value.to_result()["changed"] is False
    assert app_state(device)["license"] == "Missing"


# --------------------------------------------------------------------------------------------
# Through ansible-playbook: diff, and the key's secrets never in the output
# --------------------------------------------------------------------------------------------


def _secrets(key_path: Path) -> List[str]:
    text = key_path.read_text()
    inner = re.search(r"<licensekey>([^<]+)</licensekey>", text).group(1)
    signature = re.search(r"<signature>([^<]+)</signature>", text).group(1)
    assert len(inner) >= 16 and len(signature) >= 40
    return [inner, signature, signature[:24]]


def test_playbook_never_shows_the_key(licensed_device, tmp_path, run_playbook):
    device = licensed_device
    good = write_key(tmp_path, device.serial_number, "good.xml", key="SECRETLICENSECODE0001")
    stranger = write_key(tmp_path, "B8A44F0000FF", "stranger.xml", key="SECRETLICENSECODE0002")
    secrets = _secrets(good) + _secrets(stranger)

    run = run_playbook("license_secrecy.yml", device, diff=True, verbosity=3, extra_vars={
        "app_name": APP, "good_key": str(good), "stranger_key": str(stranger),
    })

    assert run.rc == 0, run
    output = run.stdout + run.stderr
    for secret in secrets:
        assert secret not in output, "a license key secret appears in the playbook output"
    # The tasks did run and did what they say (so the grep above looked at real output).
    assert run.task("content, wrong device", device)["status"] == "failed"
    assert "for another device" in run.task("content, wrong device", device)["msg"]
    assert run.task("content, device error", device)["error_code"] == 22
    uploaded = run.task("content, upload", device)
    assert uploaded["status"] == "changed" and uploaded["license"]["status"] == "Valid"
    assert run.task("src, check mode, force", device)["status"] == "changed"
    assert run.task("absent", device)["actions"] == ["remove_license"]
    assert "expiration_date" in output and "2030-06-30" in output  # the diff is shown


ONE_KEY_PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: license
      vapix.acap.axis_acap_license:
        hostname: "{{ axis_hostname }}"
        port: "{{ axis_port }}"
        use_https: false
        username: "{{ axis_username }}"
        password: "{{ axis_password }}"
        name: ExampleApp
        src: %s
"""


def test_playbook_check_mode_and_diff(licensed_device, tmp_path, run_playbook):
    device = licensed_device
    key_path = write_key(tmp_path, device.serial_number)
    playbook = ONE_KEY_PLAYBOOK % key_path
    run = run_playbook(playbook, device, check=True, diff=True)
    assert run.rc == 0, run
    result = run.task("license", device)
    assert result["status"] == "changed" and result["actions"] == ["upload_license"]
    assert result["diff"]["before"]["status"] == "Missing" and result["diff"]["after"]["status"] == "Valid"
    assert changes_sent(device) == []


def test_playbook_shows_why_nothing_was_uploaded(device, tmp_path, run_playbook):
    install_app(device, tmp_path, copy_protection="none")
    key_path = write_key(tmp_path, device.serial_number)
    playbook = ONE_KEY_PLAYBOOK % key_path
    run = run_playbook(playbook, device)
    assert run.rc == 0, run
    assert run.task("license", device)["status"] == "ok"
    # ansible-core before 2.19 wraps warnings at 79 columns: compare with white space folded.
    output = " ".join((run.stdout + run.stderr).split())
    # Each warning names its camera (Ansible prints identical warnings of different cameras once).
    assert "[WARNING]: %s: No license key uploaded for ExampleApp: the application needs no license" % device.host \
        in output


def test_over_https_with_the_device_ca(licensed_device, tmp_path, run_logic):
    device = licensed_device
    key_path = write_key(tmp_path, device.serial_number)
    https = dict(device.conn_params(use_https=True, ca_path=device.ca_file), name=APP, src=str(key_path))
    assert run_logic(MODULE, https)["actions"] == ["upload_license"]
    assert run_logic(MODULE, https)["changed"] is False
    assert app_state(device)["license"] == "Valid"


def test_check_mode_plans_the_key_for_an_application_an_earlier_task_would_install(device, tmp_path, run_logic):
    """A --check run of "install, then license" installs nothing, so the license task must not fail:
    it reports the key upload it would make, says what it assumed, and sends nothing that changes."""
    key_path = write_key(tmp_path, device.serial_number)
    device.clear_log()

    result = run_logic(MODULE, params(device, src=str(key_path)), check_mode=True)

    assert result["changed"] is True and result["actions"] == ["upload_license"]
    assert result["diff"]["before"]["status"] is None  # not installed now
    assert result["license"]["status"] == "Valid"  # predicted
    assert any("assumes an earlier task installs it" in warning for warning in result["warnings"])
    assert changes_sent(device) == []
    with pytest.raises(PreflightError):  # without check mode it still fails, as before
        run_logic(MODULE, params(device, src=str(key_path)))
