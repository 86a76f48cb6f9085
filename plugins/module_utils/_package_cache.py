# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Package facts (name, version, architecture, SHA-256...) read once per file and run, not per camera.

Reading a package (``_package.read_package``) reads and hashes the whole file: 21 ms for 5 MB, in
every camera's worker. The first worker that reads a file writes its facts to the run's private
directory (``_run_cache``), keyed by the file's real path and identity (device, inode, size, mtime_ns,
ctime_ns: any edit, replacement or swap changes it); the others read them from there. A failure is
never kept: a package that could not be read is read again by the next camera. Facts that do not have
the types ``Package`` declares are ignored and the file is read again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._package import Package, read_package
from ansible_collections.vapix.acap.plugins.module_utils._run_cache import locked, read_private, run_directory, write_private

_FORMAT = 1
_LIMIT = 64 * 1024
# Filled from the file's own path on each read, never from the cache.
_PATH_FIELDS = ("path", "filename")
_TYPES = {"str": (str,), "Optional[str]": (str, type(None)), "bool": (bool,), "int": (int,)}

Identity = Tuple[int, int, int, int, int]
# Work done by this process, shown with -vvv by the action plugin (and read by the tests).
STATS = {"packages_read": 0, "packages_reused": 0}
_MEMORY: Dict[Tuple[str, Identity], Dict[str, Any]] = {}


def _identity(path: str) -> Optional[Identity]:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _valid(facts: Any) -> bool:
    """Every field of Package but the path ones, each of its declared type (bool is no int)."""
    if not isinstance(facts, dict):
        return False
    fields = [field for field in dataclasses.fields(Package) if field.name not in _PATH_FIELDS]
    if set(facts) != {field.name for field in fields}:
        return False
    for field in fields:
        allowed = _TYPES.get(str(field.type))
        value = facts[field.name]
        if allowed is None or not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return False
    return True


def _shared_file(real: str, identity: Identity) -> Optional[str]:
    run = run_directory()
    if run is None:
        return None
    name = "%s\0%s" % (real, ",".join(str(part) for part in identity))
    return os.path.join(run, "vapix-acap-package-%s.json" % hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest()[:32])


def _cached(real: str, identity: Identity) -> Optional[Dict[str, Any]]:
    facts = _MEMORY.get((real, identity))
    if facts is not None:
        return facts
    shared = _shared_file(real, identity)
    data = read_private(shared, _LIMIT) if shared else None
    if data is None:
        return None
    try:
        document = json.loads(data)
    except ValueError:
        return None
    if not isinstance(document, dict) or document.get("format") != _FORMAT or not _valid(document.get("facts")):
        return None  # another version's, or not ours: the package is read again
    return document["facts"]


def _remember(real: str, identity: Identity, facts: Dict[str, Any]) -> None:
    _MEMORY[(real, identity)] = facts
    shared = _shared_file(real, identity)
    if shared is None:
        return
    try:
        write_private(shared, json.dumps({"format": _FORMAT, "facts": facts}).encode("utf-8"))
    except OSError:
        pass  # only saves time: the next camera reads the package


def read_package_once(path: str) -> Package:
    """``read_package``, from this run's cache when the same file was read before."""
    path = os.path.expanduser(path)
    real = os.path.realpath(path)
    identity = _identity(path)
    if identity is None:
        return _read(path, real, identity)
    package = _from_cache(path, real, identity)
    if package is not None:
        return package
    shared = _shared_file(real, identity)
    if shared is None:
        return _read(path, real, identity)
    with locked(shared):  # the first worker reads it while the others wait, then they share its facts
        return _from_cache(path, real, identity) or _read(path, real, identity)


def _from_cache(path: str, real: str, identity: Identity) -> Optional[Package]:
    facts = _cached(real, identity)
    if facts is None:
        return None
    try:
        package = Package(path=path, filename=os.path.basename(path), **facts)
    except TypeError:
        return None  # Package changed shape since: read the file
    STATS["packages_reused"] += 1
    return package


def _read(path: str, real: str, identity: Optional[Identity]) -> Package:
    package = read_package(path)  # raises PackageError, which is never kept
    STATS["packages_read"] += 1
    if identity is not None and _identity(path) == identity:  # unchanged while it was read
        facts = {name: value for name, value in dataclasses.asdict(package).items() if name not in _PATH_FIELDS}
        if _valid(facts):
            _remember(real, identity, facts)
    return package


def read_packages_once(paths: List[str]) -> List[Package]:
    """Every package before anything is sent, so a bad one fails early."""
    return [read_package_once(path) for path in paths]
