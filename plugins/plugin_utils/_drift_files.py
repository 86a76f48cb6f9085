# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where the drift report goes, and writing it there safely.

- Under ansible-runner (AWX, Automation Platform, ``ansible-runner run``) the runner exports the job's
  artifact folder as ``AWX_ISOLATED_DATA_DIR``; the report goes to ``<that folder>/drift-report`` unless
  ``report_dir`` is set. Elsewhere it goes to ``./drift-report``.
- Every file is written as a temporary file in the same folder and renamed over the old one: a reader
  (or a second run writing the same folder) sees the old file or the new one, never half of one. The
  folder is opened once and every name is resolved relative to it with ``O_NOFOLLOW``, and a rename
  replaces a symbolic link planted under a report name instead of writing through it.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
from typing import Any, Iterator, Optional

RUNNER_ARTIFACT_VARIABLE = "AWX_ISOLATED_DATA_DIR"
DEFAULT_FOLDER_NAME = "drift-report"
# A previous file larger than this is not a report this callback wrote: it is not read.
MAX_READ = 256 * 1024 * 1024
_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class ReportFolderError(Exception):
    """The report folder cannot be created or written."""


def runner_artifact_dir() -> Optional[str]:
    """The job's artifact folder when ansible-runner runs this ansible-playbook, else None."""
    value = os.environ.get(RUNNER_ARTIFACT_VARIABLE)
    return value or None


def runner_ident() -> Optional[str]:
    """The runner's job identifier (AWX: the job id): the last part of the artifact folder."""
    folder = runner_artifact_dir()
    return os.path.basename(os.path.normpath(folder)) if folder else None


def default_report_dir() -> str:
    folder = runner_artifact_dir()
    return os.path.join(folder, DEFAULT_FOLDER_NAME) if folder else DEFAULT_FOLDER_NAME


class ReportFolder:
    """One folder of the report, opened once; names inside it never follow a symbolic link."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self._fd = fd

    @classmethod
    def open(cls, path: str) -> "ReportFolder":
        """Create the folder when missing and check that a file can be created in it."""
        try:
            os.makedirs(path, exist_ok=True)
            fd = os.open(path, _DIRECTORY_FLAGS)
        except OSError as exc:
            raise ReportFolderError("cannot create or open the report folder %s: %s" % (path, exc.strerror or exc))
        folder = cls(path, fd)
        folder.write_text(".write-test", "")
        folder.remove(".write-test")
        return folder

    @classmethod
    def check(cls, path: str) -> None:
        """Raise ReportFolderError when ``path`` could not be created or written, without creating it."""
        if os.path.lexists(path):
            cls.open(path).close()
            return
        parent = os.path.dirname(os.path.abspath(path))
        while not os.path.lexists(parent):
            parent = os.path.dirname(parent)
        if not os.path.isdir(parent) or not os.access(parent, os.W_OK | os.X_OK):
            raise ReportFolderError("cannot create the report folder %s: %s is not a folder this user can write"
                                    % (path, parent))

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> "ReportFolder":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def subfolder(self, name: str) -> "ReportFolder":
        """``name`` inside this folder, created when missing; a symbolic link there is refused."""
        try:
            os.mkdir(name, 0o755, dir_fd=self._fd)
        except FileExistsError:
            pass
        except OSError as exc:
            raise ReportFolderError("cannot create %s in %s: %s" % (name, self.path, exc.strerror or exc))
        try:
            fd = os.open(name, _DIRECTORY_FLAGS | _NOFOLLOW, dir_fd=self._fd)
        except OSError as exc:
            raise ReportFolderError("cannot open %s in %s (a symbolic link or not a folder): %s"
                                    % (name, self.path, exc.strerror or exc))
        return ReportFolder(os.path.join(self.path, name), fd)

    def write_text(self, name: str, text: str) -> None:
        """Write ``name`` atomically: a temporary file in this folder, renamed over ``name``."""
        temporary = ".%s.%d.%s.tmp" % (name, os.getpid(), secrets.token_hex(4))
        data = text.encode("utf-8", errors="surrogateescape")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644, dir_fd=self._fd)
            try:
                view = memoryview(data)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            finally:
                os.close(fd)
            os.replace(temporary, name, src_dir_fd=self._fd, dst_dir_fd=self._fd)
        except OSError as exc:
            self.remove(temporary)
            raise ReportFolderError("cannot write %s: %s" % (os.path.join(self.path, name), exc.strerror or exc))

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[None]:
        """An exclusive lock on the lock file ``name`` (created when missing) while the block runs: two runs
        that update the same file take turns."""
        try:
            fd = os.open(name, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644, dir_fd=self._fd)
        except OSError as exc:
            raise ReportFolderError(
                "cannot open the lock file %s: %s" % (os.path.join(self.path, name), exc.strerror or exc))
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def remove(self, name: str) -> None:
        try:
            os.unlink(name, dir_fd=self._fd)
        except OSError:
            pass

    def read_json(self, name: str) -> Any:
        """The JSON document ``name`` holds; None when it is missing, a link, too big or not JSON."""
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW, dir_fd=self._fd)
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR):
                raise ReportFolderError("cannot read %s: %s" % (os.path.join(self.path, name), exc.strerror))
            return None
        try:
            with os.fdopen(fd, "rb") as handle:
                data = handle.read(MAX_READ + 1)
        except OSError:  # a folder under that name, or an I/O error: not a report
            return None
        if len(data) > MAX_READ:
            return None
        try:
            return json.loads(data.decode("utf-8", errors="replace"))
        except ValueError:
            return None

    def names(self) -> list:
        try:
            return os.listdir(self._fd)
        except OSError:
            return []
