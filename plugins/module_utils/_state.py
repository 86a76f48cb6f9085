# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_state: a camera's whole ACAP state in one task.

Composes the planners and executors of the single-resource modules, nothing
copied: ``_config`` (settings), ``_acap`` (applications, and the removals of
exclusive mode), ``_license`` (keys), ``_parameters`` (application parameters). One client, one snapshot: a camera whose
state is as declared costs one list.cgi plus one config.cgi get per declared
setting (and the Digest challenge).

Plan everything first (every package and key read, every local mistake found,
before the first write), then execute in a safe order: settings, applications,
license keys, parameters, removals. A later step is planned against what the earlier steps
leave (a key for an application this run installs; an unsigned package the
settings step allows), so check mode needs no assumptions across steps.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Dict, List, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._acap import (
    STARTED,
    STATES,
    ApplicationPlan,
    application_record,
    execute_application,
    undeclared_record,
    plan_application,
    source_list,
)
from ansible_collections.vapix.acap.plugins.module_utils._app_names import application_key, clean_names
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._config import (
    SettingPlan,
    apply_setting,
    plan_settings,
    setting_records,
)
from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal
from ansible_collections.vapix.acap.plugins.module_utils._device import SETTING_OPTIONS, firmware_supports_setting
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._license import (
    LicenseState,
    LicenseTask,
    execute_license,
    license_record,
    load_key_source,
    prepare_license,
    utc_now,
)
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import KeyCollection
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._parameter_reads import read_all_parameters
from ansible_collections.vapix.acap.plugins.module_utils._parameters import (
    DEFAULT_UPDATE_SECRETS,
    UPDATE_SECRETS,
    ParameterPlan,
    apply_parameters,
    declared_parameters,
    parameters_record,
    prepare_parameters,
)
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot


@dataclass
class CameraPlan:
    """Every decision for one camera, in execution order."""

    settings: List[SettingPlan] = field(default_factory=list)
    applications: List[ApplicationPlan] = field(default_factory=list)
    licenses: List[LicenseTask] = field(default_factory=list)
    parameters: List[ParameterPlan] = field(default_factory=list)
    removals: List[ApplicationPlan] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)  # about the declaration as a whole
    keys: Dict[str, KeyCollection] = field(default_factory=dict)  # application name -> its key source
    # application name -> (plain values, secret values) as declared
    declared_parameters: Dict[str, Tuple[Dict[str, Any], Dict[str, Any]]] = field(default_factory=dict)
    # Installed applications the declaration neither names nor removes (not exclusive): reported, left alone.
    undeclared: List[Any] = field(default_factory=list)


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


def _wanted_of(camera: CameraPlan, name: str) -> Dict[str, Any]:
    plain, secrets = camera.declared_parameters[name]
    return dict(plain, **secrets)


def plan_camera(snapshot: DeviceSnapshot, params: Dict[str, Any], check_mode: bool, now: datetime.datetime) -> CameraPlan:
    declared = _check_declaration(params)
    # Local inputs first: a missing key file fails before anything is read from the device.
    camera = CameraPlan()
    for app in declared:
        if app.get("state") != "absent" and (app.get("license_src") or app.get("license_content")):
            camera.keys[app["name"]] = load_key_source(_license_source(app))

    settings = {option: value for option, value in (params.get("settings") or {}).items() if value is not None}
    camera.settings = plan_settings(snapshot, settings)
    allow_unsigned = settings.get("allow_unsigned")

    for app in declared:
        camera.applications.append(plan_application(
            snapshot, name=app["name"], src=source_list(app.get("src")), state=app.get("state") or "started",
            force=bool(app.get("force")), allow_downgrade=bool(app.get("allow_downgrade")), check_mode=check_mode,
            allow_unsigned=allow_unsigned,
        ))
    for plan in camera.applications:
        keys = camera.keys.get(plan.name)
        if keys is not None and keys.deferred and plan.actions and not check_mode:
            # On the module path a key folder's files come only when asked for, and the key is planned
            # again once the application is installed or upgraded: ask before the first write.
            keys.for_serial(snapshot.properties().serial_number or "")
        if plan.name in camera.keys:
            # The application as the step before leaves it (installed by this run, or as listed).
            camera.licenses.append(prepare_license(
                snapshot, name=plan.name, state="present", force=False, keys=camera.keys[plan.name], check_mode=check_mode,
                now=now, application=plan.after,
            ))

    for plan in camera.applications:
        declared_app = next(app for app in declared if app["name"] == plan.name)
        plain, secrets = camera.declared_parameters[plan.name] = declared_parameters(declared_app)
        if (plain or secrets) and plan.state != "absent":
            installing = plan.installed is None and plan.after is not None
            # An application this task installs has no parameters to read yet: planned as assumed, and
            # read and planned again once it is installed (execute_camera).
            camera.parameters.append(prepare_parameters(
                snapshot, name=plan.name, wanted=dict(plain, **secrets), secret_names=secrets,
                check_mode=check_mode or installing, installing=installing,
                update_secrets=declared_app.get("update_secrets") or DEFAULT_UPDATE_SECRETS,
            ))

    protected = clean_names(params.get("protected"))
    if params.get("exclusive"):
        camera.removals, camera.warnings = plan_removals(snapshot, declared, protected, check_mode)
    elif params.get("applications") is not None:
        camera.undeclared = unclaimed(snapshot, declared, protected)
    return camera


