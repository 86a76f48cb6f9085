# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading an ACAP package (.eap) on the controller, without the device.

An .eap is a gzip-compressed tar archive with its files at the root. ACAP 4
packages carry ``manifest.json`` (preferred here); ACAP 3 packages carry only
``package.conf`` (shell-style ``KEY="value"`` or ``KEY='value'`` lines), and
packages of the ACAP 3 SDK and of older ACAP 4 SDKs carry both. Each fact is
taken from where real packages keep it: the architecture from manifest.json when
it names one (schemas newer than 1.3), else from package.conf ``APPTYPE``; a
package that names none has an unknown architecture (None), which the device
judges (docs/axis_acap.md, "Architectures"). A signed package has the
signature appended after the end of the gzip stream; an unsigned one is
exactly one gzip stream.

The file is read in ONE streaming pass: the compressed bytes feed the SHA-256
digest and a gzip decompressor, whose output feeds ``tarfile`` in stream mode.
Only the two small metadata members are kept in memory, so a package of any
size costs a few chunks of memory. Every malformation raises ``PackageError``
with a message naming the file and the cause.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shlex
import tarfile
import zlib
from dataclasses import asdict, dataclass
from typing import Any, BinaryIO, Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._architecture import ARCHITECTURE_ALL, fits
from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError

CHUNK_SIZE = 1024 * 1024
# manifest.json and package.conf are a few hundred bytes; refuse absurd ones
# rather than holding them in memory.
MAX_METADATA_SIZE = 1024 * 1024
MANIFEST = "manifest.json"
PACKAGE_CONF = "package.conf"
__all__ = ["ARCHITECTURE_ALL", "Package", "parse_package_conf", "read_package", "read_packages"]
# What a package.conf without REQEMBDEVVERSION requires (acap-formats.md).
DEFAULT_EMBEDDED_SDK_VERSION = "2.0"
COPY_PROTECTION_METHODS = ("axis", "custom", "none")


@dataclass(frozen=True)
class Package:
    """What the module needs to know about one .eap, read without the device."""

    path: str
    filename: str
    name: str
    version: str
    # None: neither manifest.json nor package.conf names one; the device judges.
    architecture: Optional[str]
    vendor: Optional[str]
    friendly_name: Optional[str]
    application_id: Optional[str]
    embedded_sdk_version: Optional[str]
    schema_version: Optional[str]
    signed: bool
    run_as_root: bool
    copy_protection: str
    acap_format: int
    size: int
    sha256: str

    def fits(self, device_architecture: Optional[str]) -> bool:
        """True when the architecture table says the package runs there (same family, or ``all``)."""
        return fits(self.architecture, device_architecture)

    def describe(self) -> str:
        """``name version (architecture)`` plus the file name, for messages."""
        return "%s %s (%s, %s)" % (self.name, self.version, self.architecture or "architecture unknown", self.filename)

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


class _HashingGunzip(io.RawIOBase):
    """A readable stream of the decompressed tar, fed from the compressed file.

    While ``tarfile`` reads from it, it hashes every compressed byte and
    remembers whether anything follows the gzip stream (the signature)."""

    def __init__(self, source: BinaryIO, label: str) -> None:
        super().__init__()
        self._source = source
        self._label = label
        self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._pending = b""
        self.digest = hashlib.sha256()
        self.size = 0
        self.trailing_bytes = 0
        self.stream_ended = False

    def readable(self) -> bool:
        return True

    def _feed(self) -> bool:
        """Read one compressed chunk; False at the end of the file."""
        chunk = self._source.read(CHUNK_SIZE)
        if not chunk:
            return False
        self.digest.update(chunk)
        self.size += len(chunk)
        if self.stream_ended:
            self.trailing_bytes += len(chunk)
            return True
        try:
            self._pending += self._decompressor.decompress(chunk, CHUNK_SIZE)
            # Cap the output per call so a decompression bomb never fills memory;
            # the rest waits in unconsumed_tail.
        except zlib.error as exc:
            raise PackageError(
                "%s is not a valid ACAP package: its gzip compression is corrupt (%s). "
                "Rebuild the package or download it again." % (self._label, exc)
            )
        self._note_end()
        return True

    def _note_end(self) -> None:
        if self._decompressor.eof and not self.stream_ended:
            self.stream_ended = True
            self.trailing_bytes += len(self._decompressor.unused_data)

    def _drain_tail(self) -> None:
        """Decompress what a previous capped call left over."""
        tail = self._decompressor.unconsumed_tail
        if tail and not self.stream_ended:
            try:
                self._pending += self._decompressor.decompress(tail, CHUNK_SIZE)
            except zlib.error as exc:
                raise PackageError(
                    "%s is not a valid ACAP package: its gzip compression is corrupt (%s). "
                    "Rebuild the package or download it again." % (self._label, exc)
                )
            self._note_end()

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if self._decompressor.unconsumed_tail and not self.stream_ended:
                self._drain_tail()
                continue
            if self.stream_ended or not self._feed():
                break
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def finish(self) -> None:
        """Read the rest of the file: completes the digest and the trailer count."""
        while True:
            if self._decompressor.unconsumed_tail and not self.stream_ended:
                self._pending = b""
                self._drain_tail()
                continue
            self._pending = b""
            if not self._feed():
                break
        if self.size == 0:
            raise PackageError("%s is empty: it is not an ACAP package. Check the src path." % self._label)
        if not self.stream_ended:
            raise PackageError(
                "%s is not a valid ACAP package: the gzip stream is truncated (the file ends early). "
                "Download or copy the package again." % self._label
            )


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo, label: str) -> bytes:
    if not member.isfile():
        raise PackageError("%s is not a valid ACAP package: %s is not a regular file." % (label, member.name))
    if member.size > MAX_METADATA_SIZE:
        raise PackageError(
            "%s is not a valid ACAP package: %s is %d bytes, more than the %d a package's metadata can be."
            % (label, member.name, member.size, MAX_METADATA_SIZE)
        )
    handle = archive.extractfile(member)
    if handle is None:
        raise PackageError("%s is not a valid ACAP package: %s cannot be read." % (label, member.name))
    return handle.read()


