# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_parameters: an ACAP application's own parameters (param.cgi ``root.<App>``).

The pieces, usable apart (``axis_acap_state`` composes them per application, like the license ones):

- ``read_parameters(client, app)``: one ``param.cgi action=list&group=root.<App>`` -> {Name: value},
  or None when the device has no such group (the application is not installed, or declares no
  parameter). ``read_all_parameters(client, apps)``: every application in one request.
- ``plan_parameters(app, wanted, current, secret_names, types, assumed)``: pure. Renders the wanted
  values as the device writes them, compares, and returns a ``ParameterPlan``: the values to write
  (only those that differ), the actions, and before/after views in which secrets are masked.
- ``prepare_parameters(snapshot, name=..., wanted=..., secret_names=..., check_mode=...)``: read
  once, then plan (the application not installed: a failure, or a planned change in check mode).
- ``apply_parameters(snapshot, plan, journal)``: ONE ``action=update`` request with every change,
  through the act-then-confirm layer (``_confirm``): sent once, then the group is read again and the
  result says what the device shows (docs/reliability.md).
- ``parameters_record(plan, after, journal, check_mode)``: the ``resources`` item.

``run(client, params, check_mode)`` is the module logic, ``MODULE_SPEC`` its options.

Secrets. param.cgi's list does not tell a parameter's type, so a parameter is treated as secret
when the task gives its value in ``secret_parameters`` (a no_log option, so Ansible masks the value
in its own output too), when ``types`` (from the package, where the caller has it) gives it a type
naming ``password`` or ``hidden``, or when the device hides its value (it lists only ``*``
characters). A secret's value never appears in a result, a diff, a warning or a message: views show
``SECRET_MASK``, and a device error that quotes a secret's value is cleaned. What can be compared:
a secret the device lists in clear is compared like any parameter (so it is written only when it
differs); a value the device hides cannot be compared, so it is written on every run that declares
it, and the result says so in a warning (changed, never a false "ok").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Dict, FrozenSet, Iterable, List, Mapping, Optional, Tuple
from urllib.parse import quote, quote_plus

from ansible_collections.vapix.acap.plugins.module_utils._app_names import same_application
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal, Write, act_and_confirm
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    ParameterError,
    PreflightError,
)
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._resources import done_or_planned, resource_record
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot

SECRET_MASK = "********"
SECRET_CHANGED_MASK = "******** (changed)"
RESOURCE_KIND = "parameters"

# The false/true word pairs devices use for bool parameters; a bool given in the task is written
# with the pair the device's current value belongs to (or the type's own words when known).
BOOL_WORD_PAIRS: Tuple[Tuple[str, str], ...] = (
    ("no", "yes"), ("false", "true"), ("off", "on"), ("0", "1"), ("disabled", "enabled"),
)

_HIDDEN_VALUE = re.compile(r"^\*+$")


def is_secret_type(type_text: Optional[str]) -> bool:
    """A parameter type naming ``password`` or ``hidden`` marks a secret."""
    lowered = (type_text or "").lower()
    return "password" in lowered or "hidden" in lowered


def is_hidden_value(value: Optional[str]) -> bool:
    """The device lists a value it hides as ``*`` characters."""
    return bool(value) and bool(_HIDDEN_VALUE.match(value or ""))


def bool_words_of_type(type_text: Optional[str]) -> Optional[Tuple[str, str]]:
    """(false, true) of a ``bool:<false>,<true>`` type (bare ``bool``: no, yes); None for other types."""
    kind, _separator, spec = (type_text or "").partition(":")
    if kind.strip().lower() != "bool":
        return None
    words = [word.strip() for word in spec.split(",")] if spec.strip() else []
    return (words[0], words[1]) if len(words) == 2 and all(words) else ("no", "yes")


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
    app: str, name: str, value: Any, current: Optional[str], type_text: Optional[str], secret: bool
) -> str:
    """The text the device stores for ``value`` (an Ansible value). Raises ``ParameterError``."""
    label = "%s.%s" % (app, name)
    if value is None:
        raise ParameterError("Parameter %s has no value (null): give the value to set, or leave the parameter out" % label)
    if isinstance(value, bool):
        words = bool_words_of_type(type_text) or (None if secret else _bool_words_of_value(current))
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


