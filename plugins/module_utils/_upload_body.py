# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A package upload's body: one multipart file part, streamed from disk while it is sent.

Its length is known in advance (so the request has a Content-Length), and only one chunk of the
file is in memory at a time (docs/client.md, Uploads).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator

from ansible_collections.vapix.acap.plugins.module_utils._deadlines import Exchange
from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError

try:
    from urllib3.fields import RequestField
    from urllib3.filepost import choose_boundary, encode_multipart_formdata
except ImportError:  # comes with requests; the client refuses to start without it (_transport.HAS_REQUESTS)
    pass

# Bytes read from disk (and sent) at a time when streaming a package.
UPLOAD_CHUNK_SIZE = 64 * 1024


@dataclass
class FileUpload:
    """A multipart form with one file part whose content is read from ``path`` while it is sent."""

    field_name: str
    filename: str
    path: str


class MultipartFile:
    """A ``multipart/form-data`` body with one file part, read from disk as it is sent.

    Each send opens the file again, so a resend carries the whole package."""

    def __init__(self, upload: FileUpload) -> None:
        boundary = choose_boundary()
        part = RequestField(name=upload.field_name, data=b"", filename=upload.filename)
        part.make_multipart(content_type="application/octet-stream")
        # urllib3 frames an empty part; the file's bytes go between its head and its tail.
        framing, self.content_type = encode_multipart_formdata([part], boundary=boundary)
        tail = ("\r\n--%s--\r\n" % boundary).encode("latin-1")
        self._head = framing[: len(framing) - len(tail)]
        self._tail = tail
        self._path = upload.path
        try:
            self._file = open(upload.path, "rb")  # pylint: disable=consider-using-with
        except OSError as exc:
            raise PackageError("Package %s cannot be read: %s" % (upload.path, exc.strerror or exc)) from None
        self._file_size = os.fstat(self._file.fileno()).st_size
        self._file_left = self._file_size
        self.len = len(self._head) + self._file_size + len(tail)
        self._buffer = self._head

    def __len__(self) -> int:
        return self.len

    def __iter__(self) -> Iterator[bytes]:
        while True:
            chunk = self.read(UPLOAD_CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = UPLOAD_CHUNK_SIZE
        if not self._buffer and self._file_left:
            chunk = self._file.read(min(size, self._file_left, UPLOAD_CHUNK_SIZE))
            if not chunk:
                raise PackageError(
                    "Package %s became shorter while it was being sent (%d of %d bytes): do not change a package "
                    "while a task uploads it" % (self._path, self._file_size - self._file_left, self._file_size)
                )
            self._file_left -= len(chunk)
            self._buffer = chunk
            if not self._file_left:
                self._buffer += self._tail
                self._tail = b""
        elif not self._buffer:
            self._buffer, self._tail = self._tail, b""
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        exchange = Exchange.current()
        if exchange is not None:
            exchange.body_bytes_sent += len(chunk)
        return chunk

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "MultipartFile":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()
