# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_parameters: an ACAP application's own parameters (param.cgi ``root.<App>``).

The pieces, usable apart (``axis_acap_state`` composes them per application, like the license ones);
reading lives in ``_parameter_reads``, the device's types in ``_parameter_types``:

- ``decide_parameters(app, wanted, current, secret_names, types, assumed, charset, update_secrets)``:
  pure. Renders the wanted values as the device writes them, compares, checks what would be written
  (the device's type, line breaks, the charset), and returns a ``ParameterPlan``: the values to write
  (only those that differ), the actions, and before/after views in which secrets are masked.
- ``plan_parameters(snapshot, name=..., wanted=..., secret_names=..., check_mode=...)``: read
  once, then plan; the types are read (one listdefinitions) only when something is to be written or
  the device hides a declared value (the application not installed: a failure, or a planned change
  in check mode).
- ``apply_parameters(snapshot, plan, journal)``: ONE ``action=update`` request with every change,
  through the act-then-confirm layer (``_confirm``): sent once, then the group is read again and the
  result says what the device shows (docs/reliability.md). A device refuses per parameter and applies
  the others: after any ``# Error`` line the group is read back and the failure says per parameter
  what was applied and what was refused.
- ``record_parameters(results, plan)``: the ``resources`` record, in the result builder (``_results``).

``run(client, params, check_mode)`` is the module logic, ``MODULE_SPEC`` its options.

Secrets. A parameter is secret when the task gives its value in ``secret_parameters`` (a no_log
option, so Ansible masks the value in its own output too) or when the device says it is a password
(its type, from listdefinitions; on firmware without it, a value listed only as ``*``). A secret's
value never appears in a result, a diff, a warning or a message: views show ``SECRET_MASK``, and a
device error that quotes a secret's value is redacted with the run's other secrets (``_secrets``). A secret the device lists in clear is compared
like any parameter. A password the device hides (lists as ``*``) cannot be compared: with
``update_secrets: on_create`` (the default) it is left as it is and named in ``not_comparable`` (not a
change, not drift); with ``always`` it is written on every run (a change every run). An unset
password (listed empty) is compared, so on_create writes it the first time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._app_names import same_application
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal, Write, act_and_confirm
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    OutcomeUnknownError,
    ParameterError,
    PreflightError,
)
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._parameter_reads import (
    SECRET_MASK,
    Types,
    is_hidden_value,
    is_password,
    masked_view,
    read_parameters,
    read_types,
    secret_names_of,
)
from ansible_collections.vapix.acap.plugins.module_utils._parameter_types import ParameterType, check_text, render_value
from ansible_collections.vapix.acap.plugins.module_utils._results import Results
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot

SECRET_CHANGED_MASK = "******** (changed)"
RESOURCE_KIND = "parameters"
# update_secrets: what to do with a secret whose value the device hides (it lists only ``*``).
UPDATE_SECRETS = ("on_create", "always")
DEFAULT_UPDATE_SECRETS = "on_create"


def _check_writable(app: str, name: str, text: str, kind: Optional[ParameterType], secret: bool, charset: str) -> None:
    """Refuse, before anything is written, a value the device would refuse or could not store."""
    label = "%s.%s" % (app, name)
    if secret and text == SECRET_MASK:
        raise ParameterError(
            "The value of %s is %s, the mask axis_acap_info and state: gathered show for a password, not a value; "
            "nothing was written. Give the real value (from a vault), or leave the parameter out" % (label, SECRET_MASK))
    problem = check_text(label, text, charset, secret)
    if problem:
        raise ParameterError(problem)
    refusal = kind.problem(text) if kind is not None else None
    if refusal:
        raise ParameterError(
            "The value %s for %s %s (the device gives its type as %s); nothing was written. Give a value the "
            "device accepts" % ("given" if secret else repr(text), label, refusal, kind.describe())  # type: ignore[union-attr]
        )


