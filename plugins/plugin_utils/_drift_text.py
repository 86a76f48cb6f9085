# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text of the drift report: what a device string may become before it reaches a report file.

Every string the recorder keeps passes through ``clean_text`` once, so no report file can hold a lone
surrogate (it would stop the UTF-8 writer), a control character (it would break a Markdown table or
a terminal) or an unbounded string. Markdown escaping is here too, in one place (``markdown_inline``);
HTML escaping is Jinja2's autoescaping.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable, List, Mapping

# Keys of a before/after view that could hold a secret; a module never returns them, the report refuses
# them anyway.
SECRET_KEYS = frozenset(("password", "passwd", "license_content", "content", "key_content", "private_key",
                         "secret", "token"))
HIDDEN = "<hidden>"
# A device string longer than this is cut: one camera cannot make the fleet's report huge.
MAX_TEXT = 2000
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters that start Markdown syntax inline (CommonMark's backslash-escapable punctuation that
# matters in a line or a table cell) and raw HTML.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")


def clean_text(value: Any, limit: int = MAX_TEXT) -> str:
    """``value`` as printable text: bytes decoded with replacement, lone surrogates and control characters
    shown as code points, newlines and tabs as spaces, at most ``limit`` characters."""
    if isinstance(value, (bytes, bytearray)):
        text = bytes(value).decode("utf-8", errors="replace")
    else:
        text = value if isinstance(value, str) else str(value)
    text = _SURROGATE.sub("\ufffd", text)
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\t", " ").replace("\r", " ")
    text = _CONTROL.sub(lambda match: "\\u%04x" % ord(match.group(0)), text)
    if len(text) > limit:
        text = text[:limit] + "... (%d characters cut)" % (len(text) - limit)
    return text


def warning_text(value: Any) -> str:
    """A warning as text: a string before ansible-core 2.19, a WarningSummary from 2.19 on."""
    event = getattr(value, "event", None)
    if event is not None and hasattr(event, "msg"):
        return clean_text(event.msg)
    return clean_text(value)


def scrubbed(value: Any, depth: int = 0) -> Any:
    """``value`` as plain JSON data of clean text, with any key that could name a secret hidden."""
    if depth > 8:
        return clean_text(json.dumps(value, default=str)[:200])
    if isinstance(value, Mapping):
        return {clean_text(key, 200): (HIDDEN if str(key).lower() in SECRET_KEYS and item not in (None, "", {})
                                       else scrubbed(item, depth + 1)) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [scrubbed(item, depth + 1) for item in value]
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else clean_text(value)
    return clean_text(value)


def text_list(values: Any) -> List[str]:
    """A list of clean strings from whatever a result holds there (a list, one string, nothing)."""
    if values is None:
        return []
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        return [warning_text(values)]
    return [warning_text(value) for value in values]


def unique(values: Iterable[str]) -> List[str]:
    return list(dict.fromkeys(value for value in values if value))


def markdown_inline(value: Any) -> str:
    """``value`` as Markdown text that cannot open a heading, a table cell, a link, code or HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", clean_text(value))


def short(value: Any) -> str:
    """A before/after value in one line."""
    if isinstance(value, (dict, list, bool)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return "" if value is None else str(value)
