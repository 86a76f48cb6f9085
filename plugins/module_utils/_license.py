# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_license: decide from one list.cgi read, then act.

``plan_license`` is pure: from the module's wishes, the application as
list.cgi reports it, the key(s) read from disk and (when known) the device's
serial number, it returns the actions. It asks for the serial number
(``needs_serial``) only when the decision depends on it, so a run with nothing
to do costs exactly one request (list.cgi). ``run`` reads, plans, and executes
through the client, then reads list.cgi again to confirm.

No message, result or diff built here contains a key's bytes: only a key's
file name, product, productid, serial number and expiry.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional, Sequence, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    DeviceUnreachableError,
    OutcomeUnknownError,
    PreflightError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._license_key import (
    KeyCollection,
    LicenseKey,
    load_keys,
    no_key_message,
    normalize_serial,
    parse_expiry,
    parse_license_key,
    pick_key,
    same_application_id,
)
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec

if TYPE_CHECKING:  # pragma: no cover - typing only
    from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient

UPLOAD_LICENSE = "upload_license"
REMOVE_LICENSE = "remove_license"

# list.cgi License values.
VALID = "Valid"
INVALID = "Invalid"
MISSING = "Missing"
CUSTOM = "Custom"
NOT_REQUIRED = "None"

# A request that may have reached the device although no answer came back.
_UNCERTAIN_ERRORS = (DeviceUnreachableError, UnexpectedResponseError, OutcomeUnknownError)


@dataclass(frozen=True)
class LicensePlan:
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


def describe_application(application: Application) -> str:
    if application.application_id:
        return "%s (ApplicationID %s)" % (application.name, application.application_id)
    return application.name


def describe_key(key: LicenseKey) -> str:
    where = "given in content" if key.source == "content" else "file %s" % key.source
    return "license key %s (product %s, productid %s, serial number %s, expires %s)" % (
        where,
        key.product,
        key.productid if key.productid is not None else "not given",
        key.serial_number,
        _instant(key.expires_at) if key.expires_at else "never",
    )


def device_expiry(application: Application) -> Optional[datetime.date]:
    """LicenseExpirationDate as a date; None when absent or unreadable (then a
    key with an expiry is treated as different and uploaded)."""
    text = application.license_expiration_date
    if not text:
        return None
    try:
        return parse_expiry(text)[0]
    except ValueError:
        return None


def check_key_matches_application(key: LicenseKey, application: Application) -> None:
    """Product must be the application's short name; productid its ApplicationID
    where both are known. Local: needs no request."""
    if key.product != application.name or not same_application_id(key.productid, application.application_id):
        raise PreflightError(
            "The %s is not for the installed application %s. Use the key Axis issued for this "
            "application." % (describe_key(key), describe_application(application))
        )


def _instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def check_key_for_upload(key: LicenseKey, application: Application, serial_number: str, now: datetime.datetime) -> None:
    """Everything that can be checked before an upload, from the key and the device's facts."""
    check_key_matches_application(key, application)
    device_serial = normalize_serial(serial_number)
    if key.serial_number != device_serial:
        raise PreflightError(
            "The %s is for another device: this device's serial number is %s. License keys are "
            "issued per device; use the key for serial number %s." % (describe_key(key), device_serial, device_serial)
        )
    if key.is_expired(now):
        raise PreflightError(
            "The %s has expired (it is now %s). Get a new key from Axis's license portal."
            % (describe_key(key), _instant(now))
        )


def candidate_keys(keys: KeyCollection, application: Application) -> List[LicenseKey]:
    """The keys that may be this application's. A single key (file or content)
    that names another application is an error at once; a directory is
    filtered, and holding no key for the application is an error."""
    if keys.single:
        check_key_matches_application(keys.keys[0], application)
        return list(keys.keys)
    matching = keys.for_product(application.name, application.application_id)
    if not matching:
        products = sorted({"%s (productid %s)" % (key.product, key.productid) for key in keys.keys})
        message = "No license key for application %s in %s. %d key file(s) could be read%s." % (
            describe_application(application),
            keys.origin,
            len(keys.keys),
            (", for: " + ", ".join(products[:10]) + (" ..." if len(products) > 10 else "")) if products else "",
        )
        if keys.problems:
            message += " Unreadable: %s." % keys.describe_problems()
        raise PreflightError(message + " Put the keys Axis issued for this application there.")
    return matching


