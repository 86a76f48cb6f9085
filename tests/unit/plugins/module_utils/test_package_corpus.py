# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The package reader on the metadata corpus (fixtures/packages, see its README.md), and the
reader's rules table-driven over manifest schemas and package.conf quoting."""

from __future__ import annotations

import gzip
import io
import json
import os
import tarfile

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._package import parse_package_conf, read_package

CORPUS = os.path.join(os.path.dirname(__file__), "fixtures", "packages")
FACTS = ("name", "version", "architecture", "vendor", "friendly_name", "application_id", "embedded_sdk_version",
         "schema_version", "run_as_root", "copy_protection", "acap_format")


def _eap(tmp_path, members, name="package.eap"):
    """A gzip-compressed tar with ``members`` ({name: bytes}) at its root, as packaging tools write it."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as archive:
        for member, data in members.items():
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    path = tmp_path / name
    path.write_bytes(gzip.compress(buffer.getvalue()))
    return str(path)


def _cases():
    return sorted(entry for entry in os.listdir(CORPUS) if os.path.isdir(os.path.join(CORPUS, entry)))


@pytest.mark.parametrize("case", _cases())
def test_corpus(tmp_path, case):
    folder = os.path.join(CORPUS, case)
    members = {}
    for member in ("manifest.json", "package.conf"):
        path = os.path.join(folder, member)
        if os.path.exists(path):
            with open(path, "rb") as handle:
                members[member] = handle.read()
    members["LICENSE"] = b"test\n"
    with open(os.path.join(folder, "expected.json"), encoding="utf-8") as handle:
        expected = json.load(handle)
    package = read_package(_eap(tmp_path, members, case + ".eap"))
    assert {fact: getattr(package, fact) for fact in FACTS} == expected


def test_corpus_covers_every_format():
    cases = _cases()
    assert any(case.startswith("acap3_") for case in cases)
    for schema in ("1_1", "1_3", "1_7", "1_11_0", "2_0_0"):
        assert any(case.startswith("schema_%s_" % schema) for case in cases), schema


def _manifest(schema, architecture=None):
    setup = {"appName": "app", "version": "1.0.0", "vendor": "V", "user": {"username": "sdk", "group": "sdk"}}
    if architecture is not None:
        setup["architecture"] = architecture
    return json.dumps({"schemaVersion": schema, "acapPackageConf": {"setup": setup}}).encode()


CONF = 'APPNAME="app"\nAPPMAJORVERSION="1"\nAPPMINORVERSION="0"\nAPPMICROVERSION="0"\n'


@pytest.mark.parametrize("schema", ["1.1", "1.3", "1.3.1", "1.7.0", "1.11.0", "2.0.0", "2.2.0", "2.7"])
@pytest.mark.parametrize(
    "manifest_architecture, apptype, expected",
    [
        ("aarch64", None, "aarch64"),  # newer schemas: manifest.json names it
        (None, "armv7hf", "armv7hf"),  # ACAP 3 SDK manifests: package.conf APPTYPE
        ("aarch64", "armv7hf", "aarch64"),  # both: manifest.json is read first
        (None, None, None),  # neither: unknown, the device judges
        ("", "mipsisa32r2el", "mipsisa32r2el"),  # an empty field is no field
        (" all ", None, "all"),
    ],
)
def test_architecture_is_taken_from_where_the_package_keeps_it(
        tmp_path, schema, manifest_architecture, apptype, expected):
    members = {"manifest.json": _manifest(schema, manifest_architecture)}
    if apptype is not None:
        members["package.conf"] = (CONF + 'APPTYPE="%s"\n' % apptype).encode()
    package = read_package(_eap(tmp_path, members))
    assert package.architecture == expected
    assert package.schema_version == schema
    assert package.version == "1.0.0"  # from manifest.json, not package.conf's 1.0-0


@pytest.mark.parametrize(
    "line, value",
    [
        ('VENDOR="Example Inc"', "Example Inc"),
        ("VENDOR='Example Inc'", "Example Inc"),
        ("VENDOR=Example", "Example"),
        ('VENDOR=""', ""),
        ("VENDOR=''", ""),
        ("VENDOR=", ""),
        ('VENDOR="say \\"hi\\""', 'say "hi"'),
        ("VENDOR='it'\\''s'", "it's"),
        ("VENDOR='$HOME `x` \\n'", "$HOME `x` \\n"),  # single quotes keep every character
        ("VENDORHOMEPAGELINK='<a href=\"http://example.com/?a=1&b=2#top\" target=\"_blank\">Ex</a>'",
         '<a href="http://example.com/?a=1&b=2#top" target="_blank">Ex</a>'),
        ('VENDORHOMEPAGELINK="<a href=\\"http://example.com\\">Ex</a>"', '<a href="http://example.com">Ex</a>'),
        ('VENDOR="two  spaces"', "two  spaces"),
        ("  VENDOR='indented'  ", "indented"),
        ('VENDOR="x" # a comment', "x"),
    ],
)
def test_package_conf_quoting(line, value):
    key = line.strip().split("=", 1)[0]
    assert parse_package_conf("# generated\n\n" + line + "\n")[key] == value


@pytest.mark.parametrize(
    "micro, version",
    [('"2"', "4.15-2"), ('""', "4.15"), ("''", "4.15"), (None, "4.15"), ("'0'", "4.15-0"), ('"0-LTS"', "4.15-0-LTS")],
)
def test_package_conf_version_as_list_cgi_shows_it(tmp_path, micro, version):
    conf = "APPNAME='app'\nAPPMAJORVERSION='4'\nAPPMINORVERSION=\"15\"\n"
    if micro is not None:
        conf += "APPMICROVERSION=%s\n" % micro
    assert read_package(_eap(tmp_path, {"package.conf": conf.encode()})).version == version


@pytest.mark.parametrize(
    "raw",
    [
        'APPNAME="app"\r\nAPPTYPE="armv7hf"\r\nVENDOR="Soci\xe9t\xe9 Exemple"\r\n'.encode("iso-8859-1"),
        '\ufeffAPPNAME="app"\nAPPTYPE="armv7hf"\nVENDOR="Soci\xe9t\xe9 Exemple"\n'.encode("utf-8"),
    ],
    ids=["iso-8859-1-crlf", "utf-8-bom"],
)
def test_package_conf_charsets_and_line_ends(tmp_path, raw):
    raw += b'APPMAJORVERSION="1"\nAPPMINORVERSION="2"\n'
    package = read_package(_eap(tmp_path, {"package.conf": raw}))
    assert (package.name, package.architecture, package.vendor, package.version) == (
        "app", "armv7hf", "Soci\xe9t\xe9 Exemple", "1.2")