def _scan(path: str, label: str) -> tuple:
    """One pass over the file: returns (metadata members, stream facts)."""
    found: Dict[str, bytes] = {}
    try:
        handle = open(path, "rb")
    except FileNotFoundError:
        raise PackageError("Package %s does not exist. Check the src path." % path)
    except IsADirectoryError:
        raise PackageError("Package %s is a directory, not an .eap file. Give the path of the .eap file." % path)
    except PermissionError:
        raise PackageError("Package %s cannot be read: permission denied." % path)
    except OSError as exc:
        raise PackageError("Package %s cannot be read: %s." % (path, exc.strerror or exc))
    with handle:
        stream = _HashingGunzip(handle, label)
        try:
            with tarfile.open(fileobj=io.BufferedReader(stream, CHUNK_SIZE), mode="r|") as archive:
                for member in archive:
                    # Files are at the archive root; tolerate a "./" prefix.
                    member_name = member.name[2:] if member.name.startswith("./") else member.name
                    if member_name in (MANIFEST, PACKAGE_CONF) and member_name not in found:
                        found[member_name] = _read_member(archive, member, label)
        except PackageError:
            raise
        except (tarfile.TarError, EOFError) as exc:
            # A truncated or empty file also breaks the tar reader: name that cause instead.
            stream.finish()
            raise PackageError(
                "%s is not a valid ACAP package: the archive inside the gzip stream is not a readable "
                "tar archive (%s). Rebuild the package." % (label, exc)
            )
        except OSError as exc:
            raise PackageError("Package %s cannot be read: %s." % (path, exc))
        stream.finish()
    return found, stream


