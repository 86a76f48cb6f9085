# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Files that the forked workers of one ansible-playbook run share: what one worker has worked out
from a local file (a key folder's index, a package's facts) is read by the next instead of worked out
again.

They live in the run's private temporary directory (Ansible's ``DEFAULT_LOCAL_TMP``, made by
``mkdtemp``: mode 0700, removed when the run ends), which the action plugin names here before the
logic runs. A directory that is not a directory owned by this user and closed to everyone else, or a
file that is a link, not this user's, or open to others, is not used: the logic then works without
the shared file (slower, never wrong). Outside an action plugin (a module run on a remote host) there
is no run directory and nothing is shared.
"""

from __future__ import annotations

import os
import stat
import tempfile
from contextlib import contextmanager
from typing import Iterator, Optional

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, the builders may then work twice
    fcntl = None  # type: ignore[assignment]

_RUN_DIRECTORY: Optional[str] = None


def set_run_directory(path: Optional[str]) -> None:
    """Called by the action plugin in each worker with the run's private temporary directory."""
    global _RUN_DIRECTORY  # pylint: disable=global-statement
    _RUN_DIRECTORY = path


def _private(status: os.stat_result) -> bool:
    return status.st_uid == os.geteuid() and not status.st_mode & 0o077


def run_directory() -> Optional[str]:
    """The run's directory when it is safe to share files in it, else None."""
    if not _RUN_DIRECTORY:
        return None
    try:
        status = os.lstat(_RUN_DIRECTORY)
    except OSError:
        return None
    return _RUN_DIRECTORY if stat.S_ISDIR(status.st_mode) and _private(status) else None


def private_file_ok(path: str) -> bool:
    """``path`` is a regular file (not a link) of this user that nobody else can read or write."""
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(status.st_mode) and _private(status)


def read_private(path: str, limit: int) -> Optional[bytes]:
    """The file's bytes (at most ``limit``) if it is a private file of this user; None otherwise."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if not stat.S_ISREG(status.st_mode) or not _private(status) or status.st_size > limit:
            return None
        return handle.read(limit + 1)


def write_private(path: str, data: bytes) -> None:
    """Write atomically with mode 0600 (readers see the old file or the whole new one)."""
    handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


@contextmanager
def locked(path: str) -> Iterator[None]:
    """An exclusive lock on ``path + ".lock"``: one worker builds a shared file while the others wait."""
    descriptor = None
    if fcntl is not None:
        try:
            descriptor = os.open(path + ".lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError:
            if descriptor is not None:
                os.close(descriptor)
            descriptor = None  # no lock: at worst two workers build the same file
    try:
        yield
    finally:
        if descriptor is not None:
            os.close(descriptor)  # releases the lock