@dataclass(frozen=True)
class ParameterPlan:
    """What differs, as the device writes it, and the masked views of before and after.

    ``changes`` holds the rendered values to write (secrets included: it is sent, never shown);
    ``before``/``after`` are every parameter of the application with secrets masked; ``assumed``
    is true in check mode when the application is not installed yet (nothing could be compared);
    ``not_comparable``: declared secrets the device hides and that are left as they are
    (``update_secrets: on_create``); ``enforced``: those written anyway (``always``).
    """

    application: str
    changes: Dict[str, str] = field(repr=False)  # secret values included: sent, never shown
    secret_names: FrozenSet[str] = frozenset()
    before: Dict[str, str] = field(default_factory=dict)
    after: Dict[str, str] = field(default_factory=dict)
    warnings: Tuple[str, ...] = ()
    enforced: Tuple[str, ...] = ()
    not_comparable: Tuple[str, ...] = ()
    assumed: bool = False
    # The values as the device listed them (secrets included), to tell after a write what changed.
    current: Dict[str, str] = field(default_factory=dict, repr=False)
    types_known: bool = False  # the device told the types (listdefinitions)
    update_secrets: str = DEFAULT_UPDATE_SECRETS  # the policy planned with, to plan again after an install

    @property
    def actions(self) -> List[str]:
        """``set <Name>=<value>`` per change, ``set <Name>`` for a secret (no value)."""
        return [
            "set %s" % name if name in self.secret_names else "set %s=%s" % (name, value)
            for name, value in self.changes.items()
        ]

    def hides(self, name: str, value: Optional[str]) -> bool:
        """Whether ``value`` is the device hiding a secret (a row of ``*`` for a secret of this plan); a plain
        parameter's value of ``*`` is a value where the device gives types (only passwords are secrets);
        without types, any row of ``*`` is taken for a hidden password."""
        return is_hidden_value(value) and (name in self.secret_names or not self.types_known)

    @property
    def resource(self) -> str:
        return "%s:%s" % (RESOURCE_KIND, self.application)

    @property
    def notes(self) -> List[str]:
        """What the plan could not compare, said without a warning (it is the policy the user chose)."""
        notes = []
        if self.not_comparable:
            notes.append(
                "%s: the device hides the value of %s, so it cannot be compared; left as it is (update_secrets: "
                "on_create). Set update_secrets: always to write it on every run." % (
                    self.application, ", ".join(self.not_comparable)))
        if self.enforced:
            notes.append("%s: the device hides the value of %s; written on every run (update_secrets: always)." % (
                self.application, ", ".join(self.enforced)))
        return notes


def decide_parameters(
    app: str,
    wanted: Mapping[str, Any],
    current: Mapping[str, str],
    secret_names: Iterable[str] = (),
    types: Types = None,
    assumed: bool = False,
    charset: str = "iso-8859-1",
    update_secrets: str = DEFAULT_UPDATE_SECRETS,
) -> ParameterPlan:
    """Decide without I/O. ``current``: {Name: value} as the device lists it; ``types``: {Name: type}
    from the device (None when it cannot tell). ``assumed``: check mode, the application is not
    installed and an earlier task may install it (``current`` is then empty and every wanted value is
    a change). Unknown names, values the device would refuse or cannot store fail here, before
    anything is written."""
    secrets = secret_names_of(current, types, secret_names)
    if not assumed:
        unknown = sorted(set(wanted) - set(current))
        if unknown:
            raise ParameterError(_unknown_message(app, unknown, current))
    changes: Dict[str, str] = {}
    enforced: List[str] = []
    not_comparable: List[str] = []
    for name, value in wanted.items():
        now = current.get(name)
        kind = (types or {}).get(name)
        if kind is None and assumed and isinstance(value, bool):
            kind = ParameterType("bool", words=("no", "yes"))  # not installed yet: the most common words
        rendered = render_value(app, name, value, now, kind, name in secrets)
        hidden = now is not None and is_hidden_value(now) and is_password(name, now, types)
        if hidden and update_secrets != "always":
            not_comparable.append(name)
            continue
        if hidden or rendered != now:
            _check_writable(app, name, rendered, kind, name in secrets, charset)
            changes[name] = rendered
            if hidden:
                enforced.append(name)
    before = masked_view(current, secrets)
    after = dict(before)
    for name, value in changes.items():
        after[name] = SECRET_CHANGED_MASK if name in secrets else value
    return ParameterPlan(
        application=app,
        changes=changes,
        secret_names=secrets,
        before={} if assumed else before,
        after=after,
        enforced=tuple(sorted(enforced)),
        not_comparable=tuple(sorted(not_comparable)),
        assumed=assumed,
        current=dict(current),
        types_known=types is not None,
        update_secrets=update_secrets,
    )


