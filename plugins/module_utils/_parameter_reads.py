# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading application parameters from param.cgi, and telling which of them the device hides.

- ``read_parameters(client, app)``: one ``action=list&group=root.<App>`` -> {Name: value} (exact
  values, in the device's charset), or None when the device has no such group (its ``# Error``
  answer, whatever the HTTP status: the application has no parameters).
- ``read_types(client, apps)``: one ``action=listdefinitions`` -> {App: {Name: ParameterType}}, or
  None where the firmware cannot tell types.
- ``read_all_parameters(client, apps)``: every application in one list (plus one listdefinitions
  only when a value could be a password's), split into plain values and masked passwords.

Passwords: the device lists a password as a row of ``*`` (empty when unset) and nothing else is
masked. Where it tells types, a parameter is a password when its type says so (a plain value made
only of ``*`` is then shown as it is); without types, a value made only of ``*`` is taken for one.
"""

from __future__ import annotations

import re
from typing import Dict, FrozenSet, Iterable, Mapping, Optional, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    DeviceError,
    EndpointNotFoundError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._parameter_types import ParameterType

SECRET_MASK = "********"

Types = Optional[Mapping[str, ParameterType]]  # None: the device cannot tell (older firmware)

_HIDDEN_VALUE = re.compile(r"^\*+$")


def is_hidden_value(value: Optional[str]) -> bool:
    """A value made only of ``*``: how the device lists a password that is set."""
    return bool(value) and bool(_HIDDEN_VALUE.match(value or ""))


def is_password(name: str, value: Optional[str], types: Types) -> bool:
    """Whether the device hides ``name``: its type says password; without types (firmware without
    listdefinitions), a value made only of ``*`` is taken for one."""
    if types is None:
        return is_hidden_value(value)
    kind = types.get(name)
    return kind is not None and kind.secret


def masked_view(current: Mapping[str, str], secret_names: Iterable[str] = ()) -> Dict[str, str]:
    """``current`` with every secret shown as ``SECRET_MASK`` (an unset one, listed empty, stays empty)."""
    secrets = set(secret_names)
    return {name: SECRET_MASK if name in secrets and value != "" else value for name, value in current.items()}


def secret_names_of(current: Mapping[str, str], types: Types, declared: Iterable[str] = ()) -> FrozenSet[str]:
    """The parameters to keep out of every output: declared secret, or passwords of the device."""
    passwords = {name for name, value in current.items() if is_password(name, value, types)}
    typed_secret = {name for name, kind in (types or {}).items() if kind.secret}
    return frozenset(set(declared) | passwords | typed_secret)


def group_of(app: str) -> str:
    return "root.%s" % app


def split_group(app: str, listed: Mapping[str, str]) -> Dict[str, str]:
    """``parse_param_list`` keys ``<App>.<Name>`` -> {Name: value} for ``app``. The group is matched
    without regard to letter case (the device may spell it its own way); names are kept as listed."""
    prefix = app.lower() + "."
    return {key[len(prefix):]: value for key, value in listed.items() if key.lower().startswith(prefix)}


def read_parameters(client: VapixClient, app: str) -> Optional[Dict[str, str]]:
    """One param.cgi list of ``root.<app>`` -> {Name: value}; None when the device has no such group
    (its ``# Error`` answer, whatever the HTTP status: the application has no parameters)."""
    try:
        listed = client.get_parameters(group_of(app))
    except DeviceError as exc:
        if exc.endpoint == "param.cgi":
            return None
        raise
    return split_group(app, listed)


def read_types(client: VapixClient, apps: Iterable[str]) -> Optional[Dict[str, Dict[str, ParameterType]]]:
    """One param.cgi listdefinitions of the applications' groups (joined by commas) -> {App: {Name: type}};
    None when the firmware does not tell types (``# Error``), or answers anything else that is not the
    definitions: then everything works as without types (a value of only ``*`` is taken for a password)."""
    names = list(apps)
    try:
        definitions = client.get_parameter_definitions(",".join(group_of(app) for app in names))
    except (DeviceError, UnexpectedResponseError, EndpointNotFoundError):
        return None
    if definitions is None:
        return None
    return {app: split_group(app, definitions) for app in names}


def read_all_parameters(client: VapixClient, apps: Iterable[str]) -> Tuple[Dict[str, Dict[str, str]], Dict[str, Dict[str, str]]]:
    """Every application's parameters in ONE param.cgi list (the groups joined by commas), as
    ({App: {Name: value}} without passwords, {App: {Name: SECRET_MASK}} of the passwords). The types
    are read (one listdefinitions) only when a value could be a password's (empty or only ``*``);
    without types, only ``*`` values are taken for passwords. An application without parameters maps to {}."""
    names = list(apps)
    if not names:
        return {}, {}
    try:
        listed = client.get_parameters(",".join(group_of(app) for app in names))
    except DeviceError as exc:
        if exc.endpoint != "param.cgi":
            raise
        listed = {}  # no application has parameters
    values = {app: split_group(app, listed) for app in names}
    maybe = [app for app in names if any(value == "" or is_hidden_value(value) for value in values[app].values())]
    types = read_types(client, maybe) if maybe else None
    plain: Dict[str, Dict[str, str]] = {}
    secret: Dict[str, Dict[str, str]] = {}
    for app in names:
        app_types = types.get(app) if types is not None else None
        passwords = secret_names_of(values[app], app_types)
        plain[app] = {name: value for name, value in values[app].items() if name not in passwords}
        secret[app] = masked_view({name: value for name, value in values[app].items() if name in passwords}, passwords)
    return plain, secret
