# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap logic: install, upgrade, start, stop, restart and remove an application.

``plan_application`` reads through the snapshot (one list.cgi) and decides with
pure functions (``resolve_name``, ``choose_package``, ``upload_decision`` and
``preflight`` from ``_package_choice``; ``decide_application`` here);
``apply_application`` carries the plan out, every write through the
act-then-confirm layer (``_confirm.py``); ``record_application`` puts its record
in the result builder (``_results.py``). Device facts (param.cgi) and config.cgi
are read only when an upload is needed or the packages' versions differ, so a run
with nothing to do sends exactly one request. axis_acap_state composes the same
functions for every application of a camera.

Choices where the API is silent are written down in docs/axis_acap.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._device import DeviceProperties, firmware_has_config_cgi
from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal, Write, act_and_confirm
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    DeviceError,
    PreflightError,
)
from ansible_collections.vapix.acap.plugins.module_utils._package import Package
from ansible_collections.vapix.acap.plugins.module_utils._package_cache import read_packages_once
from ansible_collections.vapix.acap.plugins.module_utils._package_choice import (
    _compare,
    architecture_warning,
    case_variant,
    choose_package,
    preflight,
    refused_architecture_hint,
    resolve_name,
    source_list,
    upload_decision,
)
from ansible_collections.vapix.acap.plugins.module_utils._versions import compare_versions
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._results import Results
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot, find_application
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application

STATES = ("present", "started", "stopped", "restarted", "absent")
RUNNING = "Running"
STOPPED = "Stopped"
# Idle: the device accepted the application as started and keeps it idle (docs/axis_acap.md).
IDLE = "Idle"
STARTED = (RUNNING, IDLE)

# control.cgi codes that mean "already so" for the action that got them.
ALREADY_RUNNING = 6
NOT_RUNNING = 7
NOT_FOUND = 4


# ----------------------------------------------------------------------------------------------
# Pure decisions
# ----------------------------------------------------------------------------------------------


def run_state_actions(state: str, status: Optional[str], keep_running: bool) -> List[str]:
    """start/stop/restart needed to bring an installed application of ``status`` to ``state``.

    ``keep_running``: it was running before an upgrade (state present keeps it running).
    """
    running = status in STARTED
    if state == "started" or (state == "present" and keep_running):
        return [] if running else ["start"]
    if state == "stopped":
        return ["stop"] if running else []
    if state == "restarted":
        return ["restart"] if running else ["start"]
    return []


@dataclass
class ApplicationDecision:
    """What the task will do: the ordered actions and the warnings to show."""

    actions: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    @property
    def upload(self) -> bool:
        return "upload" in self.actions


def decide_application(state: str, installed: Optional[Application], upload: bool, upload_warning: Optional[str] = None) -> ApplicationDecision:
    """The ordered actions from the desired state, the installed application and the upload decision.

    After an upload the run state is predicted as it was (the device keeps a running application
    running) or Stopped for a new installation; the executor confirms with list.cgi and re-plans
    the run state from what the device shows.
    """
    warnings = [upload_warning] if upload_warning else []
    if state == "absent":
        return ApplicationDecision(["remove"] if installed is not None else [], warnings)
    actions = ["upload"] if upload else []
    status = installed.status if installed is not None else STOPPED
    keep_running = installed is not None and installed.status in STARTED
    actions += run_state_actions(state, status, keep_running)
    return ApplicationDecision(actions, warnings)


def predict_after(
    state: str, installed: Optional[Application], package: Optional[Package], actions: Sequence[str]
) -> Optional[Application]:
    """The application as the device should list it after ``actions`` (check mode)."""
    if "remove" in actions:
        return None
    after = installed
    if "upload" in actions and package is not None:
        if installed is None:
            after = Application(
                name=package.name,
                nice_name=package.friendly_name,
                vendor=package.vendor,
                version=package.version,
                application_id=package.application_id,
                status=STOPPED,
                license=_LICENSE_AFTER_INSTALL.get(package.copy_protection),
            )
        else:
            after = replace(
                installed,
                version=package.version,
                nice_name=package.friendly_name or installed.nice_name,
                vendor=package.vendor or installed.vendor,
                extra=dict(installed.extra),
            )
    if after is None:
        return None
    if "start" in actions or "restart" in actions:
        after = replace(after, status=RUNNING, extra=dict(after.extra))
    elif "stop" in actions:
        after = replace(after, status=STOPPED, extra=dict(after.extra))
    return after


