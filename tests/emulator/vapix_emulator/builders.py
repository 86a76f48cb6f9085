"""Builders for test inputs: ACAP ``.eap`` packages and license key files.

Everything here follows ``acap-formats.md`` (the package and license key facts the project gathered):

* An ``.eap`` is a gzip-compressed GNU tar with its files at the archive root. ACAP 3 packages carry
  ``package.conf`` only; ACAP 4 packages carry ``manifest.json`` (fields under
  ``acapPackageConf.setup``) and the ``package.conf`` the SDK derives from it.
* A signed package is the same gzip stream followed by an opaque trailer; an unsigned package is
  exactly one gzip stream with nothing after it.
* A license key is a small XML document (``<license><licensekey>...``) bound to an application
  (``product``/``productid``) and a device serial number, with an optional expiry.

Used as a library (``build_eap``, ``build_license_key``, ``eap_filename``) by the emulator's tests,
the collection's integration tests and benchmarks, and as a CLI through
``python -m vapix_emulator build-eap|build-license`` (``main_build_eap`` / ``main_build_license``).
Only the standard library is used, so the builders run anywhere the tests run.
"""

from __future__ import annotations

import argparse
import base64
import datetime as _dt
import gzip
import hashlib
import io
import json
import random
import sys
import tarfile
from pathlib import Path
from typing import Optional, Sequence, Union

__all__ = [
    "EAP_CORRUPT_VARIANTS",
    "LICENSE_CORRUPT_VARIANTS",
    "COPY_PROTECTION_METHODS",
    "SIGNATURE_MAGIC",
    "build_eap",
    "build_license_key",
    "eap_filename",
    "main_build_eap",
    "main_build_license",
]

EAP_CORRUPT_VARIANTS = (
    "not_gzip",
    "truncated",
    "no_manifest",
    "bad_manifest_json",
    "manifest_missing_appname",
    "bad_package_conf",
    "empty",
)
LICENSE_CORRUPT_VARIANTS = ("not_xml", "wrong_root", "with_entity")
COPY_PROTECTION_METHODS = ("axis", "custom", "none")

# The real trailer layout is not public (the device verifies it, not the client): any bytes after the
# gzip stream mean "signed". The emulator's own layout is MAGIC + SHA-256 of the gzip stream + padding,
# so it can tell a valid signature from an invalid one. The prefix makes hex dumps easy to read.
SIGNATURE_MAGIC = b"AXIS-SIG"
_SIGNATURE_BODY_LENGTH = 256

_PADDING_BLOCK = 128 * 1024 * 1024

# Fixed timestamp so that the same arguments always give the same bytes (reproducible test inputs).
_FIXED_MTIME = 1_700_000_000

PathLike = Union[str, Path]
DateLike = Union[_dt.date, _dt.datetime, str, None]


# --------------------------------------------------------------------------------------------------
# .eap packages
# --------------------------------------------------------------------------------------------------


def _version_parts(version: str) -> tuple[str, str, str]:
    """Split ``"1.2.3"`` into package.conf's MAJOR / MINOR / MICRO (micro may be empty).

    Anything after the second dot stays in MICRO (``"1.5.0-LTS"`` -> ``1``, ``5``, ``0-LTS``), which is
    how a hand-written package.conf would carry it.
    """
    parts = version.split(".", 2)
    while len(parts) < 3:
        parts.append("")
    return parts[0], parts[1], parts[2]


def eap_filename(
    name: str = "hello_world",
    version: str = "1.0.0",
    architecture: str = "aarch64",
    friendly_name: Optional[str] = None,
) -> str:
    """File name by the ACAP convention: ``<friendlyName with spaces as _>_<major>_<minor>_<patch>_<arch>.eap``.

    Falls back to ``name`` when there is no friendly name (as the SDK does).
    """
    base = (friendly_name or name).replace(" ", "_")
    return "{0}_{1}_{2}.eap".format(base, version.replace(".", "_"), architecture)


