# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The key-choice helpers of axis_acap_license (_key_choice) on their own; test_license_planner.py
covers them through the planner's decisions."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import PreflightError
from ansible_collections.vapix.acap.plugins.module_utils._key_choice import (
    candidate_keys,
    describe_application,
    describe_key,
    device_expiry,
    device_key_is_better,
)
from ansible_collections.vapix.acap.tests.unit.plugins.module_utils.test_license_planner import app, folder, key, single


@pytest.mark.parametrize(
    "installed, declared, better",
    [
        ("2031-06-30", "2030-01-01T23:59:59Z", True),  # the device's key lasts longer
        ("2030-01-01", "2030-01-01T23:59:59Z", False),  # the same expiry is not better
        ("2029-01-01", "2030-01-01T23:59:59Z", False),
        (None, "2030-01-01T23:59:59Z", True),  # Valid without an expiry date: it never expires
        ("soon", "2030-01-01T23:59:59Z", False),  # unreadable: the declared key is uploaded
        ("2031-06-30", None, False),  # the declared key never expires
    ],
)
def test_device_key_is_better(installed, declared, better):
    assert device_key_is_better(app("Valid", installed), key(expires=declared)) is better


@pytest.mark.parametrize("text, expiry", [("2030-01-01", datetime.date(2030, 1, 1)), ("soon", None), (None, None)])
def test_device_expiry(text, expiry):
    assert device_expiry(app("Valid", text)) == expiry


def test_descriptions_name_the_safe_fields_only():
    assert describe_key(key(expires=None, source="content")) == (
        "license key given in content (product ExampleApp, productid 414120, serial number B8A44F000001, "
        "expires never)")
    assert "file k.xml" in describe_key(key()) and "expires 2030-01-01T23:59:59Z" in describe_key(key())
    assert "SECRET" not in describe_key(key())
    assert describe_application(app()) == "ExampleApp (ApplicationID 414120)"
    assert describe_application(app(application_id=None)) == "ExampleApp"


def test_candidate_keys_of_a_folder_are_the_applications_only():
    mine = key(source="mine.xml")
    groups = candidate_keys(folder(key(product="OtherApp", productid="999", source="other.xml"), mine), app())
    assert [(group.product, group.productid) for group in groups] == [("ExampleApp", "414120")]
    with pytest.raises(PreflightError, match="No license key for application ExampleApp .*for: OtherApp"):
        candidate_keys(folder(key(product="OtherApp", productid="999")), app())
    with pytest.raises(PreflightError, match="productid 999.*ApplicationID 414120"):
        candidate_keys(single(key(productid="999")), app())
