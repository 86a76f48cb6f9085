"""Version parsing for firmware (AXIS OS), EmbeddedDevelopment and SDK requirements."""

from __future__ import annotations

import re
from typing import Tuple

_LEADING_NUMBER = re.compile(r"(\d+)")


def parse_version(text: str) -> Tuple[int, ...]:
    """``"12.6.1"`` -> ``(12, 6, 1)``; ``"11.11.73_beta"`` -> ``(11, 11, 73)``.

    Each dot-separated part contributes its leading number; parsing stops at the first part without
    one, so suffixes never make a version compare higher than its numbers say.
    """
    parts = []
    for piece in str(text).strip().split("."):
        match = _LEADING_NUMBER.match(piece)
        if not match:
            break
        parts.append(int(match.group(1)))
    return tuple(parts)


def is_version(text: str) -> bool:
    return bool(parse_version(text))


def at_least(version: str, minimum: Tuple[int, ...]) -> bool:
    """True when ``version`` >= ``minimum``, missing parts counting as zero (``12`` == ``12.0.0``)."""
    parsed = parse_version(version)
    width = max(len(parsed), len(minimum))
    return parsed + (0,) * (width - len(parsed)) >= minimum + (0,) * (width - len(minimum))
