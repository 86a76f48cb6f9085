# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The camera list the inventory plugin vapix.acap.cameras reads: CSV or YAML, as camera management tools export.

One camera per row (CSV) or list item (YAML): its address, optionally a name (the inventory host name;
the address when there is none), a port, and the name of a credentials set of the inventory configuration.
Column names are matched without case, blanks, dashes and underscores, and the usual spellings of
exported lists are accepted (``IP address``, ``Device name``, ...). Other columns are kept as they are.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

# Normalized column name -> field; the spellings seen in exports of camera management tools.
COLUMNS = {
    "address": "address", "ipaddress": "address", "ip": "address", "host": "address", "hostname": "address",
    "name": "name", "devicename": "name", "cameraname": "name",
    "port": "port",
    "credentials": "credentials", "credential": "credentials", "credentialsref": "credentials",
}


class CameraListError(ValueError):
    """The camera list cannot be used; the message names the file, the row and the cause."""


@dataclass
class CameraEntry:
    """One camera of the list."""

    address: str
    name: str
    port: Optional[int] = None
    credentials: Optional[str] = None
    extra: Dict[str, Any] = field(default_factory=dict)


def _key(column: Any) -> str:
    return re.sub(r"[\s_\-]+", "", str(column)).lower()


def _entry(row: Dict[Any, Any], where: str) -> Optional[CameraEntry]:
    known: Dict[str, Any] = {}
    extra: Dict[str, Any] = {}
    for column, value in row.items():
        if column is None:  # a CSV row with more cells than the header
            raise CameraListError("%s has more cells than the header has columns" % where)
        target = COLUMNS.get(_key(column))
        value = value.strip() if isinstance(value, str) else value
        if target:
            known[target] = value
        else:
            extra[str(column)] = value
    if not any(value not in (None, "") for value in list(known.values()) + list(extra.values())):
        return None  # an empty row
    address = known.get("address")
    if not address:
        raise CameraListError("%s has no address (columns: address, IP address or hostname)" % where)
    port = known.get("port")
    if port not in (None, ""):
        try:
            port = int(port)
        except (TypeError, ValueError):
            raise CameraListError("%s: port %r is not a number" % (where, port)) from None
        if not 0 < port < 65536:
            raise CameraListError("%s: port %d is not between 1 and 65535" % (where, port))
    else:
        port = None
    return CameraEntry(address=str(address), name=str(known.get("name") or address), port=port,
                       credentials=str(known["credentials"]) if known.get("credentials") else None, extra=extra)


def parse_camera_list(text: str, label: str, yaml_loader: Any = None) -> List[CameraEntry]:
    """The cameras of a CSV or YAML list (YAML when ``label`` ends with .yml/.yaml; ``yaml_loader``
    parses it). Duplicate host names are an error: two cameras would become one inventory host."""
    if label.lower().endswith((".yml", ".yaml")):
        document = yaml_loader(text) if yaml_loader else None
        if isinstance(document, dict):
            document = document.get("cameras")
        if not isinstance(document, list):
            raise CameraListError("%s must be a list of cameras (or a mapping with the key cameras)" % label)
        rows = []
        for index, item in enumerate(document, start=1):
            if not isinstance(item, dict):
                raise CameraListError("%s item %d is not a mapping with an address" % (label, index))
            rows.append((item, "%s item %d" % (label, index)))
    else:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey=None)
        rows = [(row, "%s line %d" % (label, reader.line_num)) for row in reader]
    cameras: List[CameraEntry] = []
    seen: Dict[str, str] = {}
    for row, where in rows:
        entry = _entry(row, where)
        if entry is None:
            continue
        if entry.name in seen:
            raise CameraListError("%s: the name %s is also at %s; every camera needs its own name"
                                  % (where, entry.name, seen[entry.name]))
        seen[entry.name] = where
        cameras.append(entry)
    return cameras
