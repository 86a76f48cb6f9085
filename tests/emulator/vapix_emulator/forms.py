"""Request arguments: query string, urlencoded form body, multipart form body (with file parts).

Multipart bodies are parsed as they arrive (:class:`MultipartParser`), and file parts go to spooled
temporary files, so an upload of hundreds of megabytes never sits in memory as a whole.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from typing import IO, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)')
# A file part stays in memory up to this size, then moves to a temporary file.
SPOOL_IN_MEMORY = 1024 * 1024
# Plain (non-file) fields are short; a longer one is cut here (the device would refuse it anyway).
MAX_FIELD_BYTES = 64 * 1024
MAX_PART_HEAD_BYTES = 16 * 1024


@dataclass
class FilePart:
    field_name: str
    filename: str
    stream: IO[bytes]
    size: int = 0

    @property
    def data(self) -> bytes:
        """The whole part (for small parts such as license keys)."""
        self.stream.seek(0)
        return self.stream.read()

    def open(self) -> IO[bytes]:
        """The part's file, positioned at its start (for packages: read it in steps)."""
        self.stream.seek(0)
        return self.stream

    def close(self) -> None:
        self.stream.close()


@dataclass
class Arguments:
    values: Dict[str, str] = field(default_factory=dict)
    files: List[FilePart] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    @property
    def first_file(self) -> Optional[FilePart]:
        return self.files[0] if self.files else None

    def for_log(self) -> Dict[str, str]:
        """Arguments for the request log: fields as sent, file parts as a short description."""
        logged = dict(self.values)
        for part in self.files:
            logged[part.field_name] = "<file {0!r}, {1} bytes>".format(part.filename, part.size)
        return logged

    def close(self) -> None:
        for part in self.files:
            part.close()


def header_params(value: str) -> Tuple[str, Dict[str, str]]:
    """``multipart/form-data; boundary=x`` -> ("multipart/form-data", {"boundary": "x"})."""
    main, _separator, rest = value.partition(";")
    params = {}
    for match in _PARAM.finditer(";" + rest):
        params[match.group(1).lower()] = match.group(3) if match.group(3) is not None else match.group(2)
    return main.strip().lower(), params


class MultipartParser:
    """``feed(chunk)`` as the body arrives, then ``finish()``; fields and file parts are then ready.

    The stream is read as if it started with CRLF, so every delimiter is ``CRLF--boundary``. Only a
    delimiter's length of bytes is held back between chunks: the work is linear in the body size.
    """

    def __init__(self, boundary: str) -> None:
        self._delimiter = b"\r\n--" + boundary.encode("latin-1")
        self._buffer = bytearray(b"\r\n")
        self._state = "preamble"  # preamble -> after_delimiter -> head -> data -> after_delimiter ... -> done
        self._part_head: Dict[str, str] = {}
        self._file: Optional[FilePart] = None
        self._field: Optional[bytearray] = None
        self.fields: List[Tuple[str, str]] = []
        self.files: List[FilePart] = []

    def feed(self, chunk: bytes) -> None:
        self._buffer += chunk
        while self._advance():
            pass

    def finish(self) -> None:
        """End of body: a part without its closing delimiter is kept as far as it came."""
        if self._state == "data":
            self._write(bytes(self._buffer))
            self._buffer.clear()
            self._end_part()
        self._state = "done"

    def _advance(self) -> bool:
        buffer = self._buffer
        if self._state in ("preamble", "data"):
            index = buffer.find(self._delimiter)
            if index < 0:
                keep = len(self._delimiter) - 1
                if self._state == "data" and len(buffer) > keep:
                    self._write(bytes(buffer[: len(buffer) - keep]))
                    del buffer[: len(buffer) - keep]
                elif self._state == "preamble" and len(buffer) > keep:
                    del buffer[: len(buffer) - keep]
                return False
            if self._state == "data":
                self._write(bytes(buffer[:index]))
                self._end_part()
            del buffer[: index + len(self._delimiter)]
            self._state = "after_delimiter"
            return True
        if self._state == "after_delimiter":
            if len(buffer) < 2:
                return False
            if buffer[:2] == b"--":
                self._state = "done"
                buffer.clear()
                return False
            end_of_line = buffer.find(b"\r\n")
            if end_of_line < 0:
                return False
            del buffer[: end_of_line + 2]  # transport padding after the delimiter, then CRLF
            self._state = "head"
            return True
        if self._state == "head":
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(buffer) > MAX_PART_HEAD_BYTES:
                    self._state = "done"  # not a multipart body a device would read
                    buffer.clear()
                return False
            self._start_part(bytes(buffer[:end]))
            del buffer[: end + 4]
            self._state = "data"
            return True
        buffer.clear()  # done: the epilogue is ignored
        return False

    def _start_part(self, head: bytes) -> None:
        headers: Dict[str, str] = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _separator, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = header_params(headers.get("content-disposition", ""))[1]
        name = disposition.get("name", "")
        # A part with a file name or a binary content type is a file, whatever its field name.
        if "filename" in disposition or headers.get("content-type", "").lower().startswith("application/"):
            stream = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, prefix="vapix-emulator-part-")
            self._file = FilePart(name, disposition.get("filename", ""), stream)
        else:
            self._part_head = {"name": name}
            self._field = bytearray()

    def _write(self, data: bytes) -> None:
        if self._file is not None:
            self._file.stream.write(data)
            self._file.size += len(data)
        elif self._field is not None and len(self._field) < MAX_FIELD_BYTES:
            self._field += data[: MAX_FIELD_BYTES - len(self._field)]

    def _end_part(self) -> None:
        if self._file is not None:
            self.files.append(self._file)
            self._file = None
        elif self._field is not None:
            self.fields.append((self._part_head.get("name", ""), self._field.decode("utf-8", "replace")))
            self._field = None


def parse_multipart(body: bytes, boundary: str) -> Tuple[List[Tuple[str, str]], List[FilePart]]:
    parser = MultipartParser(boundary)
    parser.feed(body)
    parser.finish()
    return parser.fields, parser.files


def multipart_boundary(content_type: str) -> str:
    """The boundary of a multipart/form-data body, or "" for any other body."""
    kind, params = header_params(content_type)
    return params.get("boundary", "") if kind == "multipart/form-data" else ""


def arguments_from_parts(query: List[Tuple[str, str]], parser: MultipartParser) -> Arguments:
    arguments = Arguments(values=dict(query))
    arguments.values.update(parser.fields)
    arguments.files = parser.files
    return arguments


def parse_arguments(query: List[Tuple[str, str]], content_type: str, body: Optional[bytes]) -> Arguments:
    """Query string first, then the form body (a body field wins over the same query field)."""
    arguments = Arguments(values=dict(query))
    if not body:
        return arguments
    kind, params = header_params(content_type)
    if kind == "application/x-www-form-urlencoded":
        arguments.values.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    elif kind == "multipart/form-data" and params.get("boundary"):
        fields, files = parse_multipart(body, params["boundary"])
        arguments.values.update(fields)
        arguments.files = files
    return arguments
