# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parameter types as the device tells them, and the text param.cgi can carry.

``param.cgi?action=listdefinitions&listformat=xmlschema&group=<g>`` answers an XML document of
``<group name=..>`` elements holding ``<parameter name=.. value=..><type [readonly] [hidden]>`` with
one type element inside: ``<string/>``, ``<int min max/>``, ``<bool true false/>``,
``<enum><entry value/>..</enum>``, ``<password/>`` or others (``ip``, ``hostname``...: not checked
here, the device judges them). Firmware without it answers a ``# Error:`` line.

Only passwords are secret: ``hidden`` is a settings-page flag and the device lists such values in
clear. ``check_text`` refuses, before any write, what param.cgi cannot carry: a line break of any
kind (the list answer is one parameter a line) and characters outside the device's charset.
``render_value`` writes an Ansible value as the device writes it (a bool with the type's words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict, Optional, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import parse_untrusted_xml

# Every character Python's str.splitlines() breaks on: a device or a reader may do the same.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_NAMES = {
    "\n": "line feed", "\r": "carriage return", "\x0b": "vertical tab", "\x0c": "form feed",
    "\x1c": "file separator", "\x1d": "group separator", "\x1e": "record separator",
    "\x85": "next line (U+0085)", "\u2028": "line separator (U+2028)", "\u2029": "paragraph separator (U+2029)",
}
_INTEGER = re.compile(r"^[+-]?[0-9]+$")

# The false/true word pairs devices use for bool parameters; a bool given in the task is written
# with the type's words when the device tells them, else with the pair of the current value.
BOOL_WORD_PAIRS: Tuple[Tuple[str, str], ...] = (
    ("no", "yes"), ("false", "true"), ("off", "on"), ("0", "1"), ("disabled", "enabled"),
)


@dataclass(frozen=True)
class ParameterType:
    """One parameter's type: ``kind`` is the type element's name (string, int, bool, enum, password...)."""

    kind: str = "string"
    minimum: Optional[int] = None
    maximum: Optional[int] = None
    words: Optional[Tuple[str, str]] = None  # (false, true) of a bool
    choices: Tuple[str, ...] = ()
    readonly: bool = False

    @property
    def secret(self) -> bool:
        return self.kind == "password"

    def problem(self, value: str) -> Optional[str]:
        """Why the device would refuse ``value``; None when this type accepts it (or is not checked here)."""
        if self.kind == "int":
            if not _INTEGER.match(value):
                return "is not an integer"
            number = int(value)
            if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
                return "is outside the range %s to %s" % (
                    "-" if self.minimum is None else self.minimum, "-" if self.maximum is None else self.maximum)
            return None
        if self.kind == "bool" and self.words is not None and value not in self.words:
            return "is not %s or %s" % self.words
        if self.kind == "enum" and self.choices and value not in self.choices:
            return "is not one of %s" % ", ".join(self.choices)
        return None

    def describe(self) -> str:
        if self.kind == "int" and (self.minimum is not None or self.maximum is not None):
            return "int %s..%s" % ("" if self.minimum is None else self.minimum, "" if self.maximum is None else self.maximum)
        if self.kind == "bool" and self.words:
            return "bool %s/%s" % self.words
        if self.kind == "enum":
            return "enum %s" % "|".join(self.choices)
        return self.kind


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _integer(text: Optional[str]) -> Optional[int]:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def _type_of(type_element: Any) -> ParameterType:
    kinds = [child for child in type_element if _local(child.tag)]
    readonly = (type_element.get("readonly") or "").lower() == "true"
    if not kinds:
        return ParameterType(readonly=readonly)
    inner = kinds[0]
    kind = _local(inner.tag).lower()
    if kind == "int":
        return ParameterType("int", _integer(inner.get("min")), _integer(inner.get("max")), readonly=readonly)
    if kind == "bool":
        false_word, true_word = inner.get("false"), inner.get("true")
        words = (false_word, true_word) if false_word is not None and true_word is not None else None
        return ParameterType("bool", words=words, readonly=readonly)
    if kind == "enum":
        choices = tuple(entry.get("value") for entry in inner if _local(entry.tag) == "entry" and entry.get("value") is not None)
        return ParameterType("enum", choices=choices, readonly=readonly)
    return ParameterType(kind, readonly=readonly)