# list.cgi License of a fresh installation, by the package's copy protection: an Axis-licensed
# application has no key yet, a custom one manages its own, others need none.
_LICENSE_AFTER_INSTALL = {"axis": "Missing", "custom": "Custom", "none": "None"}


def diff_view(application: Optional[Application]) -> Dict[str, Any]:
    """The application as the diff shows it; empty when it is not installed."""
    if application is None:
        return {}
    return {
        "name": application.name,
        "version": application.version,
        "status": application.status,
        "license": application.license,
    }


# ----------------------------------------------------------------------------------------------
# Plan: read through the snapshot, decide with the pure functions above
# ----------------------------------------------------------------------------------------------


@dataclass
class ApplicationPlan:
    """Everything decided about one application before anything is sent."""

    resource: str  # application:NAME, or removed:NAME for an exclusive-mode removal
    name: str
    state: str
    installed: Optional[Application]
    package: Optional[Package]
    device: Optional[DeviceProperties]
    actions: List[str]
    warnings: List[str]
    after: Optional[Application]  # as the device should list it afterwards


def named(name: str, warning: str) -> str:
    """Every warning names its application (a fleet run prints hundreds)."""
    return warning if name in warning else "%s: %s" % (name, warning)


def plan_application(
    snapshot: DeviceSnapshot,
    *,
    name: Optional[str],
    src: Sequence[str],
    state: str = "present",
    force: bool = False,
    allow_downgrade: bool = False,
    check_mode: bool = False,
    allow_unsigned: Optional[bool] = None,
    resource_kind: str = "application",
) -> ApplicationPlan:
    """Decide what to do for one application. ``allow_unsigned``: the AllowUnsigned value an earlier
    step of the same run sets (None: read the device's when it matters). Every package is read, and
    every local mistake found, before the first request."""
    if state not in STATES:
        raise PreflightError("state must be one of %s, not %r." % (", ".join(STATES), state))
    packages = read_packages_once([os.path.expanduser(path) for path in source_list(src)])
    name = resolve_name(name, packages)

    applications = snapshot.applications()
    installed = find_application(applications, name)
    warnings: List[str] = []
    clash = case_variant(applications, name)
    if installed is None and clash is not None:
        if state == "absent":
            warnings.append(
                "%s is not installed, but %s is (the name differs in letter case); it is left alone."
                % (name, clash.name)
            )
        else:
            raise PreflightError(
                "%s is not installed, but %s is: the names differ only in letter case, and the device keeps "
                "one application per name regardless of case (upload.cgi Error: 14). Use the installed "
                "spelling, or remove %s first." % (name, clash.name, clash.name),
                error_code=14,
            )

    package, upload, upload_warning, device = _choose_upload(
        snapshot, name, packages, installed, state, force, allow_downgrade, warnings)
    if upload and package is not None and device is not None:
        warnings += _upload_preflight(snapshot, package, device, applications, allow_unsigned, check_mode)

    the_plan = decide_application(state, installed, upload, upload_warning)
    warnings += the_plan.warnings
    return ApplicationPlan(
        resource="%s:%s" % (resource_kind, name),
        name=name,
        state=state,
        installed=installed,
        package=package,
        device=device,
        actions=the_plan.actions,
        warnings=[named(name, warning) for warning in warnings],
        after=predict_after(state, installed, package, the_plan.actions),
    )