def plan_license(
    *,
    name: str,
    state: str,
    force: bool,
    application: Optional[Application],
    keys: Optional[KeyCollection],
    serial_number: Optional[str],
    now: datetime.datetime,
) -> LicensePlan:
    """Decide, without any I/O. ``application`` is the list.cgi entry (None when
    not installed); ``keys`` the key(s) read for ``state=present``;
    ``serial_number`` the device's, or None when not read yet."""
    if state == "absent":
        return _plan_absent(force, application)
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
            return LicensePlan(warnings=(_unknowable_status_warning(application, "uploaded"),))
        warnings.append(
            "force=true: uploading the key although list.cgi reports License=%s for %s, so the device "
            "cannot confirm the key is in use." % (status, application.name)
        )
    elif status == VALID and not force:
        installed = device_expiry(application)
        if all(key.expires == installed for key in candidates):
            # Whichever of these keys is this device's, it is installed already.
            return LicensePlan(key=candidates[0] if len(candidates) == 1 else None)
        if serial_number is None:
            return LicensePlan(needs_serial=True)
        key = _select(keys, candidates, serial_number, application)
        if key.expires == installed:
            return LicensePlan(key=key)
        return _upload(key, application, serial_number, now, warnings)

    # Missing, Invalid, forced: an upload, which must be checked against the serial number.
    if serial_number is None:
        return LicensePlan(needs_serial=True, warnings=tuple(warnings))
    key = _select(keys, candidates, serial_number, application)
    return _upload(key, application, serial_number, now, warnings)


def _plan_absent(force: bool, application: Optional[Application]) -> LicensePlan:
    if application is None:
        return LicensePlan()  # no application, so no key: absent already
    status = application.license
    if status in (VALID, INVALID):
        return LicensePlan(actions=(REMOVE_LICENSE,))
    if status in (MISSING, NOT_REQUIRED):
        return LicensePlan()
    if force:
        return LicensePlan(
            actions=(REMOVE_LICENSE,),
            warnings=(
                "force=true: asking the device to remove the key of %s although list.cgi reports "
                "License=%s." % (application.name, status),
            ),
        )
    return LicensePlan(warnings=(_unknowable_status_warning(application, "removed"),))


def _unknowable_status_warning(application: Application, verb: str) -> str:
    status = application.license
    if status == NOT_REQUIRED:
        why = "the application needs no license (list.cgi reports License=None)"
    elif status == CUSTOM:
        why = "the application uses its own licensing, so the device cannot report a key's status (License=Custom)"
    else:
        why = "list.cgi reports no known license status (License=%s)" % status
    return "No license key %s for %s: %s. Use force=true to send it anyway." % (verb, application.name, why)


def _select(keys: KeyCollection, candidates: Sequence[LicenseKey], serial_number: str, application: Application) -> LicenseKey:
    if keys.single:
        return candidates[0]  # its serial number is checked before upload, with a precise message
    key = pick_key(candidates, serial_number)
    if key is None:
        raise PreflightError(no_key_message(keys, serial_number, application.name))
    return key


def _upload(
    key: LicenseKey, application: Application, serial_number: str, now: datetime.datetime, warnings: List[str]
) -> LicensePlan:
    check_key_for_upload(key, application, serial_number, now)
    return LicensePlan(actions=(UPLOAD_LICENSE,), key=key, warnings=tuple(warnings))


def predicted_state(plan: LicensePlan, before: LicenseState) -> LicenseState:
    if UPLOAD_LICENSE in plan.actions and plan.key is not None:
        if before.status in (VALID, INVALID, MISSING):
            return LicenseState(status=VALID, expiration_date=_expiry_of(plan.key))
        return before  # None / Custom: the device will not say more after the upload
    if REMOVE_LICENSE in plan.actions:
        return LicenseState(status=MISSING, expiration_date=None)
    return before


# --------------------------------------------------------------------------------------------------
# Execution
# --------------------------------------------------------------------------------------------------


def load_key_source(params: Dict[str, Any]) -> Optional[KeyCollection]:
    """The key(s) given by ``content`` or ``src``; local only."""
    if params.get("content"):
        key = parse_license_key(params["content"].encode("utf-8"), "content")
        return KeyCollection(keys=[key], problems=[], origin="content", single=True)
    if params.get("src"):
        return load_keys(params["src"])
    return None


def find_application(applications: Sequence[Application], name: str) -> Optional[Application]:
    for application in applications:
        if application.name == name:
            return application
    return None


def _not_installed(applications: Sequence[Application], name: str) -> PreflightError:
    similar = [app.name for app in applications if app.name.lower() == name.lower()]
    message = "The application %s is not installed on the device, so it cannot take a license key." % name
    if similar:
        message += " An application named %s is installed: names are case sensitive." % similar[0]
    message += " Install it first, for example with vapix.acap.axis_acap."
    return PreflightError(message, result={"changed": False, "actions": []})