@dataclass(frozen=True)
class ParameterPlan:
    """What differs, as the device writes it, and the masked views of before and after.

    ``changes`` holds the rendered values to write (secrets included: it is sent, never shown);
    ``before``/``after`` are every parameter of the application with secrets masked; ``assumed``
    is true in check mode when the application is not installed yet (nothing could be compared).
    """

    application: str
    changes: Dict[str, str] = field(repr=False)  # secret values included: sent, never shown
    secret_names: FrozenSet[str] = frozenset()
    before: Dict[str, str] = field(default_factory=dict)
    after: Dict[str, str] = field(default_factory=dict)
    warnings: Tuple[str, ...] = ()
    uncomparable: Tuple[str, ...] = ()
    assumed: bool = False
    # The values as the device listed them (secrets included), to tell after a write what changed.
    current: Dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def actions(self) -> List[str]:
        """``set <Name>=<value>`` per change, ``set <Name>`` for a secret (no value)."""
        return [
            "set %s" % name if name in self.secret_names else "set %s=%s" % (name, value)
            for name, value in self.changes.items()
        ]

    @property
    def resource(self) -> str:
        return "%s:%s" % (RESOURCE_KIND, self.application)

    def scrub(self, text: str) -> str:
        """``text`` without the value of any secret this plan writes (device errors may quote it)."""
        for name in self.secret_names:
            value = self.changes.get(name)
            if value:
                text = text.replace(value, SECRET_MASK)
                for encoded in (quote(value, safe=""), quote_plus(value)):
                    if encoded != value:
                        text = text.replace(encoded, SECRET_MASK)
        return text


def masked_view(current: Mapping[str, str], secret_names: Iterable[str] = ()) -> Dict[str, str]:
    """``current`` with every secret (named, or hidden by the device) shown as ``SECRET_MASK``."""
    secrets = set(secret_names)
    return {
        name: SECRET_MASK if name in secrets or is_hidden_value(value) else value
        for name, value in current.items()
    }


