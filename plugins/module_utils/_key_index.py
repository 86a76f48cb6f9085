# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""An index of a license key folder by serial number, built once per run and shared by the forks.

A fleet keeps one key per camera in one folder, and Ansible runs each camera's task in its own
worker: reading the folder per camera costs cameras x keys. The first worker that needs a folder
reads every key file once and writes the index (an SQLite file in the run's private directory,
``_run_cache``); every other camera reads only the rows of its own serial number and a summary per
application (how many keys, which expiry dates), so its cost does not grow with the folder.

What the index holds per file: its name, its identity (device, inode, size, mtime_ns, ctime_ns) and
the key's safe-to-show facts (product, productid, serial number, expiry); never the key's content.
It is trusted only while the folder's own identity (device, inode, mtime_ns, ctime_ns: any file
added, removed or renamed changes it) is the one recorded; the files a camera uses are checked
against their recorded identity, and an index that fails either check, or that cannot be read or
holds a value of the wrong type, is rebuilt. Files that could not be read are kept with their
identity only for this run's messages: a fixed file (chmod changes its ctime) is read again.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, LicenseKeyError
from ansible_collections.vapix.acap.plugins.module_utils._run_cache import locked, private_file_ok, run_directory

try:
    import sqlite3
except ImportError:  # pragma: no cover - a Python built without it: each process keeps its own index
    sqlite3 = None  # type: ignore[assignment]

_FORMAT = 3
# Files in a key directory that are considered as key files.
KEY_FILE_SUFFIXES = (".xml", ".lic", ".key")
# A summary keeps up to this many distinct expiry dates per application; more is "many".
_EXPIRY_LIMIT = 8
_SHOWN_PROBLEMS = 5
# File times come from a clock that ticks every few ms: a folder changed in the tick it was read
# would keep the recorded times, so a folder changed less than this ago is read once it is past.
_SETTLE_NS = 50 * 1000 * 1000

# (st_dev, st_ino, st_size, st_mtime_ns, st_ctime_ns): any swap, edit or chmod changes one of them.
Identity = Tuple[int, int, int, int, int]
# What a parser says of one file: (product, productid, serial, expires, expires_at) or why not.
Facts = Tuple[str, Optional[str], str, Optional[str], Optional[str]]
Parser = Callable[[str, Identity], Union[Facts, str]]

# Work done by this process, shown with -vvv by the action plugin (and read by the tests).
STATS = {"indexes_built": 0, "files_parsed": 0, "indexes_reused": 0}


@dataclass(frozen=True)
class IndexedKey:
    name: str
    product: str
    productid: Optional[str]
    serial_number: str
    expires: Optional[str]  # ISO date as written
    expires_at: Optional[str]  # ISO instant
    identity: Identity

    def to_row(self) -> List[Any]:
        return [self.name, self.product, self.productid, self.serial_number, self.expires, self.expires_at,
                list(self.identity)]


@dataclass(frozen=True)
class ProductGroup:
    """The keys of one (product, productid) in the folder, summarised."""

    product: str
    productid: Optional[str]
    count: int
    expiries: Optional[Tuple[Optional[str], ...]]  # distinct dates (None: never); None when too many
    never: bool  # some key never expires
    latest: Optional[str]  # the latest date among those that expire
    first: IndexedKey  # the first key by file name


@dataclass
class FolderIndex:
    directory: str
    folder: Tuple[int, int, int, int]
    count: int
    groups: List[ProductGroup]
    problems: List[Tuple[str, str]]  # (file name, message), the first few
    problem_count: int
    _by_serial: Optional[Dict[str, List[IndexedKey]]] = None  # built in this process
    _database: Optional[str] = None  # or shared in this file
    _problem_files: Optional[List[Tuple[str, Identity]]] = None
    # A summary sent with the module (see ``summary_document``): the serial whose files came with it.
    sent_for: Optional[str] = None
    deferred: bool = False

    def lookup(self, serial: str) -> Optional[List[IndexedKey]]:
        """The keys for ``serial`` (normalised), sorted by name; None when the shared file is unusable."""
        if self.deferred and serial != self.sent_for:
            raise KeyFilesNeeded(serial)
        if self._by_serial is not None:
            return list(self._by_serial.get(serial, []))
        try:
            with _connect(self._database or "") as connection:
                rows = connection.execute("SELECT row FROM keys WHERE serial = ? ORDER BY name", (serial,)).fetchall()
            keys = [_key_of(json.loads(row[0])) for row in rows]
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
            return None
        if any(key.serial_number != serial for key in keys):
            return None  # a row filed under another serial number: not an index this code wrote
        return keys

    def problem_files(self) -> Optional[List[Tuple[str, Identity]]]:
        if self._problem_files is not None or not self._database:
            return self._problem_files or []
        try:
            with _connect(self._database) as connection:
                rows = connection.execute("SELECT row FROM problems").fetchall()
            return [(_name(entry[0]), _identity(entry[1])) for entry in (json.loads(row[0]) for row in rows)]
        except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
            return None


