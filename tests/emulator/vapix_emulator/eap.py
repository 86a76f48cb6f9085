"""The emulator's own reader of ``.eap`` packages (acap-formats.md), independent of the plugins.

An ``.eap`` is one gzip stream holding a tar archive with ``manifest.json`` (ACAP 4) and/or
``package.conf`` (ACAP 3) at its root. Bytes after the gzip stream are the signature. A problem is
reported as :class:`PackageError` carrying the upload.cgi error code a device would answer.
"""

from __future__ import annotations

import io
import json
import re
import shlex
import tarfile
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, Dict, List

# Upload error codes (API page, upload.cgi).
INVALID_PACKAGE = 1
INVALID_METADATA = 29

# A tar archive inflates a lot only when it is a bomb; refuse to inflate past this.
MAX_INFLATED_BYTES = 1024 * 1024 * 1024
_INFLATE_CHUNK = 1024 * 1024

_APP_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,25}$")
_CONF_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_COPY_PROTECTION = ("none", "axis", "custom")


class PackageError(Exception):
    """The package is refused; ``code`` is the upload.cgi error code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass
class PackageInfo:
    """What a device learns from a package (both formats mapped onto one shape)."""

    name: str
    version: str
    package_format: str  # "manifest.json" or "package.conf"
    nice_name: str = ""
    vendor: str = ""
    architecture: str = "all"
    application_id: str = ""
    embedded_sdk_version: str = ""
    schema_version: str = ""
    run_as_root: bool = False
    copy_protection: str = "none"  # none / axis / custom
    license_name: str = ""
    configuration_page: str = ""
    vendor_home_page: str = ""
    compatible_os_versions: List[Dict[str, str]] = field(default_factory=list)
    signed: bool = False
    size: int = 0

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def inflate(data: bytes) -> tuple:
    """Inflate the first gzip stream; return ``(tar_bytes, trailer)``.

    ``trailer`` holds the bytes after the gzip stream: the signature of a signed package.
    """
    if not data.startswith(b"\x1f\x8b"):
        raise PackageError(INVALID_PACKAGE, "not a gzip stream (an .eap is a gzip-compressed tar archive)")
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunks: List[bytes] = []
    total = 0
    pending = data
    try:
        while pending and not inflater.eof:
            chunk = inflater.decompress(pending, _INFLATE_CHUNK)
            total += len(chunk)
            if total > MAX_INFLATED_BYTES:
                raise PackageError(INVALID_PACKAGE, "archive inflates beyond {0} bytes".format(MAX_INFLATED_BYTES))
            chunks.append(chunk)
            pending = inflater.unconsumed_tail
    except zlib.error as exc:
        raise PackageError(INVALID_PACKAGE, "corrupt gzip stream: {0}".format(exc)) from None
    if not inflater.eof:
        raise PackageError(INVALID_PACKAGE, "gzip stream is truncated")
    return b"".join(chunks), inflater.unused_data


def _root_members(tar_bytes: bytes) -> Dict[str, bytes]:
    """The regular files at the archive root that the device reads (manifest.json, package.conf)."""
    wanted = ("manifest.json", "package.conf")
    found: Dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
            for member in tar:
                name = member.name[2:] if member.name.startswith("./") else member.name
                if name in wanted and member.isfile():
                    extracted = tar.extractfile(member)
                    found[name] = extracted.read() if extracted else b""
    except (tarfile.TarError, EOFError, ValueError) as exc:
        raise PackageError(INVALID_PACKAGE, "not a tar archive: {0}".format(exc)) from None
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _check_name(name: Any, source: str) -> str:
    if not isinstance(name, str) or not _APP_NAME.match(name):
        raise PackageError(
            INVALID_METADATA,
            "{0}: application name {1!r} must start with a letter and have at most 26 letters, digits or _".format(source, name),
        )
    return name


def parse_manifest(raw: bytes) -> PackageInfo:
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(INVALID_METADATA, "manifest.json is not valid JSON: {0}".format(exc)) from None
    if not isinstance(manifest, dict):
        raise PackageError(INVALID_METADATA, "manifest.json is not a JSON object")
    schema_version = manifest.get("schemaVersion")
    if not isinstance(schema_version, str) or not re.match(r"^\d+(\.\d+){1,2}$", schema_version):
        raise PackageError(INVALID_METADATA, "manifest.json: schemaVersion missing or malformed: {0!r}".format(schema_version))
    conf = manifest.get("acapPackageConf")
    setup = conf.get("setup") if isinstance(conf, dict) else None
    if not isinstance(setup, dict):
        raise PackageError(INVALID_METADATA, "manifest.json: acapPackageConf.setup is missing")
    name = _check_name(setup.get("appName"), "manifest.json")
    version = setup.get("version")
    if not isinstance(version, str) or not version.strip():
        raise PackageError(INVALID_METADATA, "manifest.json: setup.version is missing")
    user = setup.get("user") if isinstance(setup.get("user"), dict) else {}
    protection = conf.get("copyProtection") if isinstance(conf.get("copyProtection"), dict) else {}
    method = protection.get("method", "none")
    if method not in _COPY_PROTECTION:
        raise PackageError(INVALID_METADATA, "manifest.json: copyProtection.method {0!r} is not axis, custom or none".format(method))
    configuration = conf.get("configuration") if isinstance(conf.get("configuration"), dict) else {}
    setting_page = _text(configuration.get("settingPage"))
    compatible = setup.get("compatibleOsVersions", conf.get("compatibleOsVersions", []))
    if not isinstance(compatible, list) or not all(isinstance(item, dict) for item in compatible):
        raise PackageError(INVALID_METADATA, "manifest.json: compatibleOsVersions must be a list of {min, max} objects")
    return PackageInfo(
        name=name,
        version=version.strip(),
        package_format="manifest.json",
        nice_name=_text(setup.get("friendlyName")),
        vendor=_text(setup.get("vendor")),
        architecture=_text(setup.get("architecture")) or "all",
        application_id=_text(setup.get("appId")),
        embedded_sdk_version=_text(setup.get("embeddedSdkVersion")),
        schema_version=schema_version,
        run_as_root=user.get("username") == "root",
        copy_protection=method,
        configuration_page="local/{0}/{1}".format(name, setting_page) if setting_page else "",
        vendor_home_page=_text(setup.get("vendorUrl")),
        compatible_os_versions=[{k: _text(v) for k, v in item.items()} for item in compatible],
    )


def parse_package_conf(raw: bytes) -> PackageInfo:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(INVALID_METADATA, "package.conf is not UTF-8 text") from None
    values: Dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _CONF_LINE.match(stripped)
        if not match:
            raise PackageError(INVALID_METADATA, "package.conf line {0} is not KEY=\"value\": {1!r}".format(number, stripped))
        try:
            words = shlex.split(match.group(2), comments=False, posix=True) if match.group(2) else [""]
        except ValueError as exc:
            raise PackageError(INVALID_METADATA, "package.conf line {0}: {1}".format(number, exc)) from None
        values[match.group(1)] = " ".join(words)
    name = _check_name(values.get("APPNAME"), "package.conf")
    major, minor, micro = (values.get(key, "") for key in ("APPMAJORVERSION", "APPMINORVERSION", "APPMICROVERSION"))
    if not major.isdigit() or not minor.isdigit():
        raise PackageError(INVALID_METADATA, "package.conf: APPMAJORVERSION and APPMINORVERSION must be numbers")
    license_page = values.get("LICENSEPAGE", "none") or "none"
    method = license_page if license_page in _COPY_PROTECTION else "axis"
    settings_page = values.get("SETTINGSPAGEFILE", "")
    return PackageInfo(
        name=name,
        version="{0}.{1}-{2}".format(major, minor, micro) if micro else "{0}.{1}".format(major, minor),
        package_format="package.conf",
        nice_name=values.get("PACKAGENAME", ""),
        vendor=values.get("VENDOR", "-") or "-",
        architecture=values.get("APPTYPE", "") or "all",
        application_id=values.get("APPID", ""),
        embedded_sdk_version=values.get("REQEMBDEVVERSION", "2.0") or "2.0",
        run_as_root=values.get("APPUSR") == "root",
        copy_protection=method,
        license_name=values.get("LICENSENAME", ""),
        configuration_page="local/{0}/{1}".format(name, settings_page) if settings_page else "",
        vendor_home_page=values.get("VENDORHOMEPAGELINK", ""),
    )


def read_package(data: bytes) -> PackageInfo:
    """Read an uploaded package; raise :class:`PackageError` (code 1 or 29) when a device would refuse it."""
    tar_bytes, trailer = inflate(data)
    members = _root_members(tar_bytes)
    if "manifest.json" in members:
        # ACAP 4 packages carry both files; manifest.json is the authoritative one.
        info = parse_manifest(members["manifest.json"])
    elif "package.conf" in members:
        info = parse_package_conf(members["package.conf"])
    else:
        raise PackageError(INVALID_PACKAGE, "the archive has neither manifest.json nor package.conf at its root")
    info.signed = bool(trailer)
    info.size = len(data)
    return info