def _manifest(
    *,
    name: Optional[str],
    version: str,
    architecture: str,
    vendor: str,
    friendly_name: Optional[str],
    application_id: Optional[str],
    embedded_sdk_version: Optional[str],
    schema_version: str,
    run_as_root: bool,
    copy_protection: str,
    manifest_architecture: Optional[bool] = None,
    vendor_id: Optional[str] = None,
    compatible_os_versions: Optional[Sequence[dict]] = None,
    parameters: Optional[Sequence[dict]] = None,
    vendor_url: Optional[str] = None,
) -> dict:
    setup: dict = {}
    if name is not None:
        setup["appName"] = name
    if friendly_name is not None:
        setup["friendlyName"] = friendly_name
    setup["vendor"] = vendor
    setup["version"] = version
    if manifest_architecture is None:
        manifest_architecture = writes_manifest_architecture(schema_version)
    if manifest_architecture:
        setup["architecture"] = architecture
    if application_id is not None:
        setup["appId"] = str(application_id)
    # embeddedSdkVersion is gone from manifest schema 2 onwards.
    if embedded_sdk_version is not None and _schema_major(schema_version) < 2:
        setup["embeddedSdkVersion"] = embedded_sdk_version
    user = "root" if run_as_root else "sdk"
    setup["user"] = {"username": user, "group": user}
    setup["runMode"] = "respawn"
    if vendor_id is not None:
        setup["vendorId"] = vendor_id
    if vendor_url is not None:
        setup["vendorUrl"] = vendor_url
    if compatible_os_versions is not None:
        setup["compatibleOsVersions"] = [dict(item) for item in compatible_os_versions]
    conf: dict = {"setup": setup, "copyProtection": {"method": copy_protection}}
    if parameters:
        conf["configuration"] = {"paramConfig": [dict(item) for item in parameters]}
    return {"schemaVersion": schema_version, "acapPackageConf": conf}


def _param_conf(parameters: Optional[Sequence[dict]]) -> str:
    """ACAP 3 param.conf: ``Name="default" type="..."`` lines (empty without parameters)."""
    def quoted(value: object) -> str:
        if isinstance(value, bool):
            value = "yes" if value else "no"
        return '"{0}"'.format(("" if value is None else str(value)).replace("\\", "\\\\").replace('"', '\\"'))

    lines = []
    for item in parameters or ():
        line = "{0}={1}".format(item["name"], quoted(item.get("default", "")))
        if item.get("type"):
            line += " type={0}".format(quoted(item["type"]))
        lines.append(line + "\n")
    return "".join(lines)


def writes_manifest_architecture(schema_version: str) -> bool:
    """Whether Axis's packaging tool writes ``architecture`` into manifest.json: only for schemas
    newer than 1.3 (acap-formats.md); older ones leave it to package.conf APPTYPE."""
    try:
        parts = tuple(int(part) for part in schema_version.split("."))
    except ValueError:
        return True
    return parts + (0,) * (3 - len(parts)) > (1, 3, 0)


def _schema_major(schema_version: str) -> int:
    try:
        return int(schema_version.split(".")[0])
    except ValueError:
        return 1


def _package_conf(
    *,
    name: Optional[str],
    version: str,
    architecture: str,
    vendor: str,
    friendly_name: Optional[str],
    application_id: Optional[str],
    embedded_sdk_version: Optional[str],
    run_as_root: bool,
    copy_protection: str,
    vendor_url: Optional[str] = None,
    quote: str = '"',
) -> str:
    major, minor, micro = _version_parts(version)
    user = "root" if run_as_root else "sdk"
    entries = []
    if name is not None:
        entries.append(("APPNAME", name))
    entries += [
        ("APPMAJORVERSION", major),
        ("APPMINORVERSION", minor),
        ("APPMICROVERSION", micro),
        ("PACKAGENAME", friendly_name or name or ""),
        ("VENDOR", vendor or "-"),
        ("APPTYPE", architecture),
        ("APPID", "" if application_id is None else str(application_id)),
        ("REQEMBDEVVERSION", embedded_sdk_version or "2.0"),
        ("APPUSR", user),
        ("APPGRP", user),
        ("LICENSEPAGE", copy_protection),
        ("LICENSENAME", "Proprietary" if copy_protection != "none" else "Available"),
        ("STARTMODE", "respawn"),
        ("SETTINGSPAGEFILE", "index.html"),
        # The SDK writes the vendor home page into package.conf as an HTML anchor.
        ("VENDORHOMEPAGELINK", '<a href="{0}" target="_blank">{0}</a>'.format(vendor_url) if vendor_url else ""),
        ("OTHERFILES", ""),
    ]
    if quote == "'":
        # KEY='value' lines as older SDKs wrote them; a single quote inside is closed, escaped, reopened.
        return "".join("{0}='{1}'\n".format(key, value.replace("'", "'\\''")) for key, value in entries)
    # Shell-style KEY="value" lines; a double quote inside a value is escaped as the shell would.
    return "".join('{0}="{1}"\n'.format(key, value.replace('"', '\\"')) for key, value in entries)


