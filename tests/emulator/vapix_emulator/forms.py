"""Request arguments: query string, urlencoded form body, multipart form body (with file parts)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple
from urllib.parse import parse_qsl

_PARAM = re.compile(r';\s*([A-Za-z0-9_*-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^;\s]*)')


@dataclass
class FilePart:
    field_name: str
    filename: str
    data: bytes


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
            logged[part.field_name] = "<file {0!r}, {1} bytes>".format(part.filename, len(part.data))
        return logged


def header_params(value: str) -> Tuple[str, Dict[str, str]]:
    """``multipart/form-data; boundary=x`` -> ("multipart/form-data", {"boundary": "x"})."""
    main, _separator, rest = value.partition(";")
    params = {}
    for match in _PARAM.finditer(";" + rest):
        params[match.group(1).lower()] = match.group(3) if match.group(3) is not None else match.group(2)
    return main.strip().lower(), params


def parse_multipart(body: bytes, boundary: str) -> Tuple[List[Tuple[str, str]], List[FilePart]]:
    delimiter = b"--" + boundary.encode("latin-1")
    fields: List[Tuple[str, str]] = []
    files: List[FilePart] = []
    pieces = body.split(delimiter)
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        if piece.startswith(b"\r\n"):
            piece = piece[2:]
        head, sep, data = piece.partition(b"\r\n\r\n")
        if not sep:
            continue
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers = {}
        for line in head.decode("latin-1").split("\r\n"):
            name, _separator, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = header_params(headers.get("content-disposition", ""))[1]
        name = disposition.get("name", "")
        # A part with a file name or a binary content type is a file, whatever its field name.
        if "filename" in disposition or headers.get("content-type", "").lower().startswith("application/"):
            files.append(FilePart(name, disposition.get("filename", ""), data))
        else:
            fields.append((name, data.decode("utf-8", "replace")))
    return fields, files


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