def _assumed_installation(applications: Sequence[Application], name: str) -> Tuple[Application, str]:
    """Check mode only: the application as an earlier task would install it (licensed, no key yet),
    with the warning that says so. Without check mode, a missing application fails the task."""
    if any(app.name.lower() == name.lower() for app in applications):
        raise _not_installed(applications, name)  # a letter-case clash fails in check mode too
    warning = (
        "Check mode: the application %s is not installed, so this run assumes an earlier task installs it "
        "and plans the key for it. Without check mode the task fails unless %s is installed first."
        % (name, name)
    )
    return Application(name=name, license=MISSING), warning


@dataclass
class _Outcome:
    """The result being built, so that a failure can carry what was done."""

    actions: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    def partial(self) -> Dict[str, Any]:
        return {"changed": bool(self.actions), "actions": list(self.actions)}


def run(client: "VapixClient", params: Dict[str, Any], check_mode: bool, now: Optional[datetime.datetime] = None) -> Dict[str, Any]:
    """The logic contract (docs/architecture.md): read, plan, act, confirm."""
    name: str = params["name"]
    state: str = params.get("state") or "present"
    force = bool(params.get("force"))
    now = now or utc_now()

    applications = client.list_applications()
    application = find_application(applications, name)
    keys = load_key_source(params) if state == "present" else None
    assumed_install: Optional[str] = None
    if state == "present" and application is None:
        if not check_mode:
            raise _not_installed(applications, name)
        # A check run of a playbook that installs the application in an earlier task: that task
        # installed nothing, so this one plans against the application as it would be installed.
        application, assumed_install = _assumed_installation(applications, name)

    plan = plan_license(name=name, state=state, force=force, application=application, keys=keys, serial_number=None, now=now)
    if plan.needs_serial:
        serial = client.get_device_properties().serial_number
        if not serial:
            raise UnexpectedResponseError(
                "The device did not report its serial number (param.cgi Properties.System.SerialNumber), "
                "which is needed to choose and check the license key.",
                result={"changed": False, "actions": []},
            )
        plan = plan_license(name=name, state=state, force=force, application=application, keys=keys, serial_number=serial, now=now)

    outcome = _Outcome(warnings=([assumed_install] if assumed_install else []) + list(plan.warnings))
    if keys is not None and keys.problems:
        outcome.warnings.append("Key files that could not be read were skipped: %s" % keys.describe_problems())
    before = LicenseState.of(None if assumed_install else application)
    after = predicted_state(plan, LicenseState.of(application))

    if plan.actions and not check_mode:
        for action in plan.actions:
            if action == UPLOAD_LICENSE:
                after = _upload_and_confirm(client, name, plan, before, outcome)
            elif action == REMOVE_LICENSE:
                after = _remove_and_confirm(client, name, before, outcome)
    elif plan.actions:
        outcome.actions = list(plan.actions)  # check mode: what would be done

    result: Dict[str, Any] = {
        "changed": bool(outcome.actions),
        "actions": list(outcome.actions),
        "license": after.to_dict(),
        "key": plan.key.to_dict() if plan.key is not None else None,
        "diff": {
            "before": dict(application=name, **before.to_dict()),
            "after": dict(application=name, **after.to_dict()),
        },
    }
    if outcome.warnings:
        result["warnings"] = outcome.warnings
    return result


def _reread(client: "VapixClient", name: str, outcome: _Outcome, what: str) -> LicenseState:
    try:
        application = find_application(client.list_applications(), name)
    except AcapError as exc:
        raise OutcomeUnknownError(
            "%s, but reading list.cgi afterwards to confirm failed: %s" % (what, exc.message),
            error_code=exc.error_code,
            http_status=exc.http_status,
            endpoint=exc.endpoint,
            result=outcome.partial(),
        ) from None
    if application is None:
        raise DeviceError(
            "%s, but list.cgi no longer lists the application %s. Check the device." % (what, name),
            endpoint="list.cgi",
            result=outcome.partial(),
        )
    return LicenseState.of(application)


def _unchanged_after_uncertain(exc: AcapError, what: str, before: LicenseState, after: LicenseState) -> AcapError:
    """The request may not have arrived; the device shows the state of before: nothing was done."""
    return type(exc)(
        "%s; list.cgi still reports License=%s%s as before, so nothing was changed. Run the task again."
        % (what, after.status, _expiry_text(after)),
        error_code=exc.error_code,
        http_status=exc.http_status,
        endpoint=exc.endpoint,
        result={"changed": False, "actions": []},
    )


