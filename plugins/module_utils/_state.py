# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_state: a camera's whole ACAP state in one task.

Composes the planners and appliers of the single-resource modules, nothing
copied: ``_config`` (settings), ``_acap`` (applications, and the removals of
exclusive mode), ``_license`` (keys), ``_parameters`` (application parameters). One client, one snapshot: a camera whose
state is as declared costs one list.cgi plus one config.cgi get per declared
setting (and the Digest challenge).

``plan_camera`` plans everything first (every package and key read, every
local mistake found, before the first write) into one ordered list of steps:
settings, applications, license keys, parameters, removals. ``run`` records
each step's plan in the result builder, then applies the steps in that order.
A later step is planned against what the earlier steps leave (a key for an
application this run installs; an unsigned package the settings step allows),
so check mode needs no assumptions across steps; a key or parameters step of an
application this run installs or upgrades confirms its plan against what the
device lists when its turn comes (no new request for a key; one param.cgi read
for parameters that did not exist before).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._acap import (
    STARTED,
    STATES,
    ApplicationPlan,
    apply_application,
    diff_view,
    plan_application,
    record_application,
    record_undeclared,
    source_list,
)
from ansible_collections.vapix.acap.plugins.module_utils._app_names import application_key, clean_names
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._config import (
    SettingPlan,
    apply_setting,
    plan_settings,
    record_setting,
)
from ansible_collections.vapix.acap.plugins.module_utils._device import SETTING_OPTIONS, firmware_supports_setting
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import KeyCollection
from ansible_collections.vapix.acap.plugins.module_utils._license import (
    LicensePlan,
    apply_license,
    license_view,
    load_key_source,
    plan_license,
    record_license,
    utc_now,
)
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._parameter_reads import read_all_parameters
from ansible_collections.vapix.acap.plugins.module_utils._parameters import (
    DEFAULT_UPDATE_SECRETS,
    UPDATE_SECRETS,
    ParameterPlan,
    apply_parameters,
    declared_parameters,
    plan_parameters,
    record_parameters,
)
from ansible_collections.vapix.acap.plugins.module_utils._results import Results
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application


@dataclass
class Step:
    """One resource of the camera, planned: ``record`` puts its plan in the result builder, ``apply``
    does its writes (through ``_confirm``) and returns its view as the device shows it afterwards."""

    resource: str
    record: Callable[[Results], None]
    apply: Callable[[DeviceSnapshot, Results], Any]


@dataclass
class CameraPlan:
    """Every decision for one camera: the steps in the order they run (settings, applications, license
    keys, parameters, removals), warnings about the declaration as a whole, and the installed applications
    it neither names nor removes (not exclusive: reported, left alone)."""

    steps: List[Step] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)
    undeclared: List[Application] = field(default_factory=list)


def _license_source(declared: Dict[str, Any]) -> Dict[str, Any]:
    return {"src": declared.get("license_src"), "content": declared.get("license_content")}


def _check_declaration(params: Dict[str, Any]) -> List[Dict[str, Any]]:
    applications = params.get("applications")
    if params.get("exclusive") and applications is None:
        hint = params.get("missing_applications_hint")
        raise ParameterError(
            "exclusive is true but no applications list was given%s, so every application would be removed. Nothing "
            "was sent. Give applications (an empty list if you really mean to remove every application not in "
            "protected)." % (" (%s)" % hint if hint else "")
        )
    applications = [dict(app, name=app["name"].strip()) for app in applications or []]
    keys = [application_key(app["name"]) for app in applications]
    repeated = sorted({app["name"] for app, key in zip(applications, keys) if keys.count(key) > 1})
    if repeated:
        raise ParameterError(
            "applications names %s more than once (names that differ only in letter case or blanks name one "
            "application); name each application once." % ", ".join(repeated))
    return applications


def unclaimed(snapshot: DeviceSnapshot, declared: List[Dict[str, Any]], protected: List[str]) -> List[Any]:
    """The installed applications that neither the declaration nor ``protected`` names, compared as the
    device compares names."""
    keep = {application_key(app["name"]) for app in declared} | {application_key(name) for name in protected}
    return [application for application in snapshot.applications() if application_key(application.name) not in keep]


def plan_removals(snapshot: DeviceSnapshot, declared: List[Dict[str, Any]], protected: List[str],
                  check_mode: bool) -> Tuple[List[ApplicationPlan], List[str]]:
    """Exclusive mode: the removal of every unclaimed application, and a warning for each protected name that
    matches nothing installed."""
    removals = [
        plan_application(snapshot, name=application.name, src=[], state="absent", check_mode=check_mode,
                         resource_kind="removed")
        for application in unclaimed(snapshot, declared, protected)
    ]
    present = {application_key(application.name) for application in snapshot.applications()}
    warnings = [
        "protected names %s, but no installed application has that name (a typo?); nothing was kept for it."
        % name for name in protected if application_key(name) not in present
    ]
    return removals, warnings


