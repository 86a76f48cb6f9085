"""The builders produce what acap-formats.md describes: checked by opening the bytes with the standard
library and lxml, independently of how the builders wrote them."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import shlex
import subprocess
import sys
import tarfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from vapix_emulator.builders import (
    SIGNATURE_MAGIC,
    build_eap,
    build_license_key,
    eap_filename,
    main_build_eap,
    main_build_license,
)

EMULATOR_ROOT = Path(__file__).resolve().parents[1]


def gzip_split(data: bytes) -> tuple[bytes, bytes]:
    """(decompressed tar, bytes after the gzip stream)."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    tar_bytes = decompressor.decompress(data) + decompressor.flush()
    assert decompressor.eof, "gzip stream is incomplete"
    return tar_bytes, decompressor.unused_data


def members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def parse_package_conf(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        key, _sep, rest = line.partition("=")
        parsed = shlex.split(rest)
        values[key] = parsed[0] if parsed else ""
    return values


def manifest_setup(data: bytes) -> dict:
    return json.loads(members(data)["manifest.json"])["acapPackageConf"]["setup"]


def test_acap4_package_layout_and_manifest():
    data = build_eap(name="my_app", version="1.2.3", architecture="armv7hf", vendor="ACME",
                     friendly_name="My App", application_id="414120", embedded_sdk_version="3.1")
    assert data[:2] == b"\x1f\x8b", "an .eap is a gzip stream"
    tar_bytes, trailer = gzip_split(data)
    assert trailer == b"", "unsigned: exactly one gzip stream, nothing after it"
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
        infos = tar.getmembers()
        # GNU tar: the first header carries the "ustar  \0" GNU magic.
        assert tar_bytes[257:265] == tarfile.GNU_MAGIC
    names = [info.name for info in infos]
    assert all("/" not in name for name in names), "files at the archive root, no top folder"
    assert {"my_app", "manifest.json", "package.conf", "LICENSE"} <= set(names)
    assert next(i for i in infos if i.name == "my_app").mode & 0o111, "the executable is executable"

    manifest = json.loads(members(data)["manifest.json"])
    assert manifest["schemaVersion"] == "1.3"
    setup = manifest["acapPackageConf"]["setup"]
    assert setup["appName"] == "my_app"
    assert setup["version"] == "1.2.3"
    # Axis's packaging tool writes architecture into manifest.json only for schemas newer than 1.3.
    assert "architecture" not in setup
    assert parse_package_conf(members(data)["package.conf"].decode())["APPTYPE"] == "armv7hf"
    assert setup["vendor"] == "ACME"
    assert setup["friendlyName"] == "My App"
    assert setup["appId"] == "414120"
    assert setup["embeddedSdkVersion"] == "3.1"
    assert setup["user"] == {"username": "sdk", "group": "sdk"}
    assert manifest["acapPackageConf"]["copyProtection"]["method"] == "none"


def test_acap3_package_has_package_conf_only_with_split_version():
    data = build_eap(acap=3, name="old_app", version="4.15.2", architecture="mips",
                     friendly_name="Old App", application_id="77", embedded_sdk_version="2.0")
    files = members(data)
    assert "manifest.json" not in files
    conf = parse_package_conf(files["package.conf"].decode())
    assert conf["APPNAME"] == "old_app"
    assert (conf["APPMAJORVERSION"], conf["APPMINORVERSION"], conf["APPMICROVERSION"]) == ("4", "15", "2")
    assert conf["PACKAGENAME"] == "Old App"
    assert conf["APPTYPE"] == "mips"
    assert conf["APPID"] == "77"
    assert conf["REQEMBDEVVERSION"] == "2.0"
    assert conf["APPUSR"] == "sdk" and conf["APPGRP"] == "sdk"
    assert conf["LICENSEPAGE"] == "none"
    # Every line is shell-style KEY="value".
    for line in files["package.conf"].decode().splitlines():
        key, sep, value = line.partition("=")
        assert sep and key.isupper() and value.startswith('"') and value.endswith('"'), line


def test_package_conf_version_with_two_parts_leaves_micro_empty():
    conf = parse_package_conf(members(build_eap(acap=3, version="4.15"))["package.conf"].decode())
    assert (conf["APPMAJORVERSION"], conf["APPMINORVERSION"], conf["APPMICROVERSION"]) == ("4", "15", "")


def test_acap4_package_conf_agrees_with_manifest():
    data = build_eap(name="both", version="2.0.1", application_id="9", licensed=True, run_as_root=True)
    conf = parse_package_conf(members(data)["package.conf"].decode())
    setup = manifest_setup(data)
    assert conf["APPNAME"] == setup["appName"] == "both"
    assert conf["APPID"] == setup["appId"] == "9"
    assert conf["APPUSR"] == setup["user"]["username"] == "root"
    assert conf["LICENSEPAGE"] == "axis"


@pytest.mark.parametrize("kwargs, method", [
    ({}, "none"),
    ({"licensed": True}, "axis"),
    ({"copy_protection": "custom"}, "custom"),
    ({"licensed": True, "copy_protection": "none"}, "none"),
])
def test_copy_protection(kwargs, method):
    data = build_eap(**kwargs)
    manifest = json.loads(members(data)["manifest.json"])
    assert manifest["acapPackageConf"]["copyProtection"]["method"] == method
    assert parse_package_conf(members(data)["package.conf"].decode())["LICENSEPAGE"] == method


def test_run_as_root():
    assert manifest_setup(build_eap(run_as_root=True))["user"] == {"username": "root", "group": "root"}


def test_schema_2_has_no_embedded_sdk_version():
    data = build_eap(schema_version="2.2.0")
    assert json.loads(members(data)["manifest.json"])["schemaVersion"] == "2.2.0"
    assert "embeddedSdkVersion" not in manifest_setup(data)


def test_signed_package_has_trailer_after_the_gzip_stream_and_still_reads():
    unsigned = build_eap(name="s")
    signed = build_eap(name="s", signed=True)
    tar_bytes, trailer = gzip_split(signed)
    assert trailer.startswith(SIGNATURE_MAGIC) and len(trailer) > len(SIGNATURE_MAGIC)
    assert signed.startswith(unsigned), "the signature is appended, the gzip stream is unchanged"
    assert "manifest.json" in members(signed), "tarfile still reads a signed package"


@pytest.mark.parametrize("size", [10_000, 1_000_000, 5_000_000])
def test_size_is_about_what_was_asked(size):
    data = build_eap(size=size)
    assert abs(len(data) - size) <= max(64, size // 100), len(data)
    assert gzip_split(data)[1] == b""


def test_builds_are_reproducible_and_written_to_path(tmp_path):
    target = tmp_path / "x.eap"
    data = build_eap(target, name="repro", size=20_000)
    assert target.read_bytes() == data == build_eap(name="repro", size=20_000)
    assert build_eap(name="repro", version="1.0.1") != build_eap(name="repro", version="1.0.0")


def test_eap_filename_convention():
    assert eap_filename("hello", "1.2.3", "aarch64", "Hello World App") == "Hello_World_App_1_2_3_aarch64.eap"
    assert eap_filename("hello", "1.0.0", "armv7hf") == "hello_1_0_0_armv7hf.eap"


# --- corrupt packages ---------------------------------------------------------------------------

def test_corrupt_empty_and_not_gzip():
    assert build_eap(corrupt="empty") == b""
    junk = build_eap(corrupt="not_gzip")
    assert junk and junk[:2] != b"\x1f\x8b"
    with pytest.raises(OSError):
        gzip.decompress(junk)
    with pytest.raises(tarfile.ReadError):
        tarfile.open(fileobj=io.BytesIO(junk))


def test_corrupt_truncated_is_an_incomplete_gzip_stream():
    good = build_eap(size=50_000)
    cut = build_eap(size=50_000, corrupt="truncated")
    assert good.startswith(cut) and len(cut) < len(good)
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    decompressor.decompress(cut)
    assert not decompressor.eof
    with pytest.raises((tarfile.TarError, EOFError, OSError)):
        members(cut)


def test_corrupt_no_manifest():
    files = members(build_eap(corrupt="no_manifest"))
    assert "manifest.json" not in files and "package.conf" not in files
    assert "hello_world" in files


def test_corrupt_bad_manifest_json():
    files = members(build_eap(corrupt="bad_manifest_json"))
    with pytest.raises(json.JSONDecodeError):
        json.loads(files["manifest.json"])


def test_corrupt_manifest_missing_appname():
    files = members(build_eap(corrupt="manifest_missing_appname"))
    setup = json.loads(files["manifest.json"])["acapPackageConf"]["setup"]
    assert "appName" not in setup and setup["version"] == "1.0.0"
    assert "APPNAME" not in parse_package_conf(files["package.conf"].decode())


def test_corrupt_bad_package_conf():
    files = members(build_eap(corrupt="bad_package_conf"))
    assert "manifest.json" not in files
    text = files["package.conf"].decode()
    assert "APPNAME" not in text
    assert any("=" not in line for line in text.splitlines()), "has garbage lines"


def test_corrupt_signed_archive_variant_keeps_trailer():
    trailer = gzip_split(build_eap(corrupt="bad_manifest_json", signed=True))[1]
    assert trailer.startswith(SIGNATURE_MAGIC)


def test_unknown_arguments_are_refused():
    with pytest.raises(ValueError, match="corrupt"):
        build_eap(corrupt="nonsense")
    with pytest.raises(ValueError, match="acap"):
        build_eap(acap=5)
    with pytest.raises(ValueError, match="copy_protection"):
        build_eap(copy_protection="dongle")
    with pytest.raises(ValueError, match="corrupt"):
        build_license_key(product="a", productid=1, serial_number="B8A44F000001", corrupt="nonsense")


# --- license keys -------------------------------------------------------------------------------

SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def test_license_key_shape():
    data = build_license_key(product="my_app", productid=414120, serial_number="B8A44F45D624",
                             expires=dt.date(2031, 5, 6), owner="ACME", key="CQAB7PD27EAZ2MYMJARW")
    root = etree.fromstring(data, SAFE_PARSER)
    assert root.tag == "license" and root.get("version") == "1.0"
    key = root.find("licensekey")
    assert key.get("type") == "sdk"
    assert key.findtext("owner") == "ACME"
    assert key.findtext("product") == "my_app"
    assert key.findtext("productid") == "414120"
    assert key.findtext("family") == "network_video"
    assert key.findtext("class") == "acap"
    assert key.findtext("expires") == "2031-05-06T23:59:59Z"
    assert key.findtext("restrictions/serialnumber") == "B8A44F45D624"
    assert key.findtext("licensekey") == "CQAB7PD27EAZ2MYMJARW"
    assert key.findtext("signature")
    assert root.getroottree().docinfo.internalDTD is None


def test_license_key_without_expiry_and_with_datetime():
    no_expiry = etree.fromstring(build_license_key(product="a", productid="1", serial_number="B8A44F000001"))
    assert no_expiry.find("licensekey/expires") is None
    code = no_expiry.findtext("licensekey/licensekey")
    assert code and len(code) == 20
    at = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    timed = etree.fromstring(build_license_key(product="a", productid="1", serial_number="B8A44F000001", expires=at))
    assert timed.findtext("licensekey/expires") == "2030-01-02T03:04:05Z"


def test_license_key_escapes_text(tmp_path):
    path = tmp_path / "k.xml"
    data = build_license_key(path, product="a", productid="1", serial_number="B8A44F000001", owner="Smith & <Sons>")
    assert path.read_bytes() == data
    assert etree.fromstring(data).findtext("licensekey/owner") == "Smith & <Sons>"


def test_license_corrupt_variants():
    args = dict(product="a", productid="1", serial_number="B8A44F000001")
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(build_license_key(corrupt="not_xml", **args))
    wrong = etree.fromstring(build_license_key(corrupt="wrong_root", **args))
    assert wrong.tag != "license"
    with_entity = build_license_key(corrupt="with_entity", **args)
    tree = etree.fromstring(with_entity, SAFE_PARSER).getroottree()
    assert tree.docinfo.internalDTD is not None, "declares an entity in a DOCTYPE"
    assert b"<!ENTITY" in with_entity and b"&owner;" in with_entity


# --- CLIs ---------------------------------------------------------------------------------------

def test_cli_functions(tmp_path, capsys):
    eap = tmp_path / "a.eap"
    assert main_build_eap(["-o", str(eap), "--name", "cli_app", "--version", "3.2.1", "--acap", "3",
                           "--signed", "--licensed", "--application-id", "5", "--size", "20000"]) == 0
    line = json.loads(capsys.readouterr().out)
    assert line["path"] == str(eap) and line["bytes"] == eap.stat().st_size
    conf = parse_package_conf(members(eap.read_bytes())["package.conf"].decode())
    assert conf["APPNAME"] == "cli_app" and conf["LICENSEPAGE"] == "axis" and conf["APPMAJORVERSION"] == "3"
    assert gzip_split(eap.read_bytes())[1].startswith(SIGNATURE_MAGIC)

    key = tmp_path / "k.xml"
    assert main_build_license(["-o", str(key), "--product", "cli_app", "--productid", "5",
                               "--serial-number", "B8A44F000001", "--expires", "2030-01-01"]) == 0
    json.loads(capsys.readouterr().out)
    assert etree.fromstring(key.read_bytes()).findtext("licensekey/expires") == "2030-01-01T23:59:59Z"


def test_cli_default_output_name(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    main_build_eap(["--name", "x", "--friendly-name", "X Y", "--version", "1.2.3", "--architecture", "armv7hf"])
    assert (tmp_path / "X_Y_1_2_3_armv7hf.eap").exists()


def test_cli_rejects_unknown_corrupt_variant(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main_build_eap(["--corrupt", "nonsense"])
    assert exit_info.value.code == 2


def test_module_entry_point_builds(tmp_path):
    """`python -m vapix_emulator build-eap` (the server's CLI) delegates to the builders."""
    if not (EMULATOR_ROOT / "vapix_emulator" / "__main__.py").exists():
        pytest.skip("vapix_emulator/__main__.py (the server CLI) is not there yet")
    out = tmp_path / "m.eap"
    result = subprocess.run([sys.executable, "-m", "vapix_emulator", "build-eap", "-o", str(out), "--name", "mod_app"],
                            cwd=str(EMULATOR_ROOT), capture_output=True, check=False, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert manifest_setup(out.read_bytes())["appName"] == "mod_app"


def test_schema_2_fields():
    data = build_eap(schema_version="2.2.0", vendor_id="0123456789",
                     compatible_os_versions=[{"min": "12.0", "max": "12.99"}])
    setup = manifest_setup(data)
    assert setup["vendorId"] == "0123456789"
    assert setup["compatibleOsVersions"] == [{"min": "12.0", "max": "12.99"}]
    assert "vendorId" not in manifest_setup(build_eap())


def test_cli_compatible_os(tmp_path, capsys):
    out = tmp_path / "c.eap"
    main_build_eap(["-o", str(out), "--schema-version", "2.0.0", "--compatible-os", "12.0:", "--compatible-os", ":11.11",
                    "--vendor-id", "abcdefabcd"])
    setup = manifest_setup(out.read_bytes())
    assert setup["compatibleOsVersions"] == [{"min": "12.0"}, {"max": "11.11"}]
    assert setup["vendorId"] == "abcdefabcd"
    with pytest.raises(SystemExit):
        main_build_eap(["-o", str(out), "--compatible-os", "12.0"])
