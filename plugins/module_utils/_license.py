# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_license: decide from one list.cgi read, then act.

``decide_license`` is pure: from the module's wishes, the application as
list.cgi reports it, the key(s) read from disk and (when known) the device's
serial number, it returns the actions. It asks for the serial number
(``needs_serial``) only when the decision depends on it, so a run with nothing
to do costs exactly one request (list.cgi). ``plan_license`` gives it what
it needs through the snapshot (the serial number only when asked for);
``apply_license`` writes through the act-then-confirm layer, which reads
list.cgi again to confirm; ``record_license`` is the result builder's record.

No message, result or diff built here contains a key's bytes: only a key's
file name, product, productid, serial number and expiry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Sequence, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._app_names import same_application
from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal, Write, act_and_confirm
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    PreflightError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._key_choice import (
    INVALID,
    MISSING,
    NOT_REQUIRED,
    VALID,
    _all_expire_on,
    _better_key_warning,
    _device_key_beats_all,
    _select,
    _unknowable_status_warning,
    candidate_keys,
    check_key_for_upload,
    describe_key,
    device_expiry,
    device_key_is_better,
)
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import KeyCollection, load_keys
from ansible_collections.vapix.acap.plugins.module_utils._license_key import LicenseKey, parse_license_key
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._results import Results
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient

UPLOAD_LICENSE = "upload_license"
REMOVE_LICENSE = "remove_license"


@dataclass(frozen=True)
class LicenseDecision:
    """What to do, and with which key. ``needs_serial``: ask the device for its
    serial number and plan again (nothing has been decided yet)."""

    actions: Tuple[str, ...] = ()
    key: Optional[LicenseKey] = None
    needs_serial: bool = False
    warnings: Tuple[str, ...] = ()


@dataclass(frozen=True)
class LicenseState:
    """The license as list.cgi reports it for one application."""

    status: Optional[str]
    expiration_date: Optional[str]

    @classmethod
    def of(cls, application: Optional[Application]) -> "LicenseState":
        if application is None:
            return cls(status=None, expiration_date=None)
        return cls(status=application.license, expiration_date=application.license_expiration_date)

    def to_dict(self) -> Dict[str, Optional[str]]:
        return {"status": self.status, "expiration_date": self.expiration_date}


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def decide_license(
    *,
    name: str,
    state: str,
    force: bool,
    application: Optional[Application],
    keys: Optional[KeyCollection],
    serial_number: Optional[str],
    now: datetime.datetime,
) -> LicenseDecision:
    """Decide, without any I/O. ``application`` is the list.cgi entry (None when
    not installed); ``keys`` the key(s) read for ``state=present``;
    ``serial_number`` the device's, or None when not read yet."""
    if state == "absent":
        return _decide_absent(force, application)
    if application is None:
        raise PreflightError(
            "The application %s is not installed on the device, so it cannot take a license key. "
            "Install it first, for example with vapix.acap.axis_acap." % name
        )
    if keys is None:
        raise PreflightError("state=present needs a license key: give src or content.")
    candidates = candidate_keys(keys, application)
    status = application.license
    warnings: List[str] = []

    if status not in (VALID, INVALID, MISSING):  # None, Custom, absent or unknown
        if not force:
            return LicenseDecision(warnings=(_unknowable_status_warning(application, "uploaded"),))
        warnings.append(
            "force=true: uploading the key although list.cgi reports License=%s for %s, so the device "
            "cannot confirm the key is in use." % (status, application.name)
        )
    elif status == VALID and not force:
        installed = device_expiry(application)
        first = keys.key_of(min((group.first for group in candidates), key=lambda entry: entry.name))
        if _all_expire_on(candidates, installed):
            # Whichever of these keys is this device's, it is installed already.
            return LicenseDecision(key=first if sum(group.count for group in candidates) == 1 else None)
        if _device_key_beats_all(application, candidates):
            return LicenseDecision(warnings=(_better_key_warning(application, first),))
        if serial_number is None:
            return LicenseDecision(needs_serial=True)
        key = _select(keys, serial_number, application)
        if key.expires == installed:
            return LicenseDecision(key=key)
        if device_key_is_better(application, key):
            return LicenseDecision(warnings=(_better_key_warning(application, key),))
        return _upload(key, application, serial_number, now, warnings)

    # Missing, Invalid, forced: an upload, which must be checked against the serial number.
    if serial_number is None:
        return LicenseDecision(needs_serial=True, warnings=tuple(warnings))
    key = _select(keys, serial_number, application)
    return _upload(key, application, serial_number, now, warnings)


