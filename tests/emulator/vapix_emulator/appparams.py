"""Application parameters (acap-formats.md, "Application parameters"): the device's own reading.

An application declares its parameters in its package: ACAP 4 in manifest.json
``acapPackageConf.configuration.paramConfig`` (a list of ``{"name", "default", "type"}``), ACAP 3 in
``param.conf``. Installing creates them as ``root.<App>.<Name>`` with their defaults, an upgrade
keeps the values set and adds new parameters with their defaults (parameters the new version no
longer declares go away), removing the application removes them. param.cgi lists them
(``action=list``) and sets them (``action=update``), all or nothing, with the type checks below.

Choices where the spec is silent (also in docs/axis_acap_parameters.md):

* ACAP 3 ``param.conf``: one parameter a line, ``Name="default"``, optionally followed by
  ``type="<type>"`` on the same line (the "type file" information kept next to the value); no type
  means ``string``. Blank lines and ``#`` comments are skipped.
* Types: ``string``; ``int`` with optional ``min=``/``max=`` (``int:min=0,max=100``); ``bool:<false>,<true>``
  (the two words; bare ``bool`` means ``no,yes``); ``enum:a|b|c``. A type naming ``password`` is a
  password: any value is accepted, and ``action=list`` shows it as ``********`` (empty when unset),
  as cameras do. A type naming ``hidden`` (``hidden:string``) is only a settings-page flag: listed in
  clear, flagged ``hidden="true"`` in the definitions. Any other type is checked like ``string``.

What the captures of real cameras show (acap-formats.md, "What real devices and packages show"),
and the emulator does by default (docs/emulator.md, "param.cgi like the cameras"):

* param.cgi text is ISO-8859-1 both ways (``Profile.param_charset``; ``utf-8`` answers with a
  ``charset=utf-8`` Content-Type); values are stored exactly as sent.
* An update refuses per parameter and applies the others: one ``# Error: Error setting 'root.X' to
  'Y'!`` line per refused parameter. ``# Error`` answers come with ``Profile.param_error_status``
  (200, or 400 like some firmware).
* ``action=listdefinitions&listformat=xmlschema`` answers the types as XML, from AXIS OS 6.50 on (an
  emulator choice: older firmware answers ``# Error``).
"""

from __future__ import annotations

import json
import re
from xml.sax.saxutils import escape, quoteattr
from typing import Any, Dict, List, Optional, Tuple

from .eap import INVALID_METADATA, PackageError

HIDDEN_VALUE = "********"
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_ACAP3_LINE = re.compile(r'^([A-Za-z][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"(?:\s+type="((?:[^"\\]|\\.)*)")?\s*$')

Parameter = Dict[str, str]  # {"name", "type", "value"}


# --------------------------------------------------------------------------------------------------
# Types
# --------------------------------------------------------------------------------------------------


def is_secret(type_text: str) -> bool:
    """A password: listed as ``*`` (``hidden`` alone is listed in clear, as on cameras)."""
    return "password" in type_text.lower()


def is_hidden_flag(type_text: str) -> bool:
    return "hidden" in type_text.lower()


def _kind(type_text: str) -> Tuple[str, str]:
    kind, _separator, spec = type_text.partition(":")
    kind = kind.strip().lower()
    if kind == "hidden":  # hidden:<type>: the flag, then the type
        return _kind(spec)
    return kind, spec.strip()


def bool_words(type_text: str) -> Tuple[str, str]:
    """(false word, true word) of a ``bool`` type."""
    _kind_name, spec = _kind(type_text)
    words = [word.strip() for word in spec.split(",")] if spec else []
    if len(words) == 2 and all(words):
        return words[0], words[1]
    return "no", "yes"


def _int_bounds(spec: str) -> Tuple[Optional[int], Optional[int]]:
    bounds: Dict[str, int] = {}
    for item in spec.split(","):
        key, _separator, value = item.partition("=")
        key = key.strip().lower()
        if key in ("min", "max"):
            try:
                bounds[key] = int(value.strip())
            except ValueError:
                pass
    return bounds.get("min"), bounds.get("max")