def _unknown_message(app: str, unknown: List[str], current: Mapping[str, str]) -> str:
    lowered = {name.lower(): name for name in current}
    hints = ["%s (did you mean %s?)" % (name, lowered[name.lower()]) if name.lower() in lowered else name for name in unknown]
    if current:
        has = "Its parameters are: %s." % ", ".join(sorted(current))
    else:
        has = "It declares no parameters."
    return "The application %s has no parameter%s %s; nothing was written. %s Parameter names are case " \
           "sensitive." % (app, "s" if len(unknown) > 1 else "", ", ".join(hints), has)


# --------------------------------------------------------------------------------------------------
# Reading and writing
# --------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------
# Planning against the device, execution, records
# --------------------------------------------------------------------------------------------------


def _not_installed(snapshot: DeviceSnapshot, app: str) -> PreflightError:
    similar = [application.name for application in snapshot.applications() if same_application(application.name, app)]
    message = "The application %s is not installed on %s, so its parameters cannot be set." % (
        app, snapshot.client.settings.address)
    if similar:
        message += " An application named %s is installed: names are case sensitive." % similar[0]
    return PreflightError(message + " Install it first, for example with vapix.acap.axis_acap.", endpoint="param.cgi")


def plan_parameters(
    snapshot: DeviceSnapshot,
    *,
    name: str,
    wanted: Mapping[str, Any],
    secret_names: Iterable[str] = (),
    check_mode: bool,
    installing: bool = False,
    update_secrets: str = DEFAULT_UPDATE_SECRETS,
) -> ParameterPlan:
    """Read ``root.<name>`` once and plan. When the group is missing, list.cgi (through the snapshot, so
    shared with other planners) tells whether the application is installed without parameters or not
    installed: then a failure, or in check mode a plan of every wanted value with a warning that an
    earlier task is assumed to install it (``installing``: the same run installs it, no warning).
    The types are read from the device (one listdefinitions) only when the values differ or the device
    hides one: a camera already as declared costs the one list."""
    client = snapshot.client
    current = read_parameters(client, name)
    assumed = False
    warnings: List[str] = []
    if current is None:
        if snapshot.application(name) is None:
            if not check_mode or any(same_application(app.name, name) and app.name != name for app in snapshot.applications()):
                raise _not_installed(snapshot, name)
            assumed = True
            if not installing:
                warnings.append(
                    "Check mode: the application %s is not installed, so this run assumes an earlier task installs it "
                    "and plans every declared parameter as a change (its parameters and their values are unknown). "
                    "Without check mode the task fails unless %s is installed first." % (name, name)
                )
        current = {}

    def plan(types: Types) -> ParameterPlan:
        return decide_parameters(name, wanted, current, secret_names, types=types, assumed=assumed,  # type: ignore[arg-type]
                                 charset=client.param_write_charset, update_secrets=update_secrets)

    if not assumed and set(wanted) - set(current):
        return plan(None)  # unknown names: the failure needs no types
    try:
        result = plan(None)
        needs_types = bool(result.changes or result.not_comparable or result.enforced)
    except ParameterError:
        result, needs_types = None, True
    if needs_types and not assumed:
        types = read_types(client, [name])
        if types is not None:
            result = plan(types.get(name, {}))
    if result is None:
        result = plan(None)  # no types to read: the error without them
    if warnings:
        result = replace(result, warnings=tuple(warnings) + result.warnings)
    return result