def _decide_absent(force: bool, application: Optional[Application]) -> LicenseDecision:
    if application is None:
        return LicenseDecision()  # no application, so no key: absent already
    status = application.license
    if status in (VALID, INVALID):
        return LicenseDecision(actions=(REMOVE_LICENSE,))
    if status in (MISSING, NOT_REQUIRED):
        return LicenseDecision()
    if force:
        return LicenseDecision(
            actions=(REMOVE_LICENSE,),
            warnings=(
                "force=true: asking the device to remove the key of %s although list.cgi reports "
                "License=%s." % (application.name, status),
            ),
        )
    return LicenseDecision(warnings=(_unknowable_status_warning(application, "removed"),))


def _upload(
    key: LicenseKey, application: Application, serial_number: str, now: datetime.datetime, warnings: List[str]
) -> LicenseDecision:
    check_key_for_upload(key, application, serial_number, now)
    return LicenseDecision(actions=(UPLOAD_LICENSE,), key=key, warnings=tuple(warnings))


def predicted_state(decision: LicenseDecision, before: LicenseState) -> LicenseState:
    if UPLOAD_LICENSE in decision.actions and decision.key is not None:
        if before.status in (VALID, INVALID, MISSING):
            return LicenseState(status=VALID, expiration_date=_expiry_of(decision.key))
        return before  # None / Custom: the device will not say more after the upload
    if REMOVE_LICENSE in decision.actions:
        return LicenseState(status=MISSING, expiration_date=None)
    return before


# --------------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------------


def load_key_source(params: Dict[str, Any]) -> Optional[KeyCollection]:
    """The key(s) given by ``content`` or ``src``; local only."""
    if params.get("content"):
        key = parse_license_key(params["content"].encode("utf-8"), "content")
        return KeyCollection("content", keys=[key], single=True)
    if params.get("src"):
        return load_keys(params["src"])
    return None


def _not_installed(applications: Sequence[Application], name: str) -> PreflightError:
    similar = [app.name for app in applications if same_application(app.name, name)]
    message = "The application %s is not installed on the device, so it cannot take a license key." % name
    if similar:
        message += " An application named %s is installed: names are case sensitive." % similar[0]
    message += " Install it first, for example with vapix.acap.axis_acap."
    return PreflightError(message, result={"changed": False, "actions": []})


def _assumed_installation(applications: Sequence[Application], name: str) -> Tuple[Application, str]:
    """Check mode only: the application as an earlier task would install it (licensed, no key yet),
    with the warning that says so. Without check mode, a missing application fails the task."""
    if any(same_application(app.name, name) for app in applications):
        raise _not_installed(applications, name)  # a letter-case clash fails in check mode too
    warning = (
        "Check mode: the application %s is not installed, so this run assumes an earlier task installs it "
        "and plans the key for it. Without check mode the task fails unless %s is installed first."
        % (name, name)
    )
    return Application(name=name, license=MISSING), warning


@dataclass
class LicensePlan:
    """Everything decided about one application's license key before anything is sent."""

    name: str
    decision: LicenseDecision
    before: LicenseState
    after: LicenseState  # predicted
    warnings: List[str]

    @property
    def resource(self) -> str:
        return "license:%s" % self.name


def plan_license(
    snapshot: DeviceSnapshot,
    *,
    name: str,
    state: str,
    force: bool,
    keys: Optional[KeyCollection],
    check_mode: bool,
    now: datetime.datetime,
    application: Optional[Application] = None,
) -> LicensePlan:
    """Plan one application's license key (``decide_license`` decides; this reads what it needs through the
    snapshot, the serial number only when the choice depends on it). ``application``: the application as an earlier step of the same
    run leaves it (axis_acap_state); None: as the device lists it now."""
    assumed_install: Optional[str] = None
    if application is None:
        application = snapshot.application(name)
        if state == "present" and application is None:
            if not check_mode:
                raise _not_installed(snapshot.applications(), name)
            # A check run of a playbook that installs the application in an earlier task: that task
            # installed nothing, so this one plans against the application as it would be installed.
            application, assumed_install = _assumed_installation(snapshot.applications(), name)

    def decide(serial: Optional[str]) -> LicenseDecision:
        return decide_license(name=name, state=state, force=force, application=application, keys=keys,
                              serial_number=serial, now=now)

    decision = decide(None)
    if decision.needs_serial:
        serial = snapshot.properties().serial_number
        if not serial:
            raise UnexpectedResponseError(
                "The device did not report its serial number (param.cgi Properties.System.SerialNumber), "
                "which is needed to choose and check the license key of %s." % name,
            )
        decision = decide(serial)
    warnings = ([assumed_install] if assumed_install else []) + list(decision.warnings)
    if keys is not None and keys.problems:
        warnings.append("%s: key files that could not be read were skipped: %s" % (name, keys.describe_problems()))
    real_before = LicenseState.of(None if assumed_install else application)
    return LicensePlan(name, decision, real_before, predicted_state(decision, LicenseState.of(application)), warnings)