def check_value(type_text: str, value: str) -> Optional[str]:
    """Why ``value`` is refused for ``type_text``; None when it is accepted."""
    if is_secret(type_text):
        return None
    kind, spec = _kind(type_text)
    if kind == "int":
        try:
            number = int(value.strip(), 10)
        except ValueError:
            return "not an integer"
        low, high = _int_bounds(spec)
        if (low is not None and number < low) or (high is not None and number > high):
            return "out of range [{0}, {1}]".format("" if low is None else low, "" if high is None else high)
        return None
    if kind == "bool":
        words = bool_words(type_text)
        return None if value in words else "must be {0} or {1}".format(*words)
    if kind == "enum":
        choices = spec.split("|")
        return None if value in choices else "must be one of {0}".format(", ".join(choices))
    return None


# --------------------------------------------------------------------------------------------------
# Packages
# --------------------------------------------------------------------------------------------------


def _definition(name: Any, default: Any, type_text: Any, source: str) -> Parameter:
    if not isinstance(name, str) or not _NAME.match(name):
        raise PackageError(INVALID_METADATA, "{0}: parameter name {1!r} must start with a letter and hold letters, digits or _".format(source, name))
    if isinstance(default, bool):
        default = "yes" if default else "no"
    value = "" if default is None else str(default)
    type_text = "string" if type_text in (None, "") else str(type_text)
    problem = check_value(type_text, value)
    if problem:
        raise PackageError(INVALID_METADATA, "{0}: default {1!r} of parameter {2} {3} (type {4})".format(source, value, name, problem, type_text))
    return {"name": name, "type": type_text, "value": value}


def _from_manifest(raw: bytes) -> List[Parameter]:
    manifest = json.loads(raw.decode("utf-8"))  # eap.read_package has refused invalid JSON already
    conf = manifest.get("acapPackageConf") if isinstance(manifest, dict) else None
    configuration = conf.get("configuration") if isinstance(conf, dict) else None
    declared = configuration.get("paramConfig", []) if isinstance(configuration, dict) else []
    if not isinstance(declared, list) or not all(isinstance(item, dict) for item in declared):
        raise PackageError(INVALID_METADATA, "manifest.json: configuration.paramConfig must be a list of {name, default, type} objects")
    return [_definition(item.get("name"), item.get("default"), item.get("type"), "manifest.json paramConfig") for item in declared]


def _unescape(text: Optional[str]) -> str:
    return re.sub(r"\\(.)", r"\1", text or "")


def _from_param_conf(raw: bytes) -> List[Parameter]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PackageError(INVALID_METADATA, "param.conf is not UTF-8 text") from None
    parameters = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ACAP3_LINE.match(stripped)
        if not match:
            raise PackageError(INVALID_METADATA, "param.conf line {0} is not Name=\"default\" [type=\"...\"]: {1!r}".format(number, stripped))
        parameters.append(_definition(match.group(1), _unescape(match.group(2)), _unescape(match.group(3)), "param.conf"))
    return parameters


def package_parameters(members: Dict[str, bytes]) -> List[Parameter]:
    """The parameters a package declares, with their defaults as values, from the metadata files
    ``eap.read_package`` read (it accepted the package); a bad declaration is ``PackageError`` 29."""
    if "manifest.json" in members:
        parameters = _from_manifest(members["manifest.json"])
    elif "param.conf" in members:
        parameters = _from_param_conf(members["param.conf"])
    else:
        parameters = []
    names = [parameter["name"] for parameter in parameters]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise PackageError(INVALID_METADATA, "parameters declared twice: {0}".format(", ".join(duplicates)))
    return parameters


def upgraded(old: List[Parameter], new: List[Parameter]) -> List[Parameter]:
    """An upgrade keeps the values set before (when the new version still declares the parameter
    and the value fits its type), and gives new parameters their defaults."""
    kept = {parameter["name"]: parameter["value"] for parameter in old}
    result = []
    for parameter in new:
        value = kept.get(parameter["name"])
        if value is not None and check_value(parameter["type"], value) is None:
            parameter = dict(parameter, value=value)
        result.append(parameter)
    return result


# --------------------------------------------------------------------------------------------------
# param.cgi
# --------------------------------------------------------------------------------------------------