def setting_step(plan: SettingPlan) -> Step:
    def apply(snapshot: DeviceSnapshot, results: Results) -> bool:
        return apply_setting(snapshot, plan, results.journal) if plan.actions else plan.before

    return Step(plan.resource, lambda results: record_setting(results, plan), apply)


def application_step(plan: ApplicationPlan) -> Step:
    return Step(plan.resource, lambda results: record_application(results, plan),
                lambda snapshot, results: diff_view(apply_application(snapshot, plan, results.journal)))


def license_step(plan: LicensePlan, keys: KeyCollection, application_changes: bool, now: datetime.datetime) -> Step:
    """The key of an application this run installs or upgrades is planned against the application as
    predicted, and, when its turn comes, against the application as the device then lists it (the
    snapshot has it from the confirmation: no request)."""
    def apply(snapshot: DeviceSnapshot, results: Results) -> Dict[str, Any]:
        current = plan
        if application_changes:
            current = plan_license(snapshot, name=plan.name, state="present", force=False, keys=keys,
                                   check_mode=False, now=now)
            record_license(results, current)
        return license_view(current.name, apply_license(snapshot, current, results.journal))

    return Step(plan.resource, lambda results: record_license(results, plan), apply)


def parameters_step(plan: ParameterPlan, wanted: Dict[str, Any], application_changes: bool) -> Step:
    """The parameters of an application this run installs or upgrades are planned as assumed (or as
    found), and read when their turn comes: an application that is not installed has none to read."""
    def apply(snapshot: DeviceSnapshot, results: Results) -> Dict[str, str]:
        current = plan
        if plan.assumed or application_changes:
            current = plan_parameters(
                snapshot, name=plan.application, wanted=wanted, secret_names=plan.secret_names, check_mode=False,
                # Installed by this run: its secrets are created now (on_create), whatever the package's defaults.
                update_secrets="always" if plan.assumed else plan.update_secrets,
            )
            record_parameters(results, current)
        return apply_parameters(snapshot, current, results.journal)

    return Step(plan.resource, lambda results: record_parameters(results, plan), apply)


def plan_camera(snapshot: DeviceSnapshot, params: Dict[str, Any], check_mode: bool, now: datetime.datetime) -> CameraPlan:
    """Every step for one camera, planned before the first write (every package and key read, every
    local mistake found); reads only through the snapshot."""
    declared = _check_declaration(params)
    # Local inputs first: a missing key file fails before anything is read from the device.
    keys = {app["name"]: load_key_source(_license_source(app)) for app in declared
            if app.get("state") != "absent" and (app.get("license_src") or app.get("license_content"))}
    settings = {option: value for option, value in (params.get("settings") or {}).items() if value is not None}
    camera = CameraPlan(steps=[setting_step(plan) for plan in plan_settings(snapshot, settings)])
    applications = [plan_application(
        snapshot, name=app["name"], src=source_list(app.get("src")), state=app.get("state") or "started",
        force=bool(app.get("force")), allow_downgrade=bool(app.get("allow_downgrade")), check_mode=check_mode,
        allow_unsigned=settings.get("allow_unsigned"),
    ) for app in declared]
    camera.steps += [application_step(plan) for plan in applications]
    camera.steps += _license_steps(snapshot, applications, keys, check_mode, now)
    camera.steps += _parameters_steps(snapshot, applications, declared, check_mode)
    protected = clean_names(params.get("protected"))
    if params.get("exclusive"):
        removals, camera.warnings = plan_removals(snapshot, declared, protected, check_mode)
        camera.steps += [application_step(plan) for plan in removals]
    elif params.get("applications") is not None:
        camera.undeclared = unclaimed(snapshot, declared, protected)
    return camera


def _license_steps(snapshot: DeviceSnapshot, applications: List[ApplicationPlan], keys: Dict[str, Any],
                   check_mode: bool, now: datetime.datetime) -> List[Step]:
    steps = []
    for plan in applications:
        source = keys.get(plan.name)
        if source is not None and source.deferred and plan.actions and not check_mode:
            # On the module path a key folder's files come only when asked for, and the key is planned
            # again once the application is installed or upgraded: ask before the first write.
            source.for_serial(snapshot.properties().serial_number or "")
        if plan.name in keys:
            # The application as the step before leaves it (installed by this run, or as listed).
            key_plan = plan_license(snapshot, name=plan.name, state="present", force=False, keys=source,
                                    check_mode=check_mode, now=now, application=plan.after)
            steps.append(license_step(key_plan, source, bool(plan.actions), now))
    return steps


