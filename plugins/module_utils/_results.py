# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one result builder: every managing module's result comes from a ``Results``.

A planner adds one record per resource it manages (``add``: before, the state
predicted afterwards, the planned actions, its warnings); the act-then-confirm
layer writes into the builder's ``journal`` (actions done, warnings raised on
the way, writes whose outcome is unknown); an executor ``settle``s a record
with what the device shows afterwards. From the records alone come the
module's ``changed``, ``actions``, ``resources``, ``warnings``,
``outcome_unknown`` and ``diff`` (``result``), and, when the logic raises, what
the failure carries (``run``/``failure``): the one place an ``AcapError`` gets
what was done attached. Warnings belong to their resource from the moment they
are raised, and each appears once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional

from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError

# A record's outcome: nothing to do, done (or planned in check mode), sent but not proved.
UNCHANGED = "unchanged"
CHANGED = "changed"
UNKNOWN = "unknown"


@dataclass
class Record:
    """One resource: its state before, after (predicted in check mode; as found until its step has run
    otherwise), the planned actions and what the ``resources`` item says besides."""

    resource: str
    before: Any
    after: Any
    planned: List[str]
    source: Optional[str] = None
    difference: Optional[str] = None  # differs from the declaration without an action
    key: Optional[str] = None  # its key in a diff keyed by resource (axis_acap_config: the option)
    extra: Dict[str, Any] = field(default_factory=dict)  # kind-specific keys of the resources item


class Results:
    """Every resource's record of one module run, and the module result built from them.

    ``flat``: ``actions`` is one list (single-resource modules) rather than resource -> list
    (axis_acap_state). ``keyed_diff``: the diff maps each record's key to its view, rather than being
    the one record's view. ``failure_resources``: a failure once the writes have begun carries the
    ``resources`` too (axis_acap and axis_acap_state, which the drift report reads per resource)."""

    def __init__(self, check_mode: bool, flat: bool = True, keyed_diff: bool = False,
                 failure_resources: bool = False) -> None:
        self.check_mode = check_mode
        self.failure_resources = failure_resources
        self.flat = flat
        self.keyed_diff = keyed_diff
        self.journal = Journal()
        self.records: Dict[str, Record] = {}
        self.failure_keys: Callable[[], Dict[str, Any]] = dict  # module keys a failure carries too
        self.writing = False  # planned, the writes have begun: a failure carries the resources too

    def begin_writes(self) -> None:
        self.writing = True

    def add(self, resource: str, before: Any, predicted: Any, planned: Iterable[str], warnings: Iterable[str] = (),
            **details: Any) -> Record:
        """The record of ``resource`` as planned (again: the same place, new plan). ``details``: ``source``,
        ``difference``, ``key`` or kind-specific keys of the item."""
        own = {name: details.pop(name) for name in ("source", "difference", "key") if name in details}
        record = Record(resource, before, predicted if self.check_mode else before, list(planned), extra=details, **own)
        self.records[resource] = record
        self.warn(resource, *warnings)
        return record

    def warn(self, resource: Optional[str], *warnings: str) -> None:
        """Warnings about ``resource`` (None: the task as a whole); one already given is not repeated."""
        known = self.journal.warnings_of(resource) if resource is not None else self.journal.warnings
        self.journal.warn(resource, *[warning for warning in dict.fromkeys(warnings) if warning not in known])

    def settle(self, resource: str, after: Any) -> None:
        """What the device shows for ``resource`` once its step has run."""
        self.records[resource].after = after

    def actions_of(self, resource: str) -> List[str]:
        """Planned in check mode, done otherwise."""
        record = self.records.get(resource)
        if self.check_mode:
            return list(record.planned) if record is not None else []
        return self.journal.done(resource)

    def outcome(self, resource: str) -> str:
        if resource in self.journal.unknown:
            return UNKNOWN
        return CHANGED if self.actions_of(resource) else UNCHANGED

    @property
    def changed(self) -> bool:
        return any(self.actions_of(resource) for resource in self._touched())

    def _touched(self) -> List[str]:
        # The journal may name a resource without a record only when a write fails before its plan
        # is recorded; none does today, but a failure must never hide a write.
        return list(self.records) + [name for name in self.journal.actions if name not in self.records]

    def actions(self) -> Any:
        if self.flat:
            return [action for resource in self._touched() for action in self.actions_of(resource)]
        return {resource: self.actions_of(resource) for resource in self._touched() if self.actions_of(resource)}

    def item(self, record: Record) -> Dict[str, Any]:
        """The ``resources`` item (docs/architecture.md); ``difference`` only when set."""
        actions = self.actions_of(record.resource)
        item: Dict[str, Any] = {
            "resource": record.resource,
            "changed": bool(actions),
            "actions": actions,
            "before": record.before,
            "after": record.after,
            "source": record.source,
            "warnings": self.journal.warnings_of(record.resource),
            "outcome_unknown": self.outcome(record.resource) == UNKNOWN,
        }
        if record.difference:
            item["difference"] = record.difference
        item.update(record.extra)
        return item

    def resources(self) -> List[Dict[str, Any]]:
        return [self.item(record) for record in self.records.values()]

    def keyed(self, view: str) -> Dict[str, Any]:
        """Each record's ``before`` or ``after`` under its key."""
        return {record.key or record.resource: getattr(record, view) for record in self.records.values()}

    def diff(self) -> Dict[str, Any]:
        if self.keyed_diff or len(self.records) != 1:
            return {"before": self.keyed("before"), "after": self.keyed("after")}
        record = next(iter(self.records.values()))
        return {"before": record.before, "after": record.after}

    def _annotated(self, result: Dict[str, Any]) -> Dict[str, Any]:
        if self.journal.warnings:
            result.setdefault("warnings", list(self.journal.warnings))
        if self.journal.unknown:
            result.setdefault("outcome_unknown", True)
        return result

    def result(self, **module_keys: Any) -> Dict[str, Any]:
        """The module result: ``changed``, ``actions``, ``resources``, ``diff``, the warnings and
        ``outcome_unknown`` from the records, plus the module's own keys."""
        result: Dict[str, Any] = {"changed": self.changed, "actions": self.actions()}
        result.update(module_keys)
        result.update(resources=self.resources(), diff=self.diff())
        return self._annotated(result)

    def failure(self, exc: AcapError) -> AcapError:
        """``exc`` carrying what was done before it: the one place that attaches it. Keys the exception
        was raised with win (a refusal that says per parameter what was applied)."""
        done: Dict[str, Any] = {"changed": self.changed and not self.check_mode, "actions": self.actions()}
        if self.check_mode:
            done["actions"] = [] if self.flat else {}
        if self.writing and self.failure_resources:
            done["resources"] = self.resources()
        done.update(self.failure_keys())
        for key, value in self._annotated(done).items():
            exc.result.setdefault(key, value)
        return exc

    def run(self, logic: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
        """``logic()``; an ``AcapError`` it raises leaves with what was done (``failure``)."""
        try:
            return logic()
        except AcapError as exc:
            raise self.failure(exc)


def diff_headers(device: str, resources: Any) -> Dict[str, str]:
    """The one header style of every module's diff: ``<hostname>: <resources> (before)``, naming the changed
    resources (all of them when none changed)."""
    records = [record for record in resources or [] if isinstance(record, Mapping)]
    changed = [record.get("resource") for record in records if record.get("changed")]
    names = ", ".join(str(name) for name in changed or [record.get("resource") for record in records])
    label = "%s: %s" % (device, names or "ACAP state")
    return {"before_header": "%s (before)" % label, "after_header": "%s (after)" % label}
