"""The emulator's own reader of ``.eap`` packages (acap-formats.md), independent of the plugins.

An ``.eap`` is one gzip stream holding a tar archive with ``manifest.json`` (ACAP 4) and/or
``package.conf`` (ACAP 3) at its root. Bytes after the gzip stream are the signature. A problem is
reported as :class:`PackageError` carrying the upload.cgi error code a device would answer.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import shlex
import tarfile
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, BinaryIO, Dict, List, Tuple, Union

# Upload error codes (API page, upload.cgi).
INVALID_PACKAGE = 1
INVALID_METADATA = 29

# A tar archive inflates a lot only when it is a bomb; refuse to inflate past this.
MAX_INFLATED_BYTES = 1024 * 1024 * 1024
# manifest.json and package.conf are small; a bigger one is refused, not read into memory.
MAX_METADATA_BYTES = 1024 * 1024
_INFLATE_CHUNK = 1024 * 1024
_INPUT_STEP = 256 * 1024
_TRAILER_KEPT = 4096
# The emulator's signature layout (see builders.py): MAGIC + SHA-256 of the gzip stream + padding.
SIGNATURE_MAGIC = b"AXIS-SIG"

_APP_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,25}$")
_CONF_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_COPY_PROTECTION = ("none", "axis", "custom")
# package.conf's VENDORHOMEPAGELINK is an HTML anchor (<a href="URL" target="_blank">text</a>);
# list.cgi's VendorHomePage is the URL in it.
_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


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
    vendor_id: str = ""
    compatible_os_versions: List[Dict[str, str]] = field(default_factory=list)
    signed: bool = False
    signature_valid: bool = False
    size: int = 0
    # The small metadata files read in the same pass (manifest.json, package.conf, param.conf), for
    # what else the device derives from them (application parameters).
    metadata: Dict[str, bytes] = field(default_factory=dict)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


class _InflatingReader(io.RawIOBase):
    """A read-only stream of the inflated tar, read from the package file in bounded steps.

    Each step feeds at most ``_INPUT_STEP`` compressed bytes and takes at most ``_INFLATE_CHUNK``
    inflated ones, so the work is linear in the package size and the memory is bounded (feeding the
    whole remaining input again after every output chunk, as ``unconsumed_tail`` invites, copies it
    each time: quadratic). It hashes the gzip stream as it goes and keeps what follows the stream
    (the signature) in ``trailer``.
    """

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._output = bytearray()
        self._pending = b""  # compressed input fed but not yet consumed by the inflater
        self._inflated = 0
        self.stream_digest = hashlib.sha256()
        self.trailer = b""
        self.trailer_size = 0

    def readable(self) -> bool:
        return True

    @property
    def eof(self) -> bool:
        return self._inflater.eof

    def _step(self) -> None:
        if not self._pending:
            self._pending = self._source.read(_INPUT_STEP)
            if not self._pending:
                raise PackageError(INVALID_PACKAGE, "gzip stream is truncated")
        piece = self._pending
        try:
            chunk = self._inflater.decompress(piece, _INFLATE_CHUNK)
        except zlib.error as exc:
            raise PackageError(INVALID_PACKAGE, "corrupt gzip stream: {0}".format(exc)) from None
        self._inflated += len(chunk)
        if self._inflated > MAX_INFLATED_BYTES:
            raise PackageError(INVALID_PACKAGE, "archive inflates beyond {0} bytes".format(MAX_INFLATED_BYTES))
        self._output += chunk
        self._pending = self._inflater.unconsumed_tail  # at most _INPUT_STEP bytes: a cheap copy
        if self._inflater.eof:
            unused = self._inflater.unused_data
            self.stream_digest.update(piece[: len(piece) - len(self._pending) - len(unused)])
            self._read_trailer(unused)
        else:
            self.stream_digest.update(piece[: len(piece) - len(self._pending)])

    def _read_trailer(self, start: bytes) -> None:
        """Keep the first bytes after the gzip stream (a signature is small); count the rest."""
        kept = bytearray(start[:_TRAILER_KEPT])
        size = len(start)
        while True:
            block = self._source.read(_INPUT_STEP)
            if not block:
                break
            size += len(block)
            if len(kept) < _TRAILER_KEPT:
                kept += block[: _TRAILER_KEPT - len(kept)]
        self.trailer, self.trailer_size = bytes(kept), size

    def read(self, size: int = -1) -> bytes:
        while (size < 0 or len(self._output) < size) and not self._inflater.eof:
            self._step()
        if size < 0 or size >= len(self._output):
            data = bytes(self._output)
            self._output.clear()
            return data
        data = bytes(self._output[:size])
        del self._output[:size]
        return data

    def readinto(self, buffer) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def drain(self) -> None:
        """Inflate to the end of the gzip stream (the tar may end before it does)."""
        while not self._inflater.eof:
            self._output.clear()
            self._step()
        self._output.clear()


def signature_is_valid(trailer: bytes, stream_digest: bytes) -> bool:
    """The emulator's signature: SIGNATURE_MAGIC + SHA-256 of the gzip stream (+ padding).

    Real trailers are not public; any trailer is "signed", and one that is not this layout for this
    stream is a signature that fails verification (upload error 2)."""
    head = len(SIGNATURE_MAGIC)
    return trailer.startswith(SIGNATURE_MAGIC) and trailer[head: head + len(stream_digest)] == stream_digest


def _root_members(tar_stream: BinaryIO) -> Dict[str, bytes]:
    """The regular files at the archive root that the device reads (manifest.json, package.conf),
    read in one pass over the tar stream."""
    wanted = ("manifest.json", "package.conf", "param.conf")
    found: Dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=tar_stream, mode="r|", bufsize=_INFLATE_CHUNK) as tar:
            for member in tar:
                name = member.name[2:] if member.name.startswith("./") else member.name
                if name in wanted and member.isfile():
                    if member.size > MAX_METADATA_BYTES:
                        raise PackageError(INVALID_METADATA, "{0} is larger than {1} bytes".format(name, MAX_METADATA_BYTES))
                    extracted = tar.extractfile(member)
                    found[name] = extracted.read() if extracted else b""
    except (tarfile.TarError, EOFError, ValueError) as exc:
        raise PackageError(INVALID_PACKAGE, "not a tar archive: {0}".format(exc)) from None
    return found


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def default_license_name(copy_protection: str) -> str:
    """LicenseName when the package names none (manifest.json has no such field).

    acap-formats.md only maps it to LICENSENAME. The choice follows the ACAP SDK's generated
    package.conf and the API page's list.cgi example: "Proprietary" for a copy-protected application
    (axis or custom), "Available" otherwise.
    """
    return "Available" if copy_protection == "none" else "Proprietary"


def vendor_url(value: str) -> str:
    """The URL of a vendor home page given as a URL or as package.conf's HTML anchor."""
    match = _HREF.search(value)
    if match:
        return next(group for group in match.groups() if group is not None).strip()
    return "" if "<" in value else value.strip()


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
        # A manifest without friendlyName is listed with the application name as NiceName.
        nice_name=_text(setup.get("friendlyName")) or name,
        vendor=_text(setup.get("vendor")),
        # Manifests of schema 1.3 and older carry none: read_package takes package.conf APPTYPE.
        architecture=_text(setup.get("architecture")).strip(),
        application_id=_text(setup.get("appId")),
        embedded_sdk_version=_text(setup.get("embeddedSdkVersion")),
        schema_version=schema_version,
        run_as_root=user.get("username") == "root",
        copy_protection=method,
        license_name=default_license_name(method),
        configuration_page="local/{0}/{1}".format(name, setting_page) if setting_page else "",
        vendor_home_page=vendor_url(_text(setup.get("vendorUrl"))),
        vendor_id=_text(setup.get("vendorId")),
        compatible_os_versions=[{k: _text(v) for k, v in item.items()} for item in compatible],
    )


