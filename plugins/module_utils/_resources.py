# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The ``resources`` records every managing module returns (docs/architecture.md).

One record per thing a module manages, built in one place so that the drift
report can read every module's result the same way.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal


def resource_record(
    resource: str,
    actions: Iterable[str],
    before: Any,
    after: Any,
    source: Optional[str] = None,
    warnings: Iterable[str] = (),
    outcome_unknown: bool = False,
    difference: Optional[str] = None,
) -> Dict[str, Any]:
    """A record: ``changed`` is whether anything was (or, in check mode, would be) done. ``difference`` names
    what differs from the declaration without an action (``newer_than_declared``, ``installed_not_declared``);
    the key is only there when it is set."""
    actions = list(actions)
    record = {
        "resource": resource,
        "changed": bool(actions),
        "actions": actions,
        "before": before,
        "after": after,
        "source": source,
        "warnings": list(warnings),
        "outcome_unknown": outcome_unknown,
    }
    if difference:
        record["difference"] = difference
    return record


def done_or_planned(journal: Journal, resource: str, planned: Iterable[str], check_mode: bool) -> list:
    """The actions of ``resource``: planned ones in check mode, done ones otherwise."""
    return list(planned) if check_mode else journal.done(resource)
