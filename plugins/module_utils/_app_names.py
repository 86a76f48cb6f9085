# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How application names compare: the one rule every planner uses.

The device keeps one application per name whatever its letter case (upload.cgi answers Error 14
for a package whose name differs from an installed one only in case), so two spellings that differ
in case, or in blanks around them, name the same application. Requests use the device's spelling.
"""

from __future__ import annotations

from typing import Iterable, List, Optional


def application_key(name: str) -> str:
    """The name as the device tells applications apart."""
    return name.strip().casefold()


def same_application(first: str, second: str) -> bool:
    return application_key(first) == application_key(second)


def clean_names(names: Optional[Iterable[str]]) -> List[str]:
    """A list option of names as users write it: blanks around each trimmed, empty ones dropped.

    Ansible turns ``"a, b"`` into ``["a", " b"]`` for a list option; a YAML list gives the same."""
    return [name.strip() for name in names or () if name and name.strip()]