def _describe_license(state: LicenseState) -> str:
    if state.status is None:
        return "the application not installed"
    return "License=%s%s" % (state.status, _expiry_text(state))


def apply_license(snapshot: DeviceSnapshot, plan: LicensePlan, journal: Journal) -> LicenseState:
    """Carry out ``plan``; returns the license as list.cgi shows it afterwards."""
    client = snapshot.client
    name, before = plan.name, plan.before
    after = before

    def read() -> LicenseState:
        return LicenseState.of(snapshot.reread_application(name))

    for action in plan.decision.actions:
        if action == UPLOAD_LICENSE and plan.decision.key is not None:
            key = plan.decision.key
            # License None or Custom: the device never reports a key's status, so nothing can confirm it.
            reportable = before.status in (VALID, INVALID, MISSING)

            def uploaded(state: LicenseState) -> bool:
                if not reportable:
                    return state.status == before.status
                return state.status == VALID and (before.status != VALID or _expiry_of(key) == state.expiration_date)

            state = act_and_confirm(Write(
                resource=plan.resource,
                action=UPLOAD_LICENSE,
                description="upload of the %s to %s" % (describe_key(key), name),
                send=lambda: client.upload_license(name, key.filename, key.read_data()),
                read=read,
                achieved=uploaded,
                unchanged=lambda s: s == before,
                provable=reportable,
                describe_state=_describe_license,
            ), journal)
            after = state if state is not None else plan.after
            if not reportable and plan.resource not in journal.unknown:
                journal.warn(
                    plan.resource,
                    "The %s was uploaded to %s; the device reports License=%s, as expected for this application, "
                    "so it cannot confirm the key is in use." % (describe_key(key), name, after.status)
                )
        elif action == REMOVE_LICENSE:
            state = act_and_confirm(Write(
                resource=plan.resource,
                action=REMOVE_LICENSE,
                description="removal of the license key of %s" % name,
                send=lambda: client.remove_license(name),
                read=read,
                achieved=lambda s: s.status not in (VALID, INVALID),
                unchanged=lambda s: s == before,
                describe_state=_describe_license,
            ), journal)
            after = state if state is not None else plan.after
    return after


def license_view(name: str, state: LicenseState) -> Dict[str, Any]:
    """The license as the diff and the ``resources`` item show it."""
    return dict(application=name, **state.to_dict())


def record_license(results: Results, plan: LicensePlan) -> None:
    key = plan.decision.key
    results.add(plan.resource, license_view(plan.name, plan.before), license_view(plan.name, plan.after),
                plan.decision.actions, plan.warnings, source=key.source if key is not None and plan.decision.actions else None)


def run(client: "VapixClient", params: Dict[str, Any], check_mode: bool, now: Optional[datetime.datetime] = None) -> Dict[str, Any]:
    """The logic contract (docs/architecture.md): plan, then apply and confirm."""
    results = Results(check_mode)
    return results.run(lambda: _converge(DeviceSnapshot(client), params, results, now or utc_now()))


def _converge(snapshot: DeviceSnapshot, params: Dict[str, Any], results: Results, now: datetime.datetime) -> Dict[str, Any]:
    state: str = params.get("state") or "present"
    plan = plan_license(
        snapshot, name=params["name"], state=state, force=bool(params.get("force")),
        keys=load_key_source(params) if state == "present" else None, check_mode=results.check_mode, now=now,
    )
    record_license(results, plan)
    key = plan.decision.key.to_dict() if plan.decision.key is not None else None
    after = plan.after
    if not results.check_mode:
        if key is not None:
            results.failure_keys = lambda: {"key": key}
        results.begin_writes()
        after = apply_license(snapshot, plan, results.journal)
        results.settle(plan.resource, license_view(plan.name, after))
    return results.result(license=after.to_dict(), key=key)


def _expiry_of(key: LicenseKey) -> Optional[str]:
    return key.expires.isoformat() if key.expires else None


def _expiry_text(state: LicenseState) -> str:
    return " (LicenseExpirationDate %s)" % state.expiration_date if state.expiration_date else ""


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "name": {"type": "str", "required": True},
        "src": {"type": "path"},
        "content": {"type": "str", "no_log": True},
        "state": {"type": "str", "default": "present", "choices": ["present", "absent"]},
        "force": {"type": "bool", "default": False},
    },
    logic=run,
    constraints={
        "mutually_exclusive": [("src", "content")],
        "required_if": [("state", "present", ("src", "content"), True)],
    },
    local_files=("src",),
)