def _text(raw: bytes, member: str, label: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError("%s is not a valid ACAP package: %s is not UTF-8 text." % (label, member))


def _conf_text(raw: bytes) -> str:
    """package.conf text: UTF-8, else ISO-8859-1 (older SDKs wrote the build host's charset, and
    every byte is a character there, so a vendor name never makes a package unreadable)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("iso-8859-1")
    return text[1:] if text.startswith("\ufeff") else text


def _optional_str(value: Any) -> Optional[str]:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _from_manifest(raw: bytes, label: str) -> Dict[str, Any]:
    try:
        manifest = json.loads(_text(raw, MANIFEST, label))
    except ValueError as exc:
        raise PackageError("%s is not a valid ACAP package: manifest.json is not valid JSON (%s)." % (label, exc))
    if not isinstance(manifest, dict):
        raise PackageError("%s is not a valid ACAP package: manifest.json is not a JSON object." % label)
    package_conf = manifest.get("acapPackageConf")
    setup = package_conf.get("setup") if isinstance(package_conf, dict) else None
    if not isinstance(setup, dict):
        raise PackageError(
            "%s is not a valid ACAP package: manifest.json has no acapPackageConf.setup object." % label
        )

    def required(key: str) -> str:
        value = _optional_str(setup.get(key))
        if value is None:
            raise PackageError(
                "%s is not a valid ACAP package: manifest.json has no acapPackageConf.setup.%s." % (label, key)
            )
        return value

    user = setup.get("user") if isinstance(setup.get("user"), dict) else {}
    protection = package_conf.get("copyProtection") if isinstance(package_conf, dict) else None
    method = protection.get("method") if isinstance(protection, dict) else None
    return {
        "name": required("appName"),
        "version": required("version"),
        # Written only for schemas newer than 1.3: read_package then takes package.conf APPTYPE.
        "architecture": _optional_str(setup.get("architecture")),
        "vendor": _optional_str(setup.get("vendor")),
        "friendly_name": _optional_str(setup.get("friendlyName")),
        "application_id": _optional_str(setup.get("appId")),
        # Schema 2 manifests dropped embeddedSdkVersion: then nothing to check.
        "embedded_sdk_version": _optional_str(setup.get("embeddedSdkVersion")),
        "schema_version": _optional_str(manifest.get("schemaVersion")),
        "run_as_root": _optional_str(user.get("username")) == "root",
        "copy_protection": _copy_protection(method, label),
        "acap_format": 4,
    }


def parse_package_conf(text: str, label: str = "package.conf") -> Dict[str, str]:
    """Parse shell-style ``KEY="value"`` lines; comments and blank lines are skipped."""
    values: Dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, raw_value = line.partition("=")
        key = key.strip()
        if not sep or not key.replace("_", "").isalnum():
            raise PackageError(
                "%s is not a valid ACAP package: package.conf line %d is not KEY=\"value\": %r."
                % (label, number, line)
            )
        try:
            words = shlex.split(raw_value, comments=True, posix=True)
        except ValueError as exc:
            raise PackageError(
                "%s is not a valid ACAP package: package.conf line %d has a bad value (%s)." % (label, number, exc)
            )
        values[key] = " ".join(words)
    return values


def _from_package_conf(raw: bytes, label: str) -> Dict[str, Any]:
    conf = parse_package_conf(_conf_text(raw), label)

    def required(key: str) -> str:
        value = _optional_str(conf.get(key))
        if value is None:
            raise PackageError("%s is not a valid ACAP package: package.conf has no %s." % (label, key))
        return value

    major = required("APPMAJORVERSION")
    minor = required("APPMINORVERSION")
    micro = _optional_str(conf.get("APPMICROVERSION"))
    # list.cgi shows a package.conf version as MAJOR.MINOR-MICRO (MAJOR.MINOR when micro is empty).
    version = "%s.%s-%s" % (major, minor, micro) if micro else "%s.%s" % (major, minor)
    license_page = _optional_str(conf.get("LICENSEPAGE"))
    return {
        "name": required("APPNAME"),
        "version": version,
        "architecture": _optional_str(conf.get("APPTYPE")),
        "vendor": _optional_str(conf.get("VENDOR")),
        "friendly_name": _optional_str(conf.get("PACKAGENAME")),
        "application_id": _optional_str(conf.get("APPID")),
        "embedded_sdk_version": _optional_str(conf.get("REQEMBDEVVERSION")) or DEFAULT_EMBEDDED_SDK_VERSION,
        "schema_version": None,
        "run_as_root": _optional_str(conf.get("APPUSR")) == "root",
        "copy_protection": _copy_protection(license_page, label),
        "acap_format": 3,
    }


def _copy_protection(method: Optional[str], label: str) -> str:
    if method is None:
        return "none"
    normalized = method.strip().lower()
    if normalized not in COPY_PROTECTION_METHODS:
        raise PackageError(
            "%s is not a valid ACAP package: unknown copy protection method %r (expected one of %s)."
            % (label, method, ", ".join(COPY_PROTECTION_METHODS))
        )
    return normalized


def _package_conf_architecture(raw: bytes, label: str) -> Optional[str]:
    """APPTYPE of the package.conf next to a manifest.json that names no architecture."""
    return _optional_str(parse_package_conf(_conf_text(raw), label).get("APPTYPE"))


def read_package(path: str) -> Package:
    """Read one .eap; raises ``PackageError`` naming the file and the cause."""
    path = os.path.expanduser(path)
    label = "Package %s" % path
    found, stream = _scan(path, label)
    if MANIFEST in found:
        facts = _from_manifest(found[MANIFEST], label)
        if facts["architecture"] is None and PACKAGE_CONF in found:
            facts["architecture"] = _package_conf_architecture(found[PACKAGE_CONF], label)
    elif PACKAGE_CONF in found:
        facts = _from_package_conf(found[PACKAGE_CONF], label)
    else:
        raise PackageError(
            "%s is not a valid ACAP package: it holds neither manifest.json nor package.conf at its root."
            % label
        )
    return Package(
        path=path,
        filename=os.path.basename(path),
        signed=stream.trailing_bytes > 0,
        size=stream.size,
        sha256=stream.digest.hexdigest(),
        **facts
    )


def read_packages(paths: List[str]) -> List[Package]:
    """Read every package before anything is sent, so a bad one fails early."""
    return [read_package(path) for path in paths]