def _describe(plan: ParameterPlan, state: Mapping[str, str]) -> str:
    shown = masked_view({name: state.get(name, "(absent)") for name in plan.changes}, plan.secret_names)
    return ", ".join("%s=%s" % item for item in shown.items())


def apply_parameters(snapshot: DeviceSnapshot, plan: ParameterPlan, journal: Journal) -> Dict[str, str]:
    """Write ``plan.changes`` in ONE update through the act-then-confirm layer (sent once, then the group
    is read again); returns every parameter as the device shows it afterwards, secrets masked. A value the
    device hides cannot be confirmed; when it shows the others, it counts as applied. When the device
    refuses some values (``# Error`` lines), it has applied the others: the group is read back and the
    failure says per parameter what was applied and what was refused."""
    if not plan.changes:
        return dict(plan.before)
    client, app = snapshot.client, plan.application
    values = {"%s.%s" % (app, name): value for name, value in plan.changes.items()}
    checkable = [name for name in plan.changes if not plan.hides(name, plan.current.get(name))]
    refusals: List[str] = []
    # The device may quote a refused value: a secret's (declared, or typed so by the device) is the run's
    # secret, redacted from the result wherever it appears (_secrets).
    client.secrets.add_all(plan.changes[name] for name in plan.secret_names if name in plan.changes)

    def send() -> None:
        errors = client.update_parameters(values)
        if errors:
            refusals.extend(errors)
            raise DeviceError("param.cgi refused part of the update", endpoint="param.cgi")

    def read() -> Dict[str, str]:
        return read_parameters(client, app) or {}

    def shown(state: Mapping[str, str], name: str) -> bool:
        return state.get(name) == plan.changes[name] or plan.hides(name, state.get(name))

    try:
        state = act_and_confirm(Write(
            resource=plan.resource,
            action=plan.actions[0],
            description="param.cgi update of %s (%s)" % (app, ", ".join(plan.changes)),
            send=send,
            read=read,
            achieved=lambda state: all(shown(state, name) for name in plan.changes),
            unchanged=lambda state: all(state.get(name) == plan.current.get(name) for name in checkable),
            provable=bool(checkable),
            describe_state=lambda state: _describe(plan, state),
        ), journal)
    except AcapError:
        if refusals:
            raise _partly_refused(client, plan, journal, refusals) from None
        if journal.done(plan.resource):  # sent and counted as done (or unknown): all its actions
            _record_rest(plan, journal)
        raise
    _record_rest(plan, journal)
    return after_view(plan, state if state is not None else {})


_REFUSED_NAME = re.compile(r"'root\.([^'=]+)'")


def _partly_refused(client: VapixClient, plan: ParameterPlan, journal: Journal, refusals: List[str]) -> AcapError:
    """The failure of an update the device refused in part: read back, then say per parameter."""
    app = plan.application
    answered = "; ".join(refusals)
    try:
        state = read_parameters(client, app) or {}
    except AcapError as read_error:
        journal.unknown.append(plan.resource)
        return OutcomeUnknownError(
            "param.cgi refused part of the update of %s (%s), and reading the parameters again failed (%s): which "
            "values were applied is unknown. Check the device, then run the task again." % (app, answered, read_error.message),
            endpoint="param.cgi")
    named = {match.split(".", 1)[-1] for error in refusals for match in _REFUSED_NAME.findall(error)
             if match.lower().startswith(app.lower() + ".")}
    actions = dict(zip(plan.changes, plan.actions))
    applied, refused = [], []
    for name, value in plan.changes.items():
        now = state.get(name)
        if now == value or (name not in named and plan.hides(name, now)):
            applied.append(name)
            journal.record(plan.resource, actions[name])
        else:
            refused.append(name)
    return DeviceError(
        "param.cgi refused %s of %s and applied %s (the device answered: %s). Fix the refused value%s and run the "
        "task again." % (", ".join(refused) or "no value", app, ", ".join(applied) or "nothing", answered,
                         "s" if len(refused) > 1 else ""),
        endpoint="param.cgi", result={"applied": applied, "refused": refused, "parameters": after_view(plan, state)})


