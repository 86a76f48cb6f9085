# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import datetime
import os

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import LicenseKeyError
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import load_keys, no_key_message, pick_key
from ansible_collections.vapix.acap.plugins.module_utils._license_key import (
    MAX_KEY_FILE_SIZE,
    load_license_key,
    normalize_serial,
    parse_license_key,
)

SECRET_CODE = "CQAB7PD27EAZ2MYMJARW"
SECRET_SIGNATURE = "U2lnbmF0dXJlT2ZUaGVLZXlUaGF0TXVzdE5ldmVyTGVhaw=="


def key_xml(
    product="ExampleApp",
    productid="414120",
    serial="B8A44F45D624",
    expires="2030-11-14T23:59:59Z",
    code=SECRET_CODE,
    signature=SECRET_SIGNATURE,
    prolog='<?xml version="1.0" encoding="UTF-8"?>\n',
    root="license",
    extra="",
) -> bytes:
    """A key in the shape of the public Axis sample (acap-formats.md)."""
    parts = [
        "<owner>Example Owner</owner>",
        "<contact>licensing@example.com</contact>",
        "<product>%s</product>" % product if product is not None else "",
        "<productid>%s</productid>" % productid if productid is not None else "",
        "<family>network_video</family><class>acap</class><type>standard</type>",
        "<expires>%s</expires>" % expires if expires is not None else "",
        "<restrictions><serialnumber>%s</serialnumber></restrictions>" % serial if serial is not None else "",
        "<licensekey>%s</licensekey>" % code if code is not None else "",
        "<signature>%s</signature>" % signature if signature is not None else "",
        extra,
    ]
    return (
        '%s<%s version="1.0">\n  <licensekey type="sdk">\n    %s\n  </licensekey>\n</%s>\n'
        % (prolog, root, "\n    ".join(p for p in parts if p), root)
    ).encode("utf-8")


def assert_no_secret(text: str) -> None:
    assert SECRET_CODE not in text
    assert SECRET_SIGNATURE not in text


def test_parses_the_public_sample_shape():
    key = parse_license_key(key_xml(), "keys/cam1.xml")
    assert key.product == "ExampleApp"
    assert key.productid == "414120"
    assert key.serial_number == "B8A44F45D624"
    assert key.expires == datetime.date(2030, 11, 14)
    assert key.source == "keys/cam1.xml"
    assert key.filename == "cam1.xml"
    assert key.to_dict() == {
        "product": "ExampleApp",
        "productid": "414120",
        "serial_number": "B8A44F45D624",
        "expires": "2030-11-14",
    }


def test_key_bytes_stay_out_of_repr_and_dict():
    key = parse_license_key(key_xml(), "k.xml")
    assert_no_secret(repr(key))
    assert_no_secret(str(key.to_dict()))
    assert SECRET_CODE.encode() in key.data  # kept for the upload only


@pytest.mark.parametrize(
    "expires, expected",
    [
        (None, None),
        ("2025-11-14", datetime.date(2025, 11, 14)),
        ("2025-11-14T23:59:59+01:00", datetime.date(2025, 11, 14)),
        ("2025-11-14T23:59:59.000Z", datetime.date(2025, 11, 14)),
    ],
)
def test_expiry_forms(expires, expected):
    assert parse_license_key(key_xml(expires=expires)).expires == expected


def utc(*args):
    return datetime.datetime(*args, tzinfo=datetime.timezone.utc)


def test_expiry_is_an_instant():
    key = parse_license_key(key_xml(expires="2025-11-14T23:59:59Z"))
    assert not key.is_expired(utc(2025, 11, 14, 23, 59, 58))
    assert key.is_expired(utc(2025, 11, 14, 23, 59, 59))
    day_only = parse_license_key(key_xml(expires="2025-11-14"))
    assert day_only.expires_at == utc(2025, 11, 14, 23, 59, 59)  # valid through the day
    zoned = parse_license_key(key_xml(expires="2025-11-14T00:30:00+0200"))
    assert zoned.expires == datetime.date(2025, 11, 14)  # the date as written (what the device shows)
    assert zoned.expires_at == utc(2025, 11, 13, 22, 30)
    assert not parse_license_key(key_xml(expires=None)).is_expired(utc(2999, 1, 1))