def file_identity(status: os.stat_result) -> Identity:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def _folder_identity(directory: str) -> Tuple[int, int, int, int]:
    try:
        status = os.stat(directory)
    except FileNotFoundError:
        raise LicenseKeyError("The license key directory %s does not exist." % directory) from None
    except OSError as exc:
        raise LicenseKeyError("The license key directory %s cannot be read: %s." % (directory, exc.strerror or exc)) from None
    return (status.st_dev, status.st_ino, status.st_mtime_ns, status.st_ctime_ns)


def list_key_files(directory: str) -> List[Tuple[str, Identity]]:
    """The candidate key files of a folder as (name, identity): regular (links followed), not hidden,
    with a key suffix (``.xml``, ``.lic``, ``.key``), sorted by name so choices are repeatable."""
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        raise LicenseKeyError("The license key directory %s does not exist." % directory) from None
    except OSError as exc:
        raise LicenseKeyError(
            "The license key directory %s cannot be read: %s." % (directory, exc.strerror or exc)
        ) from None
    files = []
    for entry in entries:
        if entry.name.startswith(".") or not entry.name.lower().endswith(KEY_FILE_SUFFIXES):
            continue
        try:
            status = entry.stat()  # follows symbolic links
        except OSError:
            continue  # a dangling link is not a key file
        if stat.S_ISREG(status.st_mode):
            files.append((entry.name, file_identity(status)))
    files.sort()
    return files


# -- building ----------------------------------------------------------------------------------------


def _settle(folder: Tuple[int, int, int, int]) -> None:
    age = time.time_ns() - max(folder[2], folder[3])
    if 0 <= age < _SETTLE_NS:
        time.sleep((_SETTLE_NS - age) / 1e9)


def _build(directory: str, parse: Parser) -> FolderIndex:
    """Read every key file of the folder once."""
    for _attempt in range(3):
        folder = _folder_identity(directory)
        _settle(folder)
        files = list_key_files(directory)
        if _folder_identity(directory) == folder:
            break  # no file added, removed or renamed while it was listed
    keys: List[IndexedKey] = []
    problems: List[Tuple[str, Identity, str]] = []
    for name, identity in files:
        outcome = parse(os.path.join(directory, name), identity)
        STATS["files_parsed"] += 1
        if isinstance(outcome, str):
            problems.append((name, identity, outcome))
        else:
            keys.append(IndexedKey(name, outcome[0], outcome[1], outcome[2], outcome[3], outcome[4], identity))
    by_serial: Dict[str, List[IndexedKey]] = {}
    for key in keys:
        by_serial.setdefault(key.serial_number, []).append(key)
    STATS["indexes_built"] += 1
    return FolderIndex(directory=directory, folder=folder, count=len(keys), groups=summarise(keys),
                       problems=[(name, message) for name, _identity, message in problems[:_SHOWN_PROBLEMS]],
                       problem_count=len(problems), _by_serial=by_serial,
                       _problem_files=[(name, identity) for name, identity, _message in problems])


def summarise(keys: Sequence[IndexedKey]) -> List[ProductGroup]:
    """One group per (product, productid), in the order of the keys' names."""
    members: Dict[Tuple[str, Optional[str]], List[IndexedKey]] = {}
    for key in keys:
        members.setdefault((key.product, key.productid), []).append(key)
    groups = []
    for (product, productid), group in members.items():
        distinct = sorted({key.expires for key in group}, key=lambda value: (value is None, value or ""))
        dated = [key.expires for key in group if key.expires is not None]
        groups.append(ProductGroup(product=product, productid=productid, count=len(group),
                                   expiries=tuple(distinct) if len(distinct) <= _EXPIRY_LIMIT else None,
                                   never=len(dated) < len(group), latest=max(dated) if dated else None,
                                   first=min(group, key=lambda key: key.name)))
    return groups


# -- the shared file -----------------------------------------------------------------------------------