def listed_parameters(device: Any) -> Dict[str, str]:
    """``<App>.<Name>`` -> value as action=list shows it (passwords as ``*``, empty when unset)."""
    listed: Dict[str, str] = {}
    for app in device.applications.values():
        for parameter in app.parameters:
            value = parameter["value"]
            if is_secret(parameter["type"]) and value:
                value = HIDDEN_VALUE
            listed["{0}.{1}".format(app.name, parameter["name"])] = value
    return listed


def may_update(device: Any, user_name: Optional[str]) -> bool:
    """Writing parameters needs the admin role (the spec's "some parameters operator" is not modelled:
    a lower role gets a new challenge, as on the admin-only CGIs)."""
    return any(user.name == user_name and user.role == "admin" for user in device.users)


def update(device: Any, values: Dict[str, str]) -> str:
    """``action=update``: every ``root.<App>.<Name>`` argument checked on its own; the accepted ones are
    set, each refused one answers ``# Error: Error setting 'root.X' to 'Y'!`` (as cameras do).
    Returns the answer text (``OK`` or the ``# Error:`` lines)."""
    wanted = [(key, value) for key, value in values.items() if key.startswith("root.")]
    if not wanted:
        return "# Error: Error -1 no parameter to update\n"
    errors = []
    for key, value in wanted:
        _root, _dot, path = key.partition(".")
        app_name, _dot, name = path.partition(".")
        app = device.applications.get(app_name)
        parameter = next((item for item in app.parameters if item["name"] == name), None) if app is not None else None
        if parameter is None or check_value(parameter["type"], value):
            errors.append("# Error: Error setting '{0}' to '{1}'!\n".format(key, value))
            continue
        parameter["value"] = value
    device.save()
    return "".join(errors) or "OK\n"


def _type_element(type_text: str) -> str:
    kind, spec = _kind(type_text)
    if is_secret(type_text):
        return '<password maxlen="64" />'
    if kind == "int":
        low, high = _int_bounds(spec)
        bounds = "".join(' {0}="{1}"'.format(key, value) for key, value in (("min", low), ("max", high)) if value is not None)
        return "<int{0} />".format(bounds)
    if kind == "bool":
        return '<bool true={0} false={1} />'.format(quoteattr(bool_words(type_text)[1]), quoteattr(bool_words(type_text)[0]))
    if kind == "enum":
        entries = "".join("<entry value={0} />".format(quoteattr(choice)) for choice in spec.split("|"))
        return "<enum>{0}</enum>".format(entries)
    return '<string maxlen="1024" />'


def definitions(device: Any, groups: List[str], charset: str) -> Tuple[str, bool]:
    """``action=listdefinitions&listformat=xmlschema`` of application groups: (answer, found). The XML
    of real devices: nested ``<group>``s of ``<parameter>``s with a ``<type>`` each."""
    chosen = []
    for group in groups:
        name = group[5:] if group.startswith("root.") else group
        app = device.applications.get(name)
        if app is None or not app.parameters:
            return "# Error: Error -1 getting param in group '{0}'\n".format(group), False
        chosen.append(app)
    lines = ['<?xml version="1.0" encoding={0}?>'.format(quoteattr(charset.upper())),
             '<parameterDefinitions xmlns="http://www.axis.com/ParameterDefinitionsSchema" version="1.0">',
             " <model>{0}</model>".format(escape(device.profile.product)),
             " <firmwareVersion>{0}</firmwareVersion>".format(escape(device.profile.firmware)),
             ' <group name="root">']
    for app in chosen:
        lines.append("  <group name={0}>".format(quoteattr(app.name)))
        for parameter in app.parameters:
            value = HIDDEN_VALUE if is_secret(parameter["type"]) and parameter["value"] else parameter["value"]
            hidden = ' hidden="true"' if is_hidden_flag(parameter["type"]) else ""
            lines.append('   <parameter name={0} value={1} securityLevel="7714" niceName={0}>'.format(
                quoteattr(parameter["name"]), quoteattr(value)))
            lines.append("    <type{0}>{1}</type>".format(hidden, _type_element(parameter["type"])))
            lines.append("   </parameter>")
        lines.append("  </group>")
    lines.extend([" </group>", "</parameterDefinitions>", ""])
    return "\n".join(lines), True
