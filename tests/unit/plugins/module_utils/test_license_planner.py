# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure planner of axis_acap_license: every decision of issue 5, and when
it asks for the device's serial number (the one extra request)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import PreflightError
from ansible_collections.vapix.acap.plugins.module_utils._license import (
    REMOVE_LICENSE,
    UPLOAD_LICENSE,
    LicenseState,
    decide_license,
    predicted_state,
)
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import KeyCollection
from ansible_collections.vapix.acap.plugins.module_utils._license_key import parse_license_key
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application

NOW = datetime.datetime(2026, 11, 30, 2, 30, tzinfo=datetime.timezone.utc)
SERIAL = "B8A44F000001"


def key(serial=SERIAL, product="ExampleApp", productid="414120", expires="2030-01-01T23:59:59Z", source="k.xml"):
    parts = ["<product>%s</product>" % product]
    if productid is not None:
        parts.append("<productid>%s</productid>" % productid)
    if expires is not None:
        parts.append("<expires>%s</expires>" % expires)
    parts.append("<restrictions><serialnumber>%s</serialnumber></restrictions>" % serial)
    parts.append("<licensekey>SECRETCODE</licensekey><signature>SECRETSIG</signature>")
    xml = '<license version="1.0"><licensekey type="sdk">%s</licensekey></license>' % "".join(parts)
    return parse_license_key(xml.encode(), source)


def single(k):
    return KeyCollection(keys=[k], problems=[], origin="file %s" % k.source, single=True)


def folder(*keys):
    return KeyCollection(keys=list(keys), problems=[], origin="directory keys")


def app(license="Missing", expiration=None, application_id="414120", name="ExampleApp"):
    return Application(name=name, application_id=application_id, license=license, license_expiration_date=expiration)


def plan(application, keys=None, state="present", force=False, serial=None):
    return decide_license(
        name="ExampleApp", state=state, force=force, application=application, keys=keys, serial_number=serial, now=NOW
    )


# ---------------------------------------------------------------- state=present


@pytest.mark.parametrize("status", ["Missing", "Invalid"])
def test_missing_or_invalid_needs_the_serial_then_uploads(status):
    first = plan(app(status), single(key()))
    assert first.needs_serial and not first.actions
    second = plan(app(status), single(key()), serial=SERIAL)
    assert second.actions == (UPLOAD_LICENSE,)
    assert second.key.serial_number == SERIAL


def test_valid_with_the_same_expiry_is_nothing_to_do_without_the_serial():
    result = plan(app("Valid", "2030-01-01"), single(key()))
    assert not result.actions and not result.needs_serial and not result.warnings
    assert result.key.expires == datetime.date(2030, 1, 1)


def test_valid_without_expiry_on_both_sides_is_nothing_to_do():
    assert not plan(app("Valid", None), single(key(expires=None))).actions


def test_valid_with_an_earlier_expiry_uploads():
    assert plan(app("Valid", "2029-01-01"), single(key())).needs_serial
    assert plan(app("Valid", "2029-01-01"), single(key()), serial=SERIAL).actions == (UPLOAD_LICENSE,)


@pytest.mark.parametrize("installed", ["2031-06-30", None])
def test_a_better_key_on_the_device_is_kept_with_a_warning(installed):
    # The device's key expires later (or never): replacing it with the declared key would lose time.
    result = plan(app("Valid", installed), single(key()), serial=SERIAL)
    assert result.actions == () and not result.needs_serial
    assert "better than the declared" in result.warnings[0] and (installed or "never") in result.warnings[0]
    assert plan(app("Valid", installed), single(key()), force=True, serial=SERIAL).actions == (UPLOAD_LICENSE,)


def test_an_unreadable_device_expiry_is_not_taken_as_better():
    assert plan(app("Valid", "soon"), single(key()), serial=SERIAL).actions == (UPLOAD_LICENSE,)


def test_force_uploads_over_a_valid_key():
    assert plan(app("Valid", "2030-01-01"), single(key()), force=True, serial=SERIAL).actions == (UPLOAD_LICENSE,)


@pytest.mark.parametrize("status", ["None", "Custom", None])
def test_unknowable_status_warns_and_does_nothing_without_force(status):
    result = plan(app(status), single(key()))
    assert not result.actions and not result.needs_serial
    assert len(result.warnings) == 1 and "force=true" in result.warnings[0]
    assert "License=%s" % status in result.warnings[0]
    forced = plan(app(status), single(key()), force=True, serial=SERIAL)
    assert forced.actions == (UPLOAD_LICENSE,)
    assert "cannot confirm" in forced.warnings[0]


def test_not_installed_fails_with_advice():
    with pytest.raises(PreflightError, match="ExampleApp is not installed.*axis_acap"):
        plan(None, single(key()))


# ---------------------------------------------------------------- local checks


def test_key_naming_another_product_is_not_refused_locally():
    # Only the application ID is certain; the product name is left to the device (license.cgi 25/26).
    assert plan(app("Missing"), single(key(product="OtherApp")), serial=SERIAL).actions == (UPLOAD_LICENSE,)