def _connect(path: str) -> Any:
    if not private_file_ok(path):
        raise sqlite3.Error("not a private file")
    return sqlite3.connect("file:%s?mode=ro" % path.replace("?", "%3f").replace("#", "%23"), uri=True)


def _shared_path(directory: str) -> Optional[str]:
    run = run_directory()
    if run is None or sqlite3 is None:
        return None
    digest = hashlib.sha256(os.path.realpath(directory).encode("utf-8", "surrogateescape")).hexdigest()[:32]
    return os.path.join(run, "vapix-acap-keys-%s.sqlite" % digest)


def _meta(index: FolderIndex) -> Dict[str, Any]:
    return {"format": _FORMAT, "folder": list(index.folder), "count": index.count,
            "problems": [list(problem) for problem in index.problems], "problem_count": index.problem_count,
            "groups": [[group.product, group.productid, group.count,
                        list(group.expiries) if group.expiries is not None else None,
                        group.never, group.latest, group.first.to_row()] for group in index.groups]}


def _write_shared(path: str, index: FolderIndex) -> None:
    """Write the index to a new database file, then put it in place."""
    meta = _meta(index)
    temporary = "%s.%d.new" % (path, os.getpid())
    try:
        if os.path.lexists(temporary):
            os.unlink(temporary)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        os.close(descriptor)
        connection = sqlite3.connect(temporary)
        with connection:
            connection.execute("CREATE TABLE meta (value TEXT)")
            connection.execute("CREATE TABLE keys (serial TEXT, name TEXT, row TEXT)")
            connection.execute("CREATE TABLE problems (row TEXT)")
            connection.execute("INSERT INTO meta VALUES (?)", (json.dumps(meta),))
            connection.executemany("INSERT INTO keys VALUES (?, ?, ?)", (
                (key.serial_number, key.name, json.dumps(key.to_row()))
                for keys in (index._by_serial or {}).values() for key in keys))  # pylint: disable=protected-access
            connection.executemany("INSERT INTO problems VALUES (?)", (
                (json.dumps([name, list(identity)]),) for name, identity in (index.problem_files() or [])))
            connection.execute("CREATE INDEX by_serial ON keys (serial)")
        connection.close()
        os.replace(temporary, path)
    except (OSError, sqlite3.Error):
        try:
            os.unlink(temporary)
        except OSError:
            pass  # the index only saves time: without it, each camera reads the folder


def _read_shared(path: str, directory: str, folder: Tuple[int, int, int, int]) -> Optional[FolderIndex]:
    """The shared index if it is for the folder as it is now and every value has its type."""
    try:
        with _connect(path) as connection:
            rows = connection.execute("SELECT value FROM meta").fetchall()
        if len(rows) != 1:
            return None
        meta = json.loads(rows[0][0])
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT or _ints(meta.get("folder"), 4) != folder:
            return None
        return _from_meta(meta, directory, _database=path)
    except (sqlite3.Error, ValueError, TypeError, KeyError, IndexError):
        return None  # unreadable, of another version, or hostile: rebuilt


def _from_meta(meta: Dict[str, Any], directory: str, **more: Any) -> FolderIndex:
    groups = [_group(entry) for entry in _list(meta.get("groups"))]
    problems = [(_name(_list(entry)[0]), _text(entry[1])) for entry in _list(meta.get("problems"))]
    return FolderIndex(directory=directory, folder=_ints(meta.get("folder"), 4), count=_int(meta.get("count")),  # type: ignore[arg-type]
                       groups=groups, problems=problems, problem_count=_int(meta.get("problem_count")), **more)


def _list(value: Any) -> List[Any]:
    if not isinstance(value, list):
        raise TypeError("not a list")
    return value


def _int(value: Any) -> int:
    if type(value) is not int or value < 0:  # pylint: disable=unidiomatic-typecheck  # bool is no count
        raise TypeError("not a count")
    return value


def _ints(value: Any, length: int) -> Tuple[int, ...]:
    values = _list(value)
    if len(values) != length or any(type(each) is not int for each in values):  # pylint: disable=unidiomatic-typecheck
        raise TypeError("not an identity")
    return tuple(values)


def _identity(value: Any) -> Identity:
    return _ints(value, 5)  # type: ignore[return-value]


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def _optional_text(value: Any) -> Optional[str]:
    return None if value is None else _text(value)


def _name(value: Any) -> str:
    name = _text(value)
    if not name or name in (".", "..") or "/" in name or "\0" in name or os.sep in name:
        raise ValueError("not a file name")
    return name