def _parameters_steps(snapshot: DeviceSnapshot, applications: List[ApplicationPlan], declared: List[Dict[str, Any]],
                      check_mode: bool) -> List[Step]:
    steps = []
    for plan, declared_app in zip(applications, declared):
        plain, secrets = declared_parameters(declared_app)
        if (plain or secrets) and plan.state != "absent":
            installing = plan.installed is None and plan.after is not None
            # An application this task installs has no parameters to read yet: planned as assumed, and
            # read and planned again when its step runs (parameters_step).
            wanted = dict(plain, **secrets)
            parameters = plan_parameters(
                snapshot, name=plan.name, wanted=wanted, secret_names=secrets, check_mode=check_mode or installing,
                installing=installing, update_secrets=declared_app.get("update_secrets") or DEFAULT_UPDATE_SECRETS,
            )
            steps.append(parameters_step(parameters, wanted, bool(plan.actions)))
    return steps


def run(client: VapixClient, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    snapshot = DeviceSnapshot(client)
    if params.get("state") == "gathered":
        return gather(snapshot)
    results = Results(check_mode, flat=False, keyed_diff=True, failure_resources=True)
    return results.run(lambda: _converge(client, snapshot, params, results))


def _converge(client: VapixClient, snapshot: DeviceSnapshot, params: Dict[str, Any], results: Results) -> Dict[str, Any]:
    """Plan the camera once, then run its steps in order."""
    camera = plan_camera(snapshot, params, results.check_mode, utc_now())
    results.warn(None, *camera.warnings)
    for step in camera.steps:
        step.record(results)
    for application in camera.undeclared:
        record_undeclared(results, application)
    if not results.check_mode:
        results.begin_writes()
        for step in camera.steps:
            results.settle(step.resource, step.apply(snapshot, results))
    return results.result(device=_device(client, snapshot))


def _device(client: VapixClient, snapshot: DeviceSnapshot) -> Dict[str, Any]:
    """The camera's address, and its model and firmware when this run read them (never an extra request)."""
    device: Dict[str, Any] = {"address": client.settings.address}
    known = snapshot.known_properties()
    if known is not None:
        device.update({key: value for key, value in known.to_dict().items() if value})
    return device


def gather(snapshot: DeviceSnapshot) -> Dict[str, Any]:
    """The camera's state in this module's own input format (no src: the device does not keep packages;
    no license keys; passwords under ``secret_parameters``, masked: replace the masks with the values)."""
    firmware = snapshot.properties().firmware_version
    settings: Dict[str, bool] = {}
    for option, setting in SETTING_OPTIONS.items():
        if firmware and firmware_supports_setting(firmware, setting) is False:
            continue
        try:
            settings[option] = snapshot.setting(setting)
        except AcapError:
            continue  # firmware unknown and the setting absent: not part of this camera's state
    installed = snapshot.applications()
    # One param.cgi read for every application's parameters (and one listdefinitions when a value
    # could be a password's); passwords go under secret_parameters, masked.
    values, secrets = read_all_parameters(snapshot.client, [app.name for app in installed]) if installed else ({}, {})
    applications = []
    for app in installed:
        declared: Dict[str, Any] = {"name": app.name, "state": "started" if app.status in STARTED else "stopped"}
        if values.get(app.name):
            declared["parameters"] = values[app.name]
        if secrets.get(app.name):
            declared["secret_parameters"] = secrets[app.name]
        applications.append(declared)
    return {"changed": False, "gathered": {"settings": settings, "applications": applications},
            "diff": {"before": {}, "after": {}}}


_APPLICATION_OPTIONS: Dict[str, Dict[str, Any]] = {
    "name": {"type": "str", "required": True},
    "src": {"type": "list", "elements": "path"},
    "state": {"type": "str", "default": "started", "choices": list(STATES)},
    "allow_downgrade": {"type": "bool", "default": False},
    "force": {"type": "bool", "default": False},
    "license_src": {"type": "path"},
    "license_content": {"type": "str", "no_log": True},
    "parameters": {"type": "dict", "default": {}},
    "secret_parameters": {"type": "dict", "default": {}, "no_log": True},
    "update_secrets": {"type": "str", "default": DEFAULT_UPDATE_SECRETS, "choices": list(UPDATE_SECRETS)},
}

# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "settings": {
            "type": "dict",
            "options": {option: {"type": "bool"} for option in SETTING_OPTIONS},
        },
        "applications": {
            "type": "list",
            "elements": "dict",
            "options": _APPLICATION_OPTIONS,
            "mutually_exclusive": [("license_src", "license_content")],
        },
        "exclusive": {"type": "bool", "default": False},
        "protected": {"type": "list", "elements": "str", "default": []},
        "missing_applications_hint": {"type": "str"},
        "state": {"type": "str", "default": "converged", "choices": ["converged", "gathered"]},
    },
    logic=run,
    local_files=("applications[].src", "applications[].license_src"),
)