def test_key_for_another_application_id_fails():
    with pytest.raises(PreflightError, match="productid 999.*ApplicationID 414120"):
        plan(app("Missing"), single(key(productid="999")))


def test_application_id_not_reported_skips_that_check():
    assert plan(app("Missing", application_id=None), single(key(productid="999")), serial=SERIAL).actions


def test_key_for_another_serial_fails_naming_both():
    with pytest.raises(PreflightError) as caught:
        plan(app("Missing"), single(key(serial="B8A44F000002")), serial="b8a44f000001")
    assert "serial number B8A44F000002" in caught.value.message
    assert "this device's serial number is B8A44F000001" in caught.value.message


def test_expired_key_fails():
    with pytest.raises(PreflightError, match="expires 2026-11-29T23:59:59Z.*has expired.*now 2026-11-30T02:30:00Z"):
        plan(app("Missing"), single(key(expires="2026-11-29T23:59:59Z")), serial=SERIAL)
    # to the second, as the device compares
    with pytest.raises(PreflightError, match="has expired"):
        plan(app("Missing"), single(key(expires="2026-11-30T02:29:59Z")), serial=SERIAL)
    assert plan(app("Missing"), single(key(expires="2026-11-30T02:30:01Z")), serial=SERIAL).actions
    # a date alone is valid through that day
    assert plan(app("Missing"), single(key(expires="2026-11-30")), serial=SERIAL).actions


# ---------------------------------------------------------------- a directory of keys


def fleet(n=3, expires="2030-01-01T23:59:59Z"):
    return folder(*[key(serial="B8A44F%06d" % i, expires=expires, source="keys/%d.xml" % i) for i in range(1, n + 1)])


def test_directory_uploads_this_devices_key():
    result = plan(app("Missing"), fleet(), serial="B8A44F000002")
    assert result.actions == (UPLOAD_LICENSE,) and result.key.source == "keys/2.xml"


def test_directory_without_this_devices_key_fails():
    with pytest.raises(PreflightError, match="No license key for application ExampleApp and serial number B8A44F000009"):
        plan(app("Missing"), fleet(), serial="B8A44F000009")


def test_directory_without_any_key_for_the_application_fails_before_the_serial():
    with pytest.raises(PreflightError, match="No license key for application ExampleApp.*for: OtherApp"):
        plan(app("Valid", "2030-01-01"), folder(key(product="OtherApp", productid="999")))


def test_directory_valid_and_all_keys_expire_alike_needs_no_serial():
    result = plan(app("Valid", "2030-01-01"), fleet())
    assert not result.actions and not result.needs_serial
    assert result.key is None  # which key is this device's was not asked


def test_directory_valid_with_differing_expiries_asks_the_serial_then_decides():
    keys = folder(
        key(serial="B8A44F000001", expires="2030-01-01", source="a.xml"),
        key(serial="B8A44F000002", expires="2031-01-01", source="b.xml"),
    )
    assert plan(app("Valid", "2030-01-01"), keys).needs_serial
    same = plan(app("Valid", "2030-01-01"), keys, serial="B8A44F000001")
    assert not same.actions and same.key.source == "a.xml"
    renewed = plan(app("Valid", "2030-01-01"), keys, serial="B8A44F000002")
    assert renewed.actions == (UPLOAD_LICENSE,) and renewed.key.source == "b.xml"


def test_directory_keys_of_other_applications_are_ignored():
    keys = folder(key(product="OtherApp", productid="999", serial=SERIAL, source="other.xml"),
                  key(serial=SERIAL, source="mine.xml"))
    assert plan(app("Missing"), keys, serial=SERIAL).key.source == "mine.xml"


# ---------------------------------------------------------------- state=absent


@pytest.mark.parametrize(
    "status, actions",
    [("Valid", (REMOVE_LICENSE,)), ("Invalid", (REMOVE_LICENSE,)), ("Missing", ()), ("None", ())],
)
def test_absent(status, actions):
    result = plan(app(status), state="absent")
    assert result.actions == actions and not result.needs_serial and not result.warnings


def test_absent_when_not_installed_is_already_true():
    assert not plan(None, state="absent").actions


def test_absent_custom_warns_and_force_removes():
    result = plan(app("Custom"), state="absent")
    assert not result.actions and "License=Custom" in result.warnings[0]
    assert plan(app("Custom"), state="absent", force=True).actions == (REMOVE_LICENSE,)


# ---------------------------------------------------------------- predictions (check mode, diff)


def test_predicted_state():
    upload = plan(app("Missing"), single(key()), serial=SERIAL)
    assert predicted_state(upload, LicenseState("Missing", None)) == LicenseState("Valid", "2030-01-01")
    remove = plan(app("Valid", "2030-01-01"), state="absent")
    assert predicted_state(remove, LicenseState("Valid", "2030-01-01")) == LicenseState("Missing", None)
    forced = plan(app("Custom"), single(key()), force=True, serial=SERIAL)
    assert predicted_state(forced, LicenseState("Custom", None)) == LicenseState("Custom", None)