def _record_rest(plan: ParameterPlan, journal: Journal) -> None:
    # act_and_confirm records one action per write; this one write sets every changed parameter.
    for action in plan.actions[1:]:
        if action not in journal.done(plan.resource):
            journal.record(plan.resource, action)


def after_view(plan: ParameterPlan, state: Mapping[str, str]) -> Dict[str, str]:
    """Every parameter as the device shows it after the write, secrets masked (written ones marked)."""
    view = masked_view(state, plan.secret_names)
    for name in plan.changes:
        if view.get(name) == SECRET_MASK:
            view[name] = SECRET_CHANGED_MASK
    return view


def record_parameters(results: Results, plan: ParameterPlan) -> None:
    """The ``resources`` item (docs/architecture.md) of ``parameters:<app>``, with ``not_comparable``
    (secrets the device hides, left as they are) and ``notes`` (what was not compared, and why)."""
    results.add(plan.resource, dict(plan.before), dict(plan.after), plan.actions, plan.warnings,
                not_comparable=list(plan.not_comparable), notes=plan.notes)


# --------------------------------------------------------------------------------------------------
# The module
# --------------------------------------------------------------------------------------------------


def declared_parameters(declared: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
    """(plain values, secret values) from ``parameters`` and ``secret_parameters``; a name in both is refused."""
    plain = {str(name): value for name, value in (declared.get("parameters") or {}).items()}
    secret_values = {str(name): value for name, value in (declared.get("secret_parameters") or {}).items()}
    both = sorted(set(plain) & set(secret_values))
    if both:
        raise ParameterError("Give %s either in parameters or in secret_parameters, not in both" % ", ".join(both))
    return plain, secret_values


def run(client: VapixClient, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    """The logic contract (docs/architecture.md): one read, plan, one write, read back."""
    results = Results(check_mode)
    return results.run(lambda: _converge(DeviceSnapshot(client), params, results))


def _converge(snapshot: DeviceSnapshot, params: Dict[str, Any], results: Results) -> Dict[str, Any]:
    app: str = params["name"]
    plain, secret_values = declared_parameters(params)
    if not plain and not secret_values:
        raise ParameterError("Give at least one parameter to set in parameters or secret_parameters")
    plan = plan_parameters(snapshot, name=app, wanted=dict(plain, **secret_values), secret_names=secret_values,
                           check_mode=results.check_mode,
                           update_secrets=params.get("update_secrets") or DEFAULT_UPDATE_SECRETS)
    exposed = sorted(name for name in plain if name in plan.secret_names and name in plan.changes)
    if exposed:
        # Masked here, but Ansible shows the task's own arguments at -vvvv unless they are no_log.
        plan = replace(plan, warnings=plan.warnings + (
            "%s: the device hides the value of %s; give it in secret_parameters instead of parameters, so that "
            "Ansible keeps the value out of its logs too" % (app, ", ".join(exposed)),))
    record_parameters(results, plan)
    after = plan.after
    if not results.check_mode:
        results.begin_writes()
        after = apply_parameters(snapshot, plan, results.journal)
        results.settle(plan.resource, after)
    return results.result(parameters=after, not_comparable=list(plan.not_comparable))


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "name": {"type": "str", "required": True},
        "parameters": {"type": "dict", "default": {}},
        # Values of secret parameters: no_log, so Ansible masks them in its own output too.
        "secret_parameters": {"type": "dict", "default": {}, "no_log": True},
        "update_secrets": {"type": "str", "default": DEFAULT_UPDATE_SECRETS, "choices": list(UPDATE_SECRETS)},
    },
    logic=run,
)