def _choose_upload(snapshot: DeviceSnapshot, name: str, packages: Sequence[Package], installed: Optional[Application],
                   state: str, force: bool, allow_downgrade: bool,
                   warnings: List[str]) -> Tuple[Optional[Package], bool, Optional[str], Optional[DeviceProperties]]:
    """(the package, whether to upload it, the upload warning, the device's properties when read)."""
    package: Optional[Package] = packages[0] if len(packages) == 1 else None
    upload = False
    upload_warning: Optional[str] = None
    device: Optional[DeviceProperties] = None
    if state == "absent":
        return package, upload, upload_warning, device
    if not packages and installed is None:
        raise PreflightError(
            "%s is not installed on the device and no src was given to install it. Give src (the .eap "
            "package), or use state: absent." % name
        )
    if packages:
        same_version = all(_compare(packages[0].version, other) == 0 for other in packages[1:])
        if same_version:
            upload, upload_warning = upload_decision(installed, packages[0], force, allow_downgrade)
        if upload or not same_version:
            # Which package, and whether it can be installed, depend on the device.
            device = snapshot.properties()
            package = choose_package(packages, device)
            fit_warning = architecture_warning(package, device)
            if fit_warning:
                warnings.append(fit_warning)
            upload, upload_warning = upload_decision(installed, package, force, allow_downgrade)
    return package, upload, upload_warning, device


def _upload_preflight(snapshot: DeviceSnapshot, package: Package, device: DeviceProperties,
                      applications: List[Application], allow_unsigned: Optional[bool], check_mode: bool) -> List[str]:
    # Check mode may only assume that an earlier task changes AllowUnsigned when this run does not
    # declare it: a declared value is what the real run will have.
    lenient = check_mode and allow_unsigned is None
    if allow_unsigned is None and not package.signed and device.firmware_version and (
        firmware_has_config_cgi(device.firmware_version)
    ):
        allow_unsigned = snapshot.setting("AllowUnsigned")
    return preflight(package, device, applications, allow_unsigned, lenient)


# ----------------------------------------------------------------------------------------------
# Apply: every write through the act-then-confirm layer
# ----------------------------------------------------------------------------------------------

# control.cgi answers that mean the action has nothing to do.
_ALREADY_SO: Dict[str, int] = {"start": ALREADY_RUNNING, "stop": NOT_RUNNING, "remove": NOT_FOUND}

_ACHIEVED: Dict[str, Callable[[Optional[Application]], bool]] = {
    "start": lambda app: app is not None and app.status in STARTED,
    "restart": lambda app: app is not None and app.status in STARTED,
    "stop": lambda app: app is not None and app.status not in STARTED,
    "remove": lambda app: app is None,
}
# A start may take a moment to show in list.cgi: read again this many times, a second apart.
_START_SETTLE_READS = 4


def describe_listed(name: str, application: Optional[Application]) -> str:
    if application is None:
        return "%s not installed" % name
    return "%s %s %s" % (name, application.version or "(no version)", application.status or "(no status)")


def _same_version(version: str, package: Package) -> bool:
    try:
        return compare_versions(version, package.version) == 0
    except ValueError:
        return version == package.version


# upload.cgi: "package not compatible with this device" (architecture, SDK or firmware).
INCOMPATIBLE = 5


def _send_package(snapshot: DeviceSnapshot, plan: ApplicationPlan, package: Package) -> None:
    try:
        snapshot.client.upload_package(package.filename, package.path)
    except DeviceError as exc:
        if exc.error_code != INCOMPATIBLE:
            raise
        raise exc.restated(exc.message + refused_architecture_hint(package, plan.device)) from None


def _install_package(snapshot: DeviceSnapshot, plan: ApplicationPlan, package: Package, journal: Journal) -> Optional[Application]:
    installed = plan.installed
    reinstall = installed is not None and bool(installed.version) and _same_version(installed.version or "", package)
    return act_and_confirm(Write(
        resource=plan.resource,
        action="upload",
        description="upload of %s" % package.describe(),
        send=lambda: _send_package(snapshot, plan, package),
        read=lambda: snapshot.reread_application(plan.name),
        achieved=lambda app: app is not None and bool(app.version) and _same_version(app.version or "", package),
        unchanged=lambda app: (app is None) if installed is None else (
            app is not None and app.version == installed.version),
        provable=not reinstall,  # the same version listed before and after: list.cgi cannot tell
        describe_state=lambda app: describe_listed(plan.name, app),
    ), journal)