def package_conf_values(raw: bytes) -> Dict[str, str]:
    """package.conf's shell-style ``KEY="value"`` / ``KEY='value'`` lines as a dict."""
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
    return values


def parse_package_conf(raw: bytes) -> PackageInfo:
    values = package_conf_values(raw)
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
        nice_name=values.get("PACKAGENAME", "") or name,
        vendor=values.get("VENDOR", "-") or "-",
        architecture=values.get("APPTYPE", "") or "all",
        application_id=values.get("APPID", ""),
        embedded_sdk_version=values.get("REQEMBDEVVERSION", "2.0") or "2.0",
        run_as_root=values.get("APPUSR") == "root",
        copy_protection=method,
        license_name=values.get("LICENSENAME", "") or default_license_name(method),
        configuration_page="local/{0}/{1}".format(name, settings_page) if settings_page else "",
        vendor_home_page=vendor_url(values.get("VENDORHOMEPAGELINK", "")),
    )


# Words a device reports for its CPU and the words packages for it carry (acap-formats.md: MIPS
# cameras report "mips", their packages say "mipsisa32r2el"). The emulator's own table, kept apart
# from the collection's on purpose.
DEVICE_WORDS: Dict[str, Tuple[str, ...]] = {"mips": ("mips", "mipsisa32r2el")}
UNIVERSAL_ARCHITECTURES = ("all", "noarch")


def runs_on(package_architecture: str, device_architecture: str) -> bool:
    """Whether a device reporting ``device_architecture`` installs a package of ``package_architecture``."""
    if package_architecture in UNIVERSAL_ARCHITECTURES:
        return True
    return package_architecture in DEVICE_WORDS.get(device_architecture, (device_architecture,))


def read_package(package: Union[bytes, BinaryIO]) -> PackageInfo:
    """Read an uploaded package (bytes or a binary file positioned at its start) in one streaming pass;
    raise :class:`PackageError` (code 1 or 29) when a device would refuse it."""
    source = io.BytesIO(package) if isinstance(package, (bytes, bytearray)) else package
    start = source.tell()
    if source.read(2) != b"\x1f\x8b":
        raise PackageError(INVALID_PACKAGE, "not a gzip stream (an .eap is a gzip-compressed tar archive)")
    source.seek(start)
    reader = _InflatingReader(source)
    members = _root_members(reader)
    reader.drain()
    if "manifest.json" in members:
        # ACAP 4 packages carry both files; manifest.json is the authoritative one.
        info = parse_manifest(members["manifest.json"])
        if not info.architecture and "package.conf" in members:
            info.architecture = package_conf_values(members["package.conf"]).get("APPTYPE", "").strip()
        # Named nowhere: installed anywhere (what a device does then is not recorded; docs/emulator.md).
        info.architecture = info.architecture or "all"
    elif "package.conf" in members:
        info = parse_package_conf(members["package.conf"])
    else:
        raise PackageError(INVALID_PACKAGE, "the archive has neither manifest.json nor package.conf at its root")
    info.metadata = members
    info.signed = reader.trailer_size > 0
    info.signature_valid = info.signed and signature_is_valid(reader.trailer, reader.stream_digest.digest())
    info.size = source.tell() - start
    return info