def test_serial_is_normalised():
    assert parse_license_key(key_xml(serial=" b8:a4:4f:45:d6:24 ")).serial_number == "B8A44F45D624"
    assert normalize_serial("b8-a4-4f-45-d6-24") == "B8A44F45D624"


def test_namespaced_key_is_read():
    data = key_xml().replace(b'<license version="1.0">', b'<license xmlns="urn:example:license" version="1.0">')
    assert parse_license_key(data).product == "ExampleApp"


def test_productid_is_optional():
    assert parse_license_key(key_xml(productid=None)).productid is None


@pytest.mark.parametrize(
    "data, fragment",
    [
        (b"", "is empty"),
        (b"   \n", "is empty"),
        (b"license for ExampleApp: " + SECRET_CODE.encode(), "not well-formed XML (error at line 1"),
        (key_xml()[:-30], "not well-formed XML"),
        (key_xml(root="configuration"), "root element is <configuration>, expected <license>"),
        (b'<license version="1.0"><other/></license>', "no <licensekey> element"),
        (key_xml(product=None), "no <product>"),
        (key_xml(serial=None), "no <restrictions><serialnumber>"),
        (key_xml(code=None), "has no <licensekey>"),
        (key_xml(signature=None), "has no <signature>"),
        (key_xml(expires="next tuesday"), "<expires> value 'next tuesday' that is not an ISO 8601"),
        (key_xml(expires="2025-13-40"), "not an ISO 8601"),
    ],
)
def test_malformed_keys_name_the_file_and_never_the_secrets(data, fragment):
    with pytest.raises(LicenseKeyError) as caught:
        parse_license_key(data, "fleet/cam7.xml")
    message = caught.value.message
    assert fragment in message
    assert "fleet/cam7.xml" in message
    assert_no_secret(message)


def test_syntax_error_does_not_quote_the_document():
    # Broken in the middle of the secret: lxml's own message would name the text around it.
    data = key_xml(code=SECRET_CODE + "<", signature=SECRET_SIGNATURE)
    with pytest.raises(LicenseKeyError) as caught:
        parse_license_key(data, "k.xml")
    assert_no_secret(caught.value.message)
    assert "line" in caught.value.message


def test_entities_and_dtds_are_refused(tmp_path):
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text("TOP-SECRET-FILE-CONTENT")
    external = (
        '<?xml version="1.0"?>\n<!DOCTYPE license [<!ENTITY x SYSTEM "file://%s">]>\n' % secret_file
    )
    internal = '<?xml version="1.0"?>\n<!DOCTYPE license [<!ENTITY owner "Owner">]>\n'
    for prolog in (external, internal):
        with pytest.raises(LicenseKeyError) as caught:
            parse_license_key(key_xml(prolog=prolog, extra="<note>&x;</note>" if "SYSTEM" in prolog else ""), "e.xml")
        assert "document type declaration" in caught.value.message
        assert "TOP-SECRET-FILE-CONTENT" not in caught.value.message