def _executable(name: str, payload_size: int) -> bytes:
    """A fake executable: a script header plus pseudo-random padding.

    Random bytes do not compress, so the package ends up about as big as asked for. The generator is
    seeded from the name so that builds are reproducible.
    """
    header = "#!/bin/sh\n# {0}: test application built by vapix_emulator.builders\nexit 0\n".format(name).encode()
    padding = max(0, payload_size - len(header))
    generator = random.Random("eap:" + name)
    # randbytes(n) takes n * 8 bits as a C int: make big paddings in blocks (one block below 128 MiB,
    # so smaller packages keep their bytes).
    blocks = [generator.randbytes(min(_PADDING_BLOCK, padding - start)) for start in range(0, padding, _PADDING_BLOCK)]
    return header + b"".join(blocks)


def _tar_gz(members: Sequence[tuple[str, bytes, int]]) -> bytes:
    """GNU tar, gzip-compressed, files at the archive root, fixed timestamps."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for member_name, data, mode in members:
            info = tarfile.TarInfo(member_name)
            info.size = len(data)
            info.mode = mode
            info.mtime = _FIXED_MTIME
            info.uname = info.gname = "sdk"
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), compresslevel=6, mtime=_FIXED_MTIME)


def _signature_trailer(stream: bytes, seed: str, valid: bool = True) -> bytes:
    """MAGIC + SHA-256 of the gzip stream + padding: the emulator's stand-in for a real signature,
    which it verifies the same way (an invalid one carries the digest of other bytes)."""
    digest = hashlib.sha256(stream if valid else b"tampered:" + stream).digest()
    return SIGNATURE_MAGIC + digest + random.Random("sig:" + seed).randbytes(_SIGNATURE_BODY_LENGTH - len(digest))


def _write(path: Optional[PathLike], data: bytes) -> bytes:
    if path is not None:
        Path(path).write_bytes(data)
    return data


def build_eap(
    path: Optional[PathLike] = None,
    *,
    name: str = "hello_world",
    version: str = "1.0.0",
    acap: int = 4,
    architecture: str = "aarch64",
    vendor: str = "Example Inc",
    friendly_name: Optional[str] = None,
    application_id: Optional[str] = None,
    embedded_sdk_version: Optional[str] = "3.0",
    schema_version: str = "1.3",
    signed: bool = False,
    run_as_root: bool = False,
    licensed: bool = False,
    copy_protection: Optional[str] = None,
    size: int = 0,
    corrupt: Optional[str] = None,
    vendor_id: Optional[str] = None,
    compatible_os_versions: Optional[Sequence[dict]] = None,
    parameters: Optional[Sequence[dict]] = None,
    vendor_url: Optional[str] = None,
    invalid_signature: bool = False,
    manifest_architecture: Optional[bool] = None,
    package_conf: bool = True,
    package_conf_quote: str = '"',
) -> bytes:
    """Build an ``.eap`` package and return its bytes (also written to ``path`` when given).

    ``acap=3`` gives a package with ``package.conf`` only; ``acap=4`` adds ``manifest.json``.
    ``licensed=True`` is shorthand for ``copy_protection="axis"``; an explicit ``copy_protection``
    (``axis``, ``custom``, ``none``) wins. ``size`` pads the executable with incompressible bytes so
    the package is about that many bytes. ``signed`` appends a signature trailer after the gzip stream;
    ``invalid_signature`` appends one that does not verify (the emulator answers ``Error: 2``).
    ``vendor_url`` is manifest ``vendorUrl`` and package.conf ``VENDORHOMEPAGELINK`` (an HTML anchor).
    ``vendor_id`` and ``compatible_os_versions`` (a list of ``{"min": .., "max": ..}``) are manifest
    schema 2 fields, written to manifest.json only (package.conf has no equivalent).
    ``architecture`` goes to package.conf ``APPTYPE`` and, as Axis's packaging tool does, to manifest.json
    only for schemas newer than 1.3: a schema 1.1 or 1.3 manifest (the ACAP 3 SDK's) has none.
    ``manifest_architecture`` True or False writes it or leaves it out whatever the schema. MIPS
    packages say ``mipsisa32r2el`` (MIPS cameras report ``mips``). ``package_conf=False`` leaves
    package.conf out of an ACAP 4 package (the newest SDK writes none); ``package_conf_quote="'"``
    writes its values single-quoted (``KEY='value'``), as older SDKs did.
    ``parameters`` (a list of ``{"name": .., "default": .., "type": ..}``) are the application's
    parameters: manifest.json ``configuration.paramConfig`` (ACAP 4) and ``param.conf`` lines
    ``Name="default" type="..."`` (both formats; the only file of an ACAP 3 package).

    ``corrupt`` makes a broken package instead:

    * ``not_gzip``: bytes that are no gzip stream at all (device: ``Error: 1``).
    * ``truncated``: a valid package cut in the middle of its gzip stream (``Error: 1``).
    * ``no_manifest``: a valid archive with neither manifest.json nor package.conf (``Error: 1``).
    * ``bad_manifest_json``: manifest.json that is not JSON; package.conf is present as in any ACAP 4
      build, because manifest.json is the authoritative file when it exists (``Error: 29``).
    * ``manifest_missing_appname``: well-formed manifest.json without ``appName``, and a package.conf
      without ``APPNAME`` either (``Error: 29``).
    * ``bad_package_conf``: an ACAP 3 package whose package.conf has garbage lines and no APPNAME
      (``Error: 29``).
    * ``empty``: zero bytes (``Error: 1``).

    Signing applies on top of the archive variants (``no_manifest``, ``bad_*``, ``manifest_*``).
    """
    if acap not in (3, 4):
        raise ValueError("acap must be 3 (package.conf only) or 4 (manifest.json + package.conf), got {0!r}".format(acap))
    if corrupt is not None and corrupt not in EAP_CORRUPT_VARIANTS:
        raise ValueError("unknown corrupt variant {0!r}; choose one of {1}".format(corrupt, ", ".join(EAP_CORRUPT_VARIANTS)))
    if copy_protection is None:
        copy_protection = "axis" if licensed else "none"
    if copy_protection not in COPY_PROTECTION_METHODS:
        raise ValueError("copy_protection must be one of {0}, got {1!r}".format(", ".join(COPY_PROTECTION_METHODS), copy_protection))
    if size < 0:
        raise ValueError("size must be >= 0, got {0}".format(size))
    if package_conf_quote not in ('"', "'"):
        raise ValueError("package_conf_quote must be a double or a single quote, got {0!r}".format(package_conf_quote))
    if not package_conf and acap == 3:
        raise ValueError("an ACAP 3 package (acap=3) consists of its package.conf: package_conf=False needs acap=4")

    if corrupt == "empty":
        return _write(path, b"")
    if corrupt == "not_gzip":
        # Starts like a text file, never with the gzip magic 1f 8b.
        junk = b"This is not an Embedded Axis Package.\n"
        junk += random.Random("junk:" + name).randbytes(max(0, size - len(junk)))
        return _write(path, junk)

    fields = dict(
        version=version,
        architecture=architecture,
        vendor=vendor,
        friendly_name=friendly_name,
        application_id=application_id,
        embedded_sdk_version=embedded_sdk_version,
        run_as_root=run_as_root,
        copy_protection=copy_protection,
        vendor_url=vendor_url,
    )
    name_in_metadata: Optional[str] = None if corrupt == "manifest_missing_appname" else name
    manifest_only = dict(vendor_id=vendor_id, compatible_os_versions=compatible_os_versions, parameters=parameters,
                         manifest_architecture=manifest_architecture)
    conf_style = dict(write=package_conf, quote=package_conf_quote)

    def archive(payload_size: int) -> bytes:
        return _tar_gz(_eap_members(name, payload_size, acap, corrupt, name_in_metadata, schema_version, fields,
                                    manifest_only, conf_style))

    data = archive(0)
    minimal_size = len(data)
    if size > minimal_size:
        # Random padding does not compress: grow the executable by the missing bytes, then take off
        # the small overshoot that tar blocks and gzip framing of the padding add.
        data = archive(size - minimal_size)
        overshoot = len(data) - size
        if overshoot > 0:
            data = archive(max(0, size - minimal_size - overshoot))
    if corrupt == "truncated":
        # Cut inside the gzip stream: neither a complete tar nor a complete gzip member.
        data = data[: max(16, len(data) // 2)]
    elif signed or invalid_signature:
        data += _signature_trailer(data, name + version, valid=not invalid_signature)
    return _write(path, data)


def _eap_members(
    name: str,
    payload_size: int,
    acap: int,
    corrupt: Optional[str],
    name_in_metadata: Optional[str],
    schema_version: str,
    fields: dict,
    manifest_only: dict,
    conf_style: dict,
) -> list[tuple[str, bytes, int]]:
    members: list[tuple[str, bytes, int]] = [(name, _executable(name, payload_size), 0o755)]
    if corrupt != "no_manifest":
        if corrupt == "bad_package_conf":
            acap = 3
            package_conf = (
                "this is not a package.conf\n"
                "APPMAJORVERSION=\"1\n"
                "=== garbage ===\n"
                "VENDOR=\"{0}\"\n".format(fields["vendor"])
            )
        else:
            package_conf = _package_conf(name=name_in_metadata, quote=conf_style["quote"], **fields)
        if conf_style["write"]:
            members.append(("package.conf", package_conf.encode(), 0o644))
        members.append(("param.conf", _param_conf(manifest_only.get("parameters")).encode(), 0o644))
        if acap == 4:
            if corrupt == "bad_manifest_json":
                manifest_text = '{"schemaVersion": "%s", "acapPackageConf": {"setup": {"appName": "%s",,' % (schema_version, name)
            else:
                manifest_text = json.dumps(
                    _manifest(name=name_in_metadata, schema_version=schema_version, **fields, **manifest_only), indent=4
                )
            members.append(("manifest.json", manifest_text.encode(), 0o644))
    members.append(("LICENSE", b"Copyright (c) Example Inc. Test package, no rights needed.\n", 0o644))
    return members


# --------------------------------------------------------------------------------------------------
# License keys
# --------------------------------------------------------------------------------------------------


def _format_expires(expires: DateLike) -> Optional[str]:
    """A date means "valid through that whole day" (23:59:59 UTC), as Axis keys are written."""
    if expires is None:
        return None
    if isinstance(expires, _dt.datetime):
        if expires.tzinfo is not None:
            expires = expires.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(expires, _dt.date):
        return expires.strftime("%Y-%m-%dT23:59:59Z")
    return str(expires)


def _default_license_code(product: str, productid: str, serial_number: str) -> str:
    digest = hashlib.sha256("{0}|{1}|{2}".format(product, productid, serial_number).encode()).digest()
    return base64.b32encode(digest).decode()[:20]


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_license_key(
    path: Optional[PathLike] = None,
    *,
    product: str,
    productid: Union[str, int],
    serial_number: str,
    expires: DateLike = None,
    owner: str = "Example Owner",
    key: Optional[str] = None,
    corrupt: Optional[str] = None,
) -> bytes:
    """Build a license key file for application ``product`` (ID ``productid``) on device ``serial_number``.

    ``expires`` is a date (valid through that day), a datetime, a string written as is, or None (the
    ``<expires>`` element is left out: no expiry). ``key`` is the license code (derived from the
    inputs when None). The ``<signature>`` is opaque, like the real one.

    ``corrupt``: ``not_xml`` (plain text), ``wrong_root`` (well-formed XML that is no license),
    ``with_entity`` (a license whose DOCTYPE declares an entity used in ``<owner>``: a safe parser
    must refuse it).
    """
    if corrupt is not None and corrupt not in LICENSE_CORRUPT_VARIANTS:
        raise ValueError("unknown corrupt variant {0!r}; choose one of {1}".format(corrupt, ", ".join(LICENSE_CORRUPT_VARIANTS)))
    productid = str(productid)
    if corrupt == "not_xml":
        return _write(path, "license for {0} on {1}: not an XML file\n".format(product, serial_number).encode())

    code = key if key is not None else _default_license_code(product, productid, serial_number)
    expires_text = _format_expires(expires)
    owner_xml = "&owner;" if corrupt == "with_entity" else _xml_text(owner)
    body = [
        "<owner>{0}</owner>".format(owner_xml),
        "<contact>{0}</contact>".format(_xml_text("licensing@example.com")),
        "<product>{0}</product>".format(_xml_text(product)),
        "<productid>{0}</productid>".format(_xml_text(productid)),
        "<family>network_video</family>",
        "<class>acap</class>",
        "<type>standard</type>",
    ]
    if expires_text is not None:
        body.append("<expires>{0}</expires>".format(_xml_text(expires_text)))
    body.append("<restrictions><serialnumber>{0}</serialnumber></restrictions>".format(_xml_text(serial_number)))
    body.append("<licensekey>{0}</licensekey>".format(_xml_text(code)))
    signed_content = "|".join([product, productid, serial_number, expires_text or "", code])
    body.append("<signature>{0}</signature>".format(base64.b64encode(hashlib.sha512(signed_content.encode()).digest()).decode()))
    inner = "\n".join("    " + line for line in body)

    root_open, root_close = '<license version="1.0">', "</license>"
    if corrupt == "wrong_root":
        root_open, root_close = '<configuration version="1.0">', "</configuration>"
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n'
    if corrupt == "with_entity":
        prolog += '<!DOCTYPE license [\n  <!ENTITY owner "{0}">\n]>\n'.format(_xml_text(owner))
    text = '{0}{1}\n  <licensekey type="sdk">\n{2}\n  </licensekey>\n{3}\n'.format(prolog, root_open, inner, root_close)
    return _write(path, text.encode("utf-8"))


# --------------------------------------------------------------------------------------------------
# CLIs
# --------------------------------------------------------------------------------------------------


def _emit(path: Path, data: bytes) -> None:
    sys.stdout.write(json.dumps({"path": str(path), "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}) + "\n")


def main_build_eap(argv: Optional[Sequence[str]] = None) -> int:
    """``build-eap``: write an .eap and print ``{"path", "bytes", "sha256"}`` as one JSON line."""
    parser = argparse.ArgumentParser(prog="vapix_emulator build-eap", description="Build an ACAP .eap package for tests.")
    parser.add_argument("-o", "--output", help="file to write (default: the conventional file name in the current folder)")
    parser.add_argument("--name", default="hello_world", help="appName / APPNAME (default: %(default)s)")
    parser.add_argument("--version", default="1.0.0", help="application version (default: %(default)s)")
    parser.add_argument("--acap", type=int, choices=(3, 4), default=4, help="3: package.conf only; 4: manifest.json + package.conf")
    parser.add_argument("--architecture", default="aarch64",
                        help="all, aarch64, armv7hf, mipsisa32r2el, ... (default: %(default)s)")
    parser.add_argument("--manifest-architecture", choices=("auto", "yes", "no"), default="auto",
                        help="write architecture into manifest.json: auto = only for schemas newer than 1.3, as Axis's tool does")
    parser.add_argument("--no-package-conf", action="store_true", help="ACAP 4 package without package.conf (newest SDK)")
    parser.add_argument("--single-quoted", action="store_true", help="write package.conf values as KEY='value'")
    parser.add_argument("--vendor", default="Example Inc")
    parser.add_argument("--friendly-name")
    parser.add_argument("--application-id", help="appId / APPID used by license keys")
    parser.add_argument("--embedded-sdk-version", default="3.0", help="embeddedSdkVersion / REQEMBDEVVERSION (default: %(default)s)")
    parser.add_argument("--schema-version", default="1.3", help="manifest schemaVersion (default: %(default)s)")
    parser.add_argument("--signed", action="store_true", help="append a signature trailer after the gzip stream")
    parser.add_argument("--invalid-signature", action="store_true",
                        help="append a signature trailer that does not verify (the emulator answers Error: 2)")
    parser.add_argument("--vendor-url", help="manifest vendorUrl / package.conf VENDORHOMEPAGELINK")
    parser.add_argument("--run-as-root", action="store_true", help="run as user root")
    licensing = parser.add_mutually_exclusive_group()
    licensing.add_argument("--licensed", action="store_true", help='same as --copy-protection axis')
    licensing.add_argument("--copy-protection", choices=COPY_PROTECTION_METHODS)
    parser.add_argument("--size", type=int, default=0, help="pad the package to about this many bytes")
    parser.add_argument("--corrupt", choices=EAP_CORRUPT_VARIANTS, help="build this broken variant instead")
    parser.add_argument("--vendor-id", help="manifest vendorId (schema 2)")
    parser.add_argument("--compatible-os", action="append", metavar="MIN:MAX",
                        help="manifest compatibleOsVersions entry (schema 2), e.g. 12.0:12.99; repeatable; either side may be empty")
    args = parser.parse_args(argv)
    compatible = None
    if args.compatible_os:
        compatible = []
        for item in args.compatible_os:
            low, sep, high = item.partition(":")
            if not sep:
                parser.error("--compatible-os takes MIN:MAX, got {0!r}".format(item))
            compatible.append({key: value for key, value in (("min", low), ("max", high)) if value})
    output = Path(args.output) if args.output else Path(eap_filename(args.name, args.version, args.architecture, args.friendly_name))
    data = build_eap(
        output,
        name=args.name,
        version=args.version,
        acap=args.acap,
        architecture=args.architecture,
        vendor=args.vendor,
        friendly_name=args.friendly_name,
        application_id=args.application_id,
        embedded_sdk_version=args.embedded_sdk_version,
        schema_version=args.schema_version,
        signed=args.signed,
        invalid_signature=args.invalid_signature,
        vendor_url=args.vendor_url,
        run_as_root=args.run_as_root,
        licensed=args.licensed,
        copy_protection=args.copy_protection,
        size=args.size,
        corrupt=args.corrupt,
        vendor_id=args.vendor_id,
        compatible_os_versions=compatible,
        manifest_architecture={"auto": None, "yes": True, "no": False}[args.manifest_architecture],
        package_conf=not args.no_package_conf,
        package_conf_quote="'" if args.single_quoted else '"',
    )
    _emit(output, data)
    return 0


def main_build_license(argv: Optional[Sequence[str]] = None) -> int:
    """``build-license``: write a license key file and print ``{"path", "bytes", "sha256"}``."""
    parser = argparse.ArgumentParser(prog="vapix_emulator build-license", description="Build a license key file for tests.")
    parser.add_argument("-o", "--output", help="file to write (default: <product>_<serial>.xml)")
    parser.add_argument("--product", required=True, help="application name (appName) the key is for")
    parser.add_argument("--productid", required=True, help="application ID the key is for")
    parser.add_argument("--serial-number", required=True, help="device serial number, 12 hex characters")
    parser.add_argument("--expires", help="YYYY-MM-DD (valid through that day) or a full timestamp; omit for no expiry")
    parser.add_argument("--owner", default="Example Owner")
    parser.add_argument("--key", help="license code (default: derived from the other values)")
    parser.add_argument("--corrupt", choices=LICENSE_CORRUPT_VARIANTS, help="build this broken variant instead")
    args = parser.parse_args(argv)
    expires: DateLike = args.expires
    if args.expires:
        try:
            expires = _dt.date.fromisoformat(args.expires)
        except ValueError:
            expires = args.expires
    output = Path(args.output) if args.output else Path("{0}_{1}.xml".format(args.product, args.serial_number))
    data = build_license_key(
        output,
        product=args.product,
        productid=args.productid,
        serial_number=args.serial_number,
        expires=expires,
        owner=args.owner,
        key=args.key,
        corrupt=args.corrupt,
    )
    _emit(output, data)
    return 0


if __name__ == "__main__":  # pragma: no cover - convenience for `python builders.py build-eap ...`
    commands = {"build-eap": main_build_eap, "build-license": main_build_license}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.stderr.write("usage: builders.py build-eap|build-license [options]\n")
        sys.exit(2)
    sys.exit(commands[sys.argv[1]](sys.argv[2:]))