def _control(snapshot: DeviceSnapshot, plan: ApplicationPlan, action: str, before: Optional[Application],
             journal: Journal) -> Optional[Application]:
    client = snapshot.client
    before_status = before.status if before is not None else None
    write: Write[Optional[Application]] = Write(
        resource=plan.resource,
        action=action,
        description="%s of %s" % (action, plan.name),
        send=lambda: None,
        read=lambda: snapshot.reread_application(plan.name),
        achieved=_ACHIEVED[action],
        unchanged=lambda app: (app is not None and app.status == before_status),
        provable=action != "restart",  # Running before and after: list.cgi cannot show a restart
        already_so=(_ALREADY_SO[action],) if action in _ALREADY_SO else (),
        settle_reads=_START_SETTLE_READS if action in ("start", "restart") else 0,
        describe_state=lambda app: describe_listed(plan.name, app),
    )

    def send() -> None:
        try:
            client.control(action, plan.name)
        except DeviceError as exc:
            if action != "restart" or exc.error_code != NOT_RUNNING:
                raise
            # It stopped since list.cgi was read: starting it is what restarted asks for.
            client.control("start", plan.name)
            write.action, write.provable = "start", True

    write.send = send
    state = act_and_confirm(write, journal)
    if state is None:  # "already so": the device is where the action would have brought it
        return predict_after(plan.state, before, None, [action])
    return state


def apply_application(snapshot: DeviceSnapshot, plan: ApplicationPlan, journal: Journal) -> Optional[Application]:
    """Carry out ``plan`` (the upload, then the run-state actions the device then needs); returns the application as the device lists it afterwards."""
    after = plan.installed
    if not plan.actions:
        return after
    if "upload" in plan.actions and plan.package is not None:
        after = _install_package(snapshot, plan, plan.package, journal)
        keep_running = plan.installed is not None and plan.installed.status in STARTED
        follow_up = run_state_actions(plan.state, after.status if after else None, keep_running)
    else:
        follow_up = list(plan.actions)
    for action in follow_up:
        after = _control(snapshot, plan, action, after, journal)
    return after


def _newer_than_declared(plan: ApplicationPlan) -> bool:
    """The device keeps a newer version than the declared package (no upload planned)."""
    if plan.installed is None or plan.package is None or not plan.installed.version or "upload" in plan.actions:
        return False
    try:
        return compare_versions(plan.installed.version, plan.package.version) > 0
    except ValueError:
        return False


def record_application(results: Results, plan: ApplicationPlan) -> None:
    results.add(
        plan.resource, diff_view(plan.installed), diff_view(plan.after), plan.actions, plan.warnings,
        source=plan.package.path if plan.package is not None and "upload" in plan.actions else None,
        difference="newer_than_declared" if _newer_than_declared(plan) else None,
    )


def record_undeclared(results: Results, application: Application) -> None:
    """An application on the device that the declaration does not name (and does not remove)."""
    view = diff_view(application)
    results.add("undeclared:%s" % application.name, view, view, [], difference="installed_not_declared")


def run(client: Any, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    """The axis_acap logic contract (docs/architecture.md): plan, then apply."""
    results = Results(check_mode, failure_resources=True)
    return results.run(lambda: _converge(DeviceSnapshot(client), params, results))


def _converge(snapshot: DeviceSnapshot, params: Dict[str, Any], results: Results) -> Dict[str, Any]:
    the_plan = plan_application(
        snapshot,
        name=params.get("name"),
        src=source_list(params.get("src")),
        state=params.get("state") or "present",
        force=bool(params.get("force")),
        allow_downgrade=bool(params.get("allow_downgrade")),
        check_mode=results.check_mode,
    )
    record_application(results, the_plan)
    after = the_plan.after
    if not results.check_mode:
        results.begin_writes()
        after = apply_application(snapshot, the_plan, results.journal)
        results.settle(the_plan.resource, diff_view(after))
    result = results.result(
        application=after.to_dict() if after is not None else None,
        package=the_plan.package.to_dict() if the_plan.package is not None else None,
    )
    if the_plan.device is not None:
        result["device"] = the_plan.device.report()
    return result


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "name": {"type": "str"},
        "src": {"type": "list", "elements": "path"},
        "state": {"type": "str", "default": "present", "choices": list(STATES)},
        "allow_downgrade": {"type": "bool", "default": False},
        "force": {"type": "bool", "default": False},
    },
    logic=run,
    constraints={"required_one_of": [("name", "src")]},
    local_files=("src",),
)