def parse_parameter_definitions(body: bytes) -> Dict[str, ParameterType]:
    """listdefinitions' XML -> {path without ``root.``: type}. Raises ``MalformedXml``/``DocumentTypeRefused``."""
    root = parse_untrusted_xml(body)
    found: Dict[str, ParameterType] = {}

    def walk(element: Any, path: Tuple[str, ...]) -> None:
        for child in element:
            tag = _local(child.tag)
            if tag == "group" and child.get("name"):
                walk(child, path + (child.get("name"),))
            elif tag == "parameter" and child.get("name"):
                type_element = next((item for item in child if _local(item.tag) == "type"), None)
                names = path + (child.get("name"),)
                if names and names[0] == "root":
                    names = names[1:]
                found[".".join(names)] = _type_of(type_element) if type_element is not None else ParameterType()

    walk(root, ())
    return found


def check_text(label: str, value: str, charset: str, secret: bool = False) -> Optional[str]:
    """Why param.cgi cannot store ``value`` on a device using ``charset``; None when it can. A secret's
    characters are not named."""
    for character in value:
        if character in LINE_BREAKS:
            return ("The value of %s holds a %s; param.cgi lists one parameter a line, so the device cannot give "
                    "such a value back as it was written. Nothing was written. Give the value on one line"
                    % (label, _LINE_BREAK_NAMES[character]))
    try:
        value.encode(charset)
    except UnicodeEncodeError as exc:
        bad = "a character" if secret else ", ".join("U+%04X" % ord(character) for character in value[exc.start:exc.end])
        return ("The value of %s holds %s which the device cannot store: its param.cgi uses %s. Nothing was "
                "written. Use only characters of %s" % (label, bad, charset.upper(), charset.upper()))
    except LookupError:
        return None  # a charset Python does not know: let the device judge
    return None


def _bool_words_of_value(current: Optional[str]) -> Optional[Tuple[str, str]]:
    lowered = (current or "").strip().lower()
    for false_word, true_word in BOOL_WORD_PAIRS:
        if lowered == false_word:
            return (current.strip(), _same_case(true_word, current.strip()))  # type: ignore[union-attr]
        if lowered == true_word:
            return (_same_case(false_word, current.strip()), current.strip())  # type: ignore[union-attr]
    return None


def _same_case(word: str, model: str) -> str:
    if model.isupper():
        return word.upper()
    if model[:1].isupper():
        return word.capitalize()
    return word


def render_value(
    app: str, name: str, value: Any, current: Optional[str], kind: Optional[ParameterType], secret: bool
) -> str:
    """The text the device stores for ``value`` (an Ansible value). Raises ``ParameterError``."""
    label = "%s.%s" % (app, name)
    if value is None:
        raise ParameterError("Parameter %s has no value (null): give the value to set, or leave the parameter out" % label)
    if isinstance(value, bool):
        words = (kind.words if kind is not None and kind.kind == "bool" else None) or \
            (None if secret else _bool_words_of_value(current))
        if words is None:
            shown = "hidden" if secret else repr(current)
            raise ParameterError(
                "Parameter %s is given as a boolean (%s), but its type's true/false words are not known (the device's "
                "current value is %s, not one of %s). Give the word the application expects as a string, for "
                "example \"yes\"" % (label, "true" if value else "false", shown,
                                     ", ".join("/".join(pair) for pair in BOOL_WORD_PAIRS))
            )
        return words[1] if value else words[0]
    if isinstance(value, int):
        return "%d" % value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return value
    raise ParameterError(
        "Parameter %s must be a string, number or boolean, not a %s" % (label, type(value).__name__)
    )