def test_billion_laughs_is_refused_quickly():
    lol = "".join('<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10) for i in range(1, 10))
    prolog = '<?xml version="1.0"?>\n<!DOCTYPE license [<!ENTITY l0 "lol">%s]>\n' % lol
    with pytest.raises(LicenseKeyError):
        parse_license_key(key_xml(prolog=prolog, extra="<x>&l9;</x>"), "lol.xml")


def test_oversized_file_is_refused_unread(tmp_path):
    path = tmp_path / "huge.xml"
    path.write_bytes(key_xml(extra="<pad>%s</pad>" % ("A" * MAX_KEY_FILE_SIZE)))
    with pytest.raises(LicenseKeyError) as caught:
        load_license_key(str(path))
    assert "huge.xml" in caught.value.message and "limit" in caught.value.message


def test_missing_file_and_directory_as_file(tmp_path):
    with pytest.raises(LicenseKeyError, match="does not exist"):
        load_license_key(str(tmp_path / "nope.xml"))
    with pytest.raises(LicenseKeyError, match="does not exist"):
        load_keys(str(tmp_path / "no-such-dir") + os.sep)


def write_fleet(directory, serials, product="ExampleApp", expires="2030-01-01T23:59:59Z"):
    for serial in serials:
        (directory / ("%s.xml" % serial)).write_bytes(key_xml(product=product, serial=serial, expires=expires))


def test_the_key_for_a_serial_from_a_directory(tmp_path):
    write_fleet(tmp_path, ["B8A44F000001", "B8A44F000002", "B8A44F000003"])
    (tmp_path / "README.md").write_text("not a key")  # ignored: not a key suffix
    (tmp_path / ".hidden.xml").write_text("ignored")
    key = pick_key(load_keys(str(tmp_path)).for_serial("b8a44f000002"), "b8a44f000002")
    assert key.serial_number == "B8A44F000002"
    assert key.source == str(tmp_path / "B8A44F000002.xml")


def test_the_key_for_a_serial_from_a_list_of_paths(tmp_path):
    write_fleet(tmp_path, ["B8A44F000001", "B8A44F000002"])
    paths = [str(tmp_path / "B8A44F000001.xml"), str(tmp_path / "B8A44F000002.xml")]
    assert pick_key(load_keys(paths).for_serial("B8A44F000001"), "B8A44F000001").source == paths[0]


def test_no_key_for_the_serial_says_what_was_found(tmp_path):
    write_fleet(tmp_path, ["B8A44F000001"])
    write_fleet(tmp_path, ["B8A44F000009"], product="OtherApp")
    (tmp_path / "broken.xml").write_bytes(b"<license>")
    message = no_key_message(load_keys(str(tmp_path)), "B8A44F000009", "ExampleApp")
    assert "No license key for application ExampleApp and serial number B8A44F000009" in message
    assert "OtherApp (productid 414120)" in message
    assert "broken.xml" in message and "not well-formed" in message


def test_broken_file_in_a_directory_does_not_hide_good_keys(tmp_path):
    write_fleet(tmp_path, ["B8A44F000001"])
    (tmp_path / "broken.xml").write_bytes(b"<license>")
    collection = load_keys(str(tmp_path))
    assert [k.serial_number for k in collection.for_serial("B8A44F000001")] == ["B8A44F000001"]
    assert collection.count == 1
    assert collection.problems and collection.problems[0][0].endswith("broken.xml")
    assert not collection.single


def test_renewed_key_wins_over_the_old_one(tmp_path):
    (tmp_path / "a-old.xml").write_bytes(key_xml(serial="B8A44F000001", expires="2026-01-01"))
    (tmp_path / "b-new.xml").write_bytes(key_xml(serial="B8A44F000001", expires="2028-01-01"))
    (tmp_path / "c-other.xml").write_bytes(key_xml(serial="B8A44F000002", expires=None))
    collection = load_keys(str(tmp_path))
    assert pick_key(collection.for_serial("B8A44F000001"), "B8A44F000001").source.endswith("b-new.xml")
    (tmp_path / "d-perpetual.xml").write_bytes(key_xml(serial="B8A44F000001", expires=None))
    assert pick_key(load_keys(str(tmp_path)).for_serial("B8A44F000001"), "B8A44F000001").source.endswith("d-perpetual.xml")
    assert collection.for_serial("B8A44F0000FF") == []


def test_productid_filters_keys_numerically(tmp_path):
    (tmp_path / "k.xml").write_bytes(key_xml(productid="0414120"))
    collection = load_keys(str(tmp_path))
    assert collection.groups_for("ExampleApp", "414120")
    assert not collection.groups_for("ExampleApp", "414121")
    assert collection.groups_for("ExampleApp", None)
    assert not collection.groups_for("exampleapp", None)


def test_a_key_file_that_changes_is_read_again(tmp_path):
    # Parsed keys are kept per (path, identity) for in-process fleet runs; a renewed file must win.
    path = tmp_path / "key.xml"
    path.write_bytes(key_xml(expires="2030-01-01T00:00:00Z"))
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert load_license_key(str(path)).expires_at.year == 2030
    assert load_license_key(str(path)) is load_license_key(str(path))  # parsed once

    path.write_bytes(key_xml(expires="2031-01-01T00:00:00Z"))
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))  # the same size and mtime: the ctime differs
    assert load_license_key(str(path)).expires_at.year == 2031


def test_a_broken_key_file_stays_an_error_when_read_again(tmp_path):
    path = tmp_path / "broken.xml"
    path.write_bytes(b"<license><licensekey>")
    for _attempt in range(2):
        with pytest.raises(LicenseKeyError, match="not well-formed XML"):
            load_license_key(str(path))