def plan_parameters(
    app: str,
    wanted: Mapping[str, Any],
    current: Mapping[str, str],
    secret_names: Iterable[str] = (),
    types: Optional[Mapping[str, str]] = None,
    assumed: bool = False,
) -> ParameterPlan:
    """Decide without I/O. ``current``: {Name: value} as the device lists it; ``types``: {Name: type}
    from the package when the caller has it. ``assumed``: check mode, the application is not installed
    and an earlier task may install it (``current`` is then empty and every wanted value is a change).
    Unknown names fail here, before anything is written, naming the parameters the application has."""
    types = dict(types or {})
    secrets = set(secret_names) | {name for name, text in types.items() if is_secret_type(text)}
    secrets |= {name for name, value in current.items() if is_hidden_value(value)}
    if not assumed:
        unknown = sorted(set(wanted) - set(current))
        if unknown:
            raise ParameterError(_unknown_message(app, unknown, current))
    changes: Dict[str, str] = {}
    uncomparable: List[str] = []
    for name, value in wanted.items():
        now = current.get(name)
        # Not installed yet (check mode): a bool is predicted with the most common words, yes/no.
        type_text = types.get(name) or ("bool" if assumed and isinstance(value, bool) else None)
        rendered = render_value(app, name, value, now, type_text, name in secrets)
        if now is not None and is_hidden_value(now):
            uncomparable.append(name)
            changes[name] = rendered
        elif rendered != now:
            changes[name] = rendered
    secret_set = frozenset(secrets)
    before = masked_view(current, secret_set)
    after = dict(before)
    for name, value in changes.items():
        after[name] = SECRET_CHANGED_MASK if name in secret_set else value
    warnings: List[str] = []
    if uncomparable:
        warnings.append(
            "%s: the device hides the value of %s, so it cannot be compared with the task's value; it is "
            "written on every run that declares it (reported as changed)" % (app, ", ".join(sorted(uncomparable)))
        )
    return ParameterPlan(
        application=app,
        changes=changes,
        secret_names=secret_set,
        before={} if assumed else before,
        after=after,
        warnings=tuple(warnings),
        uncomparable=tuple(sorted(uncomparable)),
        assumed=assumed,
        current=dict(current),
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


def group_of(app: str) -> str:
    return "root.%s" % app


def split_group(app: str, listed: Mapping[str, str]) -> Dict[str, str]:
    """``parse_param_list`` keys ``<App>.<Name>`` -> {Name: value} for ``app``. The group is matched
    without regard to letter case (the device may spell it its own way); names are kept as listed."""
    prefix = app.lower() + "."
    return {key[len(prefix):]: value for key, value in listed.items() if key.lower().startswith(prefix)}


def read_parameters(client: VapixClient, app: str) -> Optional[Dict[str, str]]:
    """One param.cgi list of ``root.<app>`` -> {Name: value}; None when the device has no such group."""
    try:
        listed = client.get_parameters(group_of(app))
    except DeviceError as exc:
        if exc.endpoint == "param.cgi":
            return None
        raise
    return split_group(app, listed)


def read_all_parameters(client: VapixClient, apps: Iterable[str]) -> Dict[str, Dict[str, str]]:
    """Every application's parameters in ONE param.cgi list (the groups joined by commas), secrets the
    device hides masked: {App: {Name: value}}; an application without parameters maps to {}."""
    names = list(apps)
    if not names:
        return {}
    try:
        listed = client.get_parameters(",".join(group_of(app) for app in names))
    except DeviceError as exc:
        if exc.endpoint != "param.cgi":
            raise
        listed = {}  # no application has parameters
    return {app: masked_view(split_group(app, listed)) for app in names}


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


def prepare_parameters(
    snapshot: DeviceSnapshot,
    *,
    name: str,
    wanted: Mapping[str, Any],
    secret_names: Iterable[str] = (),
    check_mode: bool,
    types: Optional[Mapping[str, str]] = None,
    installing: bool = False,
) -> ParameterPlan:
    """Read ``root.<name>`` once and plan. When the group is missing, list.cgi (through the snapshot, so
    shared with other planners) tells whether the application is installed without parameters or not
    installed: then a failure, or in check mode a plan of every wanted value with a warning that an
    earlier task is assumed to install it (``installing``: the same run installs it, no warning)."""
    current = read_parameters(snapshot.client, name)
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
    plan = plan_parameters(name, wanted, current, secret_names, types=types, assumed=assumed)
    if warnings:
        plan = replace(plan, warnings=tuple(warnings) + plan.warnings)
    return plan


def _describe(plan: ParameterPlan, state: Mapping[str, str]) -> str:
    shown = masked_view({name: state.get(name, "(absent)") for name in plan.changes}, plan.secret_names)
    return ", ".join("%s=%s" % item for item in shown.items())


def apply_parameters(snapshot: DeviceSnapshot, plan: ParameterPlan, journal: Journal) -> Dict[str, str]:
    """Write ``plan.changes`` in ONE update through the act-then-confirm layer (sent once, then the group
    is read again); returns every parameter as the device shows it afterwards, secrets masked. A value the
    device hides cannot be confirmed; when it shows the others, the whole update counts as applied (the
    device applies an update whole or not at all)."""
    if not plan.changes:
        return dict(plan.before)
    client, app = snapshot.client, plan.application
    values = {"%s.%s" % (app, name): value for name, value in plan.changes.items()}
    checkable = [name for name in plan.changes if not is_hidden_value(plan.current.get(name))]

    def send() -> None:
        try:
            client.update_parameters(values)
        except AcapError as exc:
            exc.message = plan.scrub(exc.message)  # the device may quote a refused secret value
            exc.args = (exc.message,)
            raise

    def read() -> Dict[str, str]:
        return read_parameters(client, app) or {}

    def shown(state: Mapping[str, str], name: str) -> bool:
        return state.get(name) == plan.changes[name] or is_hidden_value(state.get(name))

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
    except AcapError as exc:
        if journal.done(plan.resource):  # sent and counted as done (or unknown): all its actions
            _record_rest(plan, journal)
            exc.result["actions"] = journal.reported_actions()
        raise
    _record_rest(plan, journal)
    return after_view(plan, state if state is not None else {})


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


def parameters_record(plan: ParameterPlan, after: Dict[str, str], journal: Journal, check_mode: bool) -> Dict[str, Any]:
    """The ``resources`` item (docs/architecture.md) of ``parameters:<app>``."""
    return resource_record(
        plan.resource,
        done_or_planned(journal, plan.resource, plan.actions, check_mode),
        before=dict(plan.before),
        after=dict(after),
        warnings=journal.warnings_of(plan.resource),
        outcome_unknown=plan.resource in journal.unknown,
    )


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
    app: str = params["name"]
    plain, secret_values = declared_parameters(params)
    if not plain and not secret_values:
        raise ParameterError("Give at least one parameter to set in parameters or secret_parameters")
    snapshot = DeviceSnapshot(client)
    try:
        plan = prepare_parameters(snapshot, name=app, wanted=dict(plain, **secret_values), secret_names=secret_values,
                                  check_mode=check_mode)
    except AcapError as exc:
        exc.result.setdefault("changed", False)
        exc.result.setdefault("actions", [])
        raise
    exposed = sorted(name for name in plain if name in plan.secret_names)
    if exposed:
        # Masked here, but Ansible shows the task's own arguments at -vvvv unless they are no_log.
        plan = replace(plan, warnings=plan.warnings + (
            "%s: the device hides the value of %s; give it in secret_parameters instead of parameters, so that "
            "Ansible keeps the value out of its logs too" % (app, ", ".join(exposed)),))
    journal = Journal(flat=True)
    journal.warn(plan.resource, *plan.warnings)
    after = plan.after if check_mode else apply_parameters(snapshot, plan, journal)
    actions = list(plan.actions) if check_mode else journal.reported_actions()
    address = client.settings.address
    result: Dict[str, Any] = {
        "changed": bool(actions),
        "actions": actions,
        "parameters": after,
        "resources": [parameters_record(plan, after, journal, check_mode)],
        "diff": {
            "before": dict(plan.before),
            "after": after,
            "before_header": "%s %s (before)" % (address, plan.resource),
            "after_header": "%s %s (after)" % (address, plan.resource),
        },
    }
    return journal.annotate(result)


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "name": {"type": "str", "required": True},
        "parameters": {"type": "dict", "default": {}},
        # Values of secret parameters: no_log, so Ansible masks them in its own output too.
        "secret_parameters": {"type": "dict", "default": {}, "no_log": True},
    },
    logic=run,
)
