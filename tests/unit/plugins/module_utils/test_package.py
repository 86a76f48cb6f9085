# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The .eap reader, on packages built here with tarfile/gzip the way the ACAP SDK lays them out."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import tarfile
import threading

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError
from ansible_collections.vapix.acap.plugins.module_utils._package import (
    Package,
    parse_package_conf,
    read_package,
    read_packages,
)


def _tar(members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _manifest(**setup_overrides):
    setup = {
        "appName": "hello_world",
        "friendlyName": "Hello World",
        "vendor": "Example Inc",
        "version": "1.2.3",
        "architecture": "aarch64",
        "embeddedSdkVersion": "3.0",
        "appId": "414120",
        "user": {"username": "sdk", "group": "sdk"},
    }
    setup.update(setup_overrides)
    return {
        "schemaVersion": "1.3",
        "acapPackageConf": {"setup": setup, "copyProtection": {"method": "axis"}},
    }


PACKAGE_CONF = (
    'PACKAGENAME="Old App"\n'
    'APPTYPE="armv7hf"\n'
    'APPNAME="oldapp"\n'
    'APPID="1234"\n'
    'LICENSENAME="Available"\n'
    'LICENSEPAGE="none"\n'
    'VENDOR="Axis Communications"\n'
    'REQEMBDEVVERSION="2.12"\n'
    'APPMAJORVERSION="4"\n'
    'APPMINORVERSION="15"\n'
    'APPMICROVERSION="2"\n'
    'APPUSR="sdk"\n'
    "# a comment\n"
    "\n"
)


def _write(tmp_path, name, members, signature=b"", compress=True):
    data = _tar(members)
    if compress:
        data = gzip.compress(data)
    path = tmp_path / name
    path.write_bytes(data + signature)
    return str(path)


def test_acap4_manifest(tmp_path):
    path = _write(
        tmp_path,
        "hello.eap",
        {"hello_world": b"\x7fELF", "manifest.json": json.dumps(_manifest()).encode(), "package.conf": b'APPNAME="other"\n'},
    )
    package = read_package(path)
    assert package.name == "hello_world"  # manifest.json wins over package.conf
    assert package.version == "1.2.3"
    assert package.architecture == "aarch64"
    assert package.vendor == "Example Inc"
    assert package.friendly_name == "Hello World"
    assert package.application_id == "414120"
    assert package.embedded_sdk_version == "3.0"
    assert package.schema_version == "1.3"
    assert package.acap_format == 4
    assert package.copy_protection == "axis"
    assert package.run_as_root is False
    assert package.signed is False
    raw = open(path, "rb").read()
    assert package.size == len(raw)
    assert package.sha256 == hashlib.sha256(raw).hexdigest()
    assert package.to_dict()["filename"] == "hello.eap"


def test_acap3_package_conf_version_as_list_cgi_shows_it(tmp_path):
    path = _write(tmp_path, "old.eap", {"package.conf": PACKAGE_CONF.encode(), "oldapp": b"bin"})
    package = read_package(path)
    assert package.name == "oldapp"
    assert package.version == "4.15-2"
    assert package.architecture == "armv7hf"
    assert package.friendly_name == "Old App"
    assert package.application_id == "1234"
    assert package.embedded_sdk_version == "2.12"
    assert package.acap_format == 3
    assert package.copy_protection == "none"
    assert package.schema_version is None


def test_acap3_empty_micro_and_default_sdk(tmp_path):
    conf = PACKAGE_CONF.replace('APPMICROVERSION="2"', 'APPMICROVERSION=""').replace('REQEMBDEVVERSION="2.12"\n', "")
    package = read_package(_write(tmp_path, "old.eap", {"package.conf": conf.encode()}))
    assert package.version == "4.15"
    assert package.embedded_sdk_version == "2.0"


def test_signed_package_has_bytes_after_the_gzip_stream(tmp_path):
    members = {"manifest.json": json.dumps(_manifest()).encode()}
    unsigned = read_package(_write(tmp_path, "u.eap", members))
    signed = read_package(_write(tmp_path, "s.eap", members, signature=b"SIGNATURE" * 50))
    assert unsigned.signed is False
    assert signed.signed is True
    assert signed.name == unsigned.name


def test_root_user_schema2_without_sdk_and_dot_slash_members(tmp_path):
    manifest = _manifest(user={"username": "root", "group": "root"})
    del manifest["acapPackageConf"]["setup"]["embeddedSdkVersion"]
    del manifest["acapPackageConf"]["copyProtection"]
    manifest["schemaVersion"] = "2.2.0"
    package = read_package(_write(tmp_path, "r.eap", {"./manifest.json": json.dumps(manifest).encode()}))
    assert package.run_as_root is True
    assert package.embedded_sdk_version is None
    assert package.copy_protection == "none"
    assert package.schema_version == "2.2.0"


def test_large_package_is_streamed(tmp_path):
    # 40 MiB of incompressible payload: read in one pass, hashed whole.
    payload = os.urandom(40 * 1024 * 1024)
    path = _write(
        tmp_path,
        "big.eap",
        {"manifest.json": json.dumps(_manifest()).encode(), "lib/blob.bin": payload},
        signature=b"S" * 10,
    )
    package = read_package(path)
    assert package.size == os.path.getsize(path)
    assert package.signed is True
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    assert package.sha256 == digest.hexdigest()


def test_package_is_read_and_hashed_in_one_pass(tmp_path):
    # A FIFO can be read once only: a second pass (e.g. just for the sha256) would find it empty,
    # or wait for a writer that never comes.
    content = gzip.compress(_tar({"manifest.json": json.dumps(_manifest()).encode(), "blob": os.urandom(3 << 20)}))
    content += b"SIGNATURE"
    fifo = str(tmp_path / "once.eap")
    os.mkfifo(fifo)

    def feed():
        with open(fifo, "wb") as writer:
            writer.write(content)

    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    package = read_package(fifo)
    feeder.join(timeout=30)
    assert (package.size, package.sha256) == (len(content), hashlib.sha256(content).hexdigest())
    assert package.signed is True and package.name == "hello_world"


@pytest.mark.parametrize(
    "members, compress, cut, expected",
    [
        ({"manifest.json": b"{not json"}, True, 0, "manifest.json is not valid JSON"),
        ({"manifest.json": b"[]"}, True, 0, "not a JSON object"),
        ({"manifest.json": b'{"acapPackageConf": {}}'}, True, 0, "no acapPackageConf.setup"),
        ({"hello": b"bin"}, True, 0, "neither manifest.json nor package.conf"),
        ({"package.conf": b'APPNAME="x"\n'}, True, 0, "package.conf has no APPMAJORVERSION"),
        ({"package.conf": b"APPNAME=\"unterminated\n"}, True, 0, "package.conf line 1 has a bad value"),
        ({"package.conf": b"just words\n"}, True, 0, "package.conf line 1 is not KEY"),
        ({"manifest.json": b"\xff\xfe"}, True, 0, "not UTF-8"),
        ({"manifest.json": b"{}"}, False, 0, "gzip compression is corrupt"),
        ({"manifest.json": json.dumps(_manifest()).encode(), "pad": os.urandom(20000)}, True, 5000, "truncated"),
    ],
)
def test_malformed_packages(tmp_path, members, compress, cut, expected):
    path = _write(tmp_path, "bad.eap", members, compress=compress)
    if cut:
        data = open(path, "rb").read()
        open(path, "wb").write(data[: len(data) - cut])
    with pytest.raises(PackageError) as info:
        read_package(path)
    assert expected in str(info.value)
    assert "bad.eap" in str(info.value)


@pytest.mark.parametrize("field", ["appName", "version"])
def test_manifest_without_required_field(tmp_path, field):
    manifest = _manifest()
    del manifest["acapPackageConf"]["setup"][field]
    with pytest.raises(PackageError, match="no acapPackageConf.setup.%s" % field):
        read_package(_write(tmp_path, "m.eap", {"manifest.json": json.dumps(manifest).encode()}))


def test_unknown_copy_protection(tmp_path):
    manifest = _manifest()
    manifest["acapPackageConf"]["copyProtection"]["method"] = "dongle"
    with pytest.raises(PackageError, match="unknown copy protection method 'dongle'"):
        read_package(_write(tmp_path, "m.eap", {"manifest.json": json.dumps(manifest).encode()}))


def test_gzip_of_something_that_is_not_tar(tmp_path):
    path = tmp_path / "text.eap"
    path.write_bytes(gzip.compress(b"hello, this is not a tar archive at all" * 20))
    with pytest.raises(PackageError, match="not a readable tar archive"):
        read_package(str(path))


def test_missing_empty_and_directory(tmp_path):
    with pytest.raises(PackageError, match="does not exist"):
        read_package(str(tmp_path / "nope.eap"))
    with pytest.raises(PackageError, match="is a directory"):
        read_package(str(tmp_path))
    empty = tmp_path / "empty.eap"
    empty.write_bytes(b"")
    with pytest.raises(PackageError, match="is empty"):
        read_package(str(empty))


def test_oversized_metadata_is_refused(tmp_path):
    huge = b'{"x": "' + b"a" * (1024 * 1024 + 10) + b'"}'
    with pytest.raises(PackageError, match="more than the"):
        read_package(_write(tmp_path, "huge.eap", {"manifest.json": huge}))


def test_read_packages_fails_on_the_first_bad_one(tmp_path):
    good = _write(tmp_path, "good.eap", {"manifest.json": json.dumps(_manifest()).encode()})
    with pytest.raises(PackageError, match="missing.eap"):
        read_packages([good, str(tmp_path / "missing.eap")])
    assert [p.name for p in read_packages([good, good])] == ["hello_world", "hello_world"]


def test_fits():
    package = Package
    base = dict(
        path="/x.eap", filename="x.eap", name="x", version="1", vendor=None, friendly_name=None,
        application_id=None, embedded_sdk_version=None, schema_version=None, signed=False,
        run_as_root=False, copy_protection="none", acap_format=4, size=1, sha256="0",
    )
    assert package(architecture="all", **base).fits("aarch64")
    assert package(architecture="aarch64", **base).fits("AARCH64")
    assert not package(architecture="armv7hf", **base).fits("aarch64")
    assert not package(architecture="armv7hf", **base).fits(None)


def test_parse_package_conf_quoting():
    conf = parse_package_conf("A=\"x y\"\nB='single'\nC=plain # trailing comment\nD=\n")
    assert conf == {"A": "x y", "B": "single", "C": "plain", "D": ""}