def _upload_and_confirm(client: "VapixClient", name: str, plan: LicensePlan, before: LicenseState, outcome: _Outcome) -> LicenseState:
    key = plan.key
    what = "The %s was uploaded to %s" % (describe_key(key), name)
    try:
        client.upload_license(name, key.filename, key.data)
    except _UNCERTAIN_ERRORS as exc:
        return _settle_uncertain(
            client, name, exc, UPLOAD_LICENSE, before, outcome,
            what="Uploading the %s to %s got no clear answer (%s)" % (describe_key(key), name, exc.message),
            done=lambda after: after.status == VALID and (
                before.status != VALID or _expiry_of(key) == after.expiration_date),
            conclusion=", so the key is installed",
            extra={"key": key.to_dict()},
        )
    except AcapError as exc:
        raise type(exc)(
            "Uploading the %s to %s failed: %s" % (describe_key(key), name, exc.message),
            error_code=exc.error_code,
            http_status=exc.http_status,
            endpoint=exc.endpoint,
            result=dict(outcome.partial(), key=key.to_dict()),
        ) from None
    outcome.actions.append(UPLOAD_LICENSE)
    after = _reread(client, name, outcome, what)
    if after.status == VALID:
        return after
    if before.status in (NOT_REQUIRED, CUSTOM) and after.status == before.status:
        outcome.warnings.append(
            "%s; the device still reports License=%s, as expected for this application, so it cannot "
            "confirm the key is in use." % (what, after.status)
        )
        return after
    raise DeviceError(
        "%s and license.cgi answered OK, but list.cgi now reports License=%s%s. The device does not "
        "accept the key for this application; check the key and the device's system log."
        % (what, after.status, _expiry_text(after)),
        endpoint="list.cgi",
        result=dict(outcome.partial(), license=after.to_dict(), key=key.to_dict()),
    )


def _remove_and_confirm(client: "VapixClient", name: str, before: LicenseState, outcome: _Outcome) -> LicenseState:
    what = "The license key of %s was removed" % name
    try:
        client.remove_license(name)
    except _UNCERTAIN_ERRORS as exc:
        return _settle_uncertain(
            client, name, exc, REMOVE_LICENSE, before, outcome,
            what="Removing the license key of %s got no clear answer (%s)" % (name, exc.message),
            done=lambda after: after.status not in (VALID, INVALID),
        )
    except AcapError as exc:
        raise type(exc)(
            "Removing the license key of %s failed: %s" % (name, exc.message),
            error_code=exc.error_code,
            http_status=exc.http_status,
            endpoint=exc.endpoint,
            result=outcome.partial(),
        ) from None
    outcome.actions.append(REMOVE_LICENSE)
    after = _reread(client, name, outcome, what)
    if after.status in (VALID, INVALID):
        raise DeviceError(
            "%s (license.cgi answered OK), but list.cgi still reports License=%s%s. Check the device's "
            "system log." % (what, after.status, _expiry_text(after)),
            endpoint="list.cgi",
            result=dict(outcome.partial(), license=after.to_dict()),
        )
    return after


def _settle_uncertain(
    client: "VapixClient",
    name: str,
    exc: AcapError,
    action: str,
    before: LicenseState,
    outcome: _Outcome,
    what: str,
    done: Callable[[LicenseState], bool],
    conclusion: str = "",
    extra: Optional[Dict[str, Any]] = None,
) -> LicenseState:
    """license.cgi gave no clear answer, so the request may or may not have taken effect: read
    list.cgi and report what the device shows. Done: a warning. As before: nothing was changed.
    Anything else: the outcome is unknown, and the failure says what the device reports now."""
    outcome.actions.append(action)
    after = _reread(client, name, outcome, what)
    if done(after):
        outcome.warnings.append(
            "%s; list.cgi now reports License=%s%s%s." % (what, after.status, _expiry_text(after), conclusion)
        )
        return after
    if after == before:
        raise _unchanged_after_uncertain(exc, what, before, after) from None
    raise OutcomeUnknownError(
        "%s and list.cgi now reports License=%s%s (before: License=%s%s)."
        % (what, after.status, _expiry_text(after), before.status, _expiry_text(before)),
        error_code=exc.error_code,
        http_status=exc.http_status,
        endpoint=exc.endpoint,
        result=dict(outcome.partial(), license=after.to_dict(), **(extra or {})),
    ) from None


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