def _records(camera: CameraPlan, journal: Journal, check_mode: bool, settings_after: Dict[str, bool],
             apps_after: Dict[str, Any], licenses_after: Dict[str, LicenseState],
             parameters_after: Dict[str, Dict[str, str]]) -> List[Dict[str, Any]]:
    records = setting_records(camera.settings, settings_after, journal, check_mode)
    records += [application_record(plan, apps_after.get(plan.resource, plan.installed if not check_mode else plan.after),
                                   journal, check_mode) for plan in camera.applications]
    records += [license_record(task, licenses_after.get(task.resource, task.before if not check_mode else task.after),
                               journal, check_mode) for task in camera.licenses]
    records += [parameters_record(plan, parameters_after.get(plan.resource, plan.after if check_mode else plan.before),
                                  journal, check_mode) for plan in camera.parameters]
    records += [application_record(plan, apps_after.get(plan.resource, plan.installed if not check_mode else plan.after),
                                   journal, check_mode) for plan in camera.removals]
    records += [undeclared_record(application) for application in camera.undeclared]
    return records


def execute_camera(snapshot: DeviceSnapshot, camera: CameraPlan, journal: Journal, now: datetime.datetime,
                   settings_after: Dict[str, bool], apps_after: Dict[str, Any], licenses_after: Dict[str, LicenseState],
                   parameters_after: Dict[str, Dict[str, str]]) -> None:
    for setting in camera.settings:
        if setting.actions:
            settings_after[setting.option] = apply_setting(snapshot, setting, journal)
    changed_apps = set()
    for plan in camera.applications:
        apps_after[plan.resource] = execute_application(snapshot, plan, journal)
        if plan.actions:
            changed_apps.add(plan.name)
    for index, task in enumerate(camera.licenses):
        if task.name in changed_apps:
            # Planned against the predicted application; the device has it now: plan again (no request).
            task = camera.licenses[index] = prepare_license(
                snapshot, name=task.name, state="present", force=False, keys=camera.keys[task.name], check_mode=False,
                now=now,
            )
            _warn_new(journal, task.resource, task.warnings)
        licenses_after[task.resource] = execute_license(snapshot, task, journal)
    for index, parameters in enumerate(camera.parameters):
        if parameters.assumed or parameters.application in changed_apps:
            # Planned before the application was installed or upgraded: read its parameters now.
            secrets = parameters.secret_names
            parameters = camera.parameters[index] = prepare_parameters(
                snapshot, name=parameters.application, wanted=_wanted_of(camera, parameters.application),
                secret_names=secrets, check_mode=False,
                # Installed by this run: its secrets are created now (on_create), whatever the package's defaults.
                update_secrets="always" if parameters.assumed else parameters.update_secrets,
            )
            _warn_new(journal, parameters.resource, parameters.warnings)
        parameters_after[parameters.resource] = apply_parameters(snapshot, parameters, journal)
    for plan in camera.removals:
        apps_after[plan.resource] = execute_application(snapshot, plan, journal)


def _warn_new(journal: Journal, resource: str, warnings: List[str]) -> None:
    """The warnings of a step planned again mid-run that its first plan did not already give."""
    known = journal.warnings_of(resource)
    journal.warn(resource, *[warning for warning in warnings if warning not in known])


def run(client: VapixClient, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    snapshot = DeviceSnapshot(client)
    if params.get("state") == "gathered":
        return gather(snapshot)
    now = utc_now()
    camera = plan_camera(snapshot, params, check_mode, now)
    journal = Journal()
    journal.warn(None, *camera.warnings)
    for plan in camera.applications + camera.removals:
        journal.warn(plan.resource, *plan.warnings)
    for task in camera.licenses:
        journal.warn(task.resource, *task.warnings)
    for parameters in camera.parameters:
        journal.warn(parameters.resource, *parameters.warnings)

    settings_after = {plan.option: (plan.wanted if check_mode else plan.before) for plan in camera.settings}
    apps_after: Dict[str, Any] = {}
    licenses_after: Dict[str, LicenseState] = {}
    parameters_after: Dict[str, Dict[str, str]] = {}
    if not check_mode:
        try:
            execute_camera(snapshot, camera, journal, now, settings_after, apps_after, licenses_after, parameters_after)
        except AcapError as exc:
            exc.result["resources"] = _records(camera, journal, False, settings_after, apps_after, licenses_after,
                                               parameters_after)
            raise
    records = _records(camera, journal, check_mode, settings_after, apps_after, licenses_after, parameters_after)
    actions = {record["resource"]: record["actions"] for record in records if record["actions"]}
    result: Dict[str, Any] = {
        "changed": bool(actions),
        "actions": actions,
        "resources": records,
        "device": _device(client, snapshot),
        "diff": {
            "before": {record["resource"]: record["before"] for record in records},
            "after": {record["resource"]: record["after"] for record in records},
        },
    }
    return journal.annotate(result)


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