def _date(value: Any) -> Optional[str]:
    text = _optional_text(value)
    if text is not None:
        datetime.date.fromisoformat(text)
    return text


def _instant(value: Any) -> Optional[str]:
    text = _optional_text(value)
    if text is not None and datetime.datetime.fromisoformat(text).tzinfo is None:
        raise ValueError("an instant without zone")
    return text


def _key_of(row: Any) -> IndexedKey:
    values = _list(row)
    if len(values) != 7:
        raise ValueError("not a key row")
    return IndexedKey(name=_name(values[0]), product=_text(values[1]), productid=_optional_text(values[2]),
                      serial_number=_text(values[3]), expires=_date(values[4]), expires_at=_instant(values[5]),
                      identity=_identity(values[6]))


def _group(entry: Any) -> ProductGroup:
    values = _list(entry)
    if len(values) != 7 or not isinstance(values[4], bool):
        raise ValueError("not a group")
    expiries = None if values[3] is None else tuple(_date(each) for each in _list(values[3]))
    return ProductGroup(product=_text(values[0]), productid=_optional_text(values[1]), count=_int(values[2]),
                        expiries=expiries, never=values[4], latest=_date(values[5]), first=_key_of(values[6]))


# -- the index of a folder --------------------------------------------------------------------------------

# Indexes this process has read or built, by the folder's real path.
_MEMORY: Dict[str, FolderIndex] = {}
_MEMORY_LIMIT = 16


def folder_index(directory: str, parse: Parser, rebuild: bool = False) -> FolderIndex:
    """The folder's index: this process's, the run's shared one, or built now (and shared).
    ``rebuild``: the index in use was found stale or unreadable: read the folder again."""
    real = os.path.realpath(directory)
    folder = _folder_identity(directory)
    known = _MEMORY.get(real)
    if not rebuild and known is not None and known.folder == folder and known.directory == directory:
        return known
    shared = _shared_path(directory)
    if shared is None:
        index = _build(directory, parse)
    else:
        found = None if rebuild else _read_shared(shared, directory, folder)
        if found is None:
            with locked(shared):
                # Another worker may have built it while this one waited for the lock.
                found = None if rebuild else _read_shared(shared, directory, folder)
                if found is None:
                    found = _build(directory, parse)
                    _write_shared(shared, found)
                else:
                    STATS["indexes_reused"] += 1
        else:
            STATS["indexes_reused"] += 1
        index = found
    if len(_MEMORY) >= _MEMORY_LIMIT:
        _MEMORY.clear()
    _MEMORY[real] = index
    return index


# -- the module path -------------------------------------------------------------------------------------

# When the module runs on another host, the action plugin copies to a remote folder only this summary
# of the key folder (no key content) and, once the module has said which serial number it needs, the
# key files of that serial number: never the whole folder.
SUMMARY_NAME = "vapix-acap-key-summary.json"
_SUMMARY_LIMIT = 16 * 1024 * 1024


class KeyFilesNeeded(AcapError):
    """The module, running on another host, needs the key files of this serial number."""

    RESULT_FIELD = "vapix_acap_key_files_needed"

    def __init__(self, serial: str) -> None:
        super().__init__(
            "The key files for serial number %s were not sent with the module; the vapix.acap action plugin "
            "sends them when asked. Run the module through its action plugin (as an Ansible task)." % serial,
            result={self.RESULT_FIELD: serial},
        )


def summary_document(index: FolderIndex, serial: Optional[str]) -> bytes:
    """The summary sent with the module; ``serial``: the serial number whose key files are sent too."""
    return json.dumps(dict(_meta(index), sent_for=serial)).encode("utf-8")


def sent_index(directory: str, parse: Parser) -> Optional[FolderIndex]:
    """The index of a folder the action plugin sent (a summary and some key files), or None."""
    path = os.path.join(directory, SUMMARY_NAME)
    if not os.path.isfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            meta = json.loads(handle.read(_SUMMARY_LIMIT))
        if not isinstance(meta, dict) or meta.get("format") != _FORMAT:
            raise ValueError("another format")
        index = _from_meta(meta, directory, sent_for=_optional_text(meta.get("sent_for")), deferred=True)
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        raise LicenseKeyError("The key folder summary %s sent with the module cannot be read; run the task again."
                              % path) from None
    built = _build(directory, parse)  # the few files that came with it
    index._by_serial = built._by_serial  # pylint: disable=protected-access
    return index
