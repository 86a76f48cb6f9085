# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap logic: install, upgrade, start, stop, restart and remove an application.

Reads first (one list.cgi), decides with pure functions (``resolve_name``,
``choose_package``, ``upload_decision``, ``preflight``, ``plan``), then acts.
Device facts (param.cgi) and config.cgi are read only when an upload is
needed, so a run with nothing to do sends exactly one request.

Choices where the API is silent are written down in docs/axis_acap.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._device import DeviceProperties, firmware_has_config_cgi
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    DeviceError,
    DeviceUnreachableError,
    OutcomeUnknownError,
    PackageError,
    PreflightError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._package import Package, read_packages
from ansible_collections.vapix.acap.plugins.module_utils._versions import compare_versions, version_at_least
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec

STATES = ("present", "started", "stopped", "restarted", "absent")
RUNNING = "Running"
STOPPED = "Stopped"

# control.cgi codes that mean "already so" for the action that got them.
ALREADY_RUNNING = 6
NOT_RUNNING = 7
NOT_FOUND = 4
# upload.cgi / control.cgi: the device could not tell whether it did it.
OUTCOME_UNKNOWN = 15


# ----------------------------------------------------------------------------------------------
# Pure decisions
# ----------------------------------------------------------------------------------------------


def source_list(src: Any) -> List[str]:
    """``src`` as a list of paths (a single path, a list, or nothing)."""
    if src is None:
        return []
    if isinstance(src, str):
        return [src] if src else []
    return [str(path) for path in src if path]


def resolve_name(name: Optional[str], packages: Sequence[Package]) -> str:
    """The application's short name, from ``name`` and/or the packages; they must agree."""
    package_names = sorted({package.name for package in packages})
    if len(package_names) > 1:
        raise PreflightError(
            "The packages in src are for different applications (%s). Give one application's packages "
            "per task: one package per architecture of the same application."
            % ", ".join("%s: %s" % (package.filename, package.name) for package in packages)
        )
    if name and package_names and name != package_names[0]:
        hint = " (the names differ only in letter case; names are case sensitive)" if (
            name.lower() == package_names[0].lower()
        ) else ""
        raise PreflightError(
            "name is %r but the package %s is for the application %r%s. Fix name or src, or leave name out "
            "to take it from the package." % (name, packages[0].filename, package_names[0], hint)
        )
    if name:
        return name
    if package_names:
        return package_names[0]
    raise PreflightError("Give name (the application's short name) or src (its .eap package).")


def find_application(applications: Sequence[Application], name: str) -> Optional[Application]:
    for application in applications:
        if application.name == name:
            return application
    return None


def case_variant(applications: Sequence[Application], name: str) -> Optional[Application]:
    """An installed application whose name equals ``name`` in another letter case."""
    for application in applications:
        if application.name != name and application.name.lower() == name.lower():
            return application
    return None


def choose_package(packages: Sequence[Package], device: DeviceProperties) -> Package:
    """The package for the device's architecture: an exact match wins over ``all``."""
    architecture = device.architecture
    offered = ", ".join("%s (%s)" % (package.filename, package.architecture) for package in packages)
    if architecture is None:
        universal = [package for package in packages if package.architecture.lower() == "all"]
        if len(universal) == 1:
            return universal[0]
        raise PreflightError(
            "The device did not report its architecture (param.cgi Properties.System.Architecture), so no "
            "package can be chosen among: %s. Give a package built for architecture all." % offered
        )
    exact = [package for package in packages if package.architecture.lower() == architecture.lower()]
    fitting = exact or [package for package in packages if package.fits(architecture)]
    if not fitting:
        raise PreflightError(
            "No package fits this device: the device's architecture is %s, the packages offered are: %s. "
            "Add the package built for %s to src." % (architecture, offered, architecture)
        )
    if len(fitting) > 1:
        raise PreflightError(
            "Several packages fit this device's architecture %s: %s. Give exactly one package per "
            "architecture." % (architecture, ", ".join(package.filename for package in fitting))
        )
    return fitting[0]


def _compare(installed_version: str, package: Package) -> int:
    try:
        return compare_versions(installed_version, package.version)
    except ValueError:
        raise PackageError(
            "Package %s has version %r, which is not a version number, so it cannot be compared with the "
            "installed version %s." % (package.path, package.version, installed_version)
        )


def upload_decision(
    installed: Optional[Application], package: Package, force: bool, allow_downgrade: bool
) -> Tuple[bool, Optional[str]]:
    """(upload?, warning) from the installed application and the package's version."""
    if installed is None:
        return True, None
    if not installed.version:
        # A device that hides the version cannot be compared against; do not upload on every run.
        if force:
            return True, None
        return False, (
            "The device does not report the installed version of %s, so it cannot be compared with the "
            "package's %s; the installed application is kept. Use force: true to upload anyway."
            % (installed.name, package.version)
        )
    try:
        compare_versions(installed.version, "0")
    except ValueError:
        if force:
            return True, None
        return False, (
            "The installed version of %s (%r) is not a version number, so it cannot be compared with the "
            "package's %s; the installed application is kept. Use force: true to upload anyway."
            % (installed.name, installed.version, package.version)
        )
    order = _compare(installed.version, package)
    if order == 0:
        return force, None
    if order < 0:
        return True, None
    if allow_downgrade:
        return True, None
    return False, (
        "%s %s is installed, newer than the package's %s; it is kept. Set allow_downgrade: true to "
        "install the older version." % (installed.name, installed.version, package.version)
    )


def preflight(
    package: Package,
    device: DeviceProperties,
    applications: Sequence[Application],
    allow_unsigned: Optional[bool],
    check_mode: bool = False,
) -> List[str]:
    """Checks made before a byte of the package is sent; returns warnings, raises PreflightError.

    ``allow_unsigned`` is the device's AllowUnsigned (None: not asked or not on this firmware).
    The architecture was checked when the package was chosen. In check mode an unsigned package
    the device refuses now is a warning, not a failure: an earlier task of the same run (one that
    sets allow_unsigned) changed nothing in check mode, so the device's answer now says nothing
    about the real run.
    """
    warnings: List[str] = []
    clash = case_variant(applications, package.name)
    if clash is not None:
        raise PreflightError(
            "The device has an application named %r, which differs from the package's %r only in letter "
            "case; the device would refuse the upload (upload.cgi Error: 14). Remove %r first (state: absent) "
            "or use a package with the same spelling." % (clash.name, package.name, clash.name),
            error_code=14,
        )
    required = package.embedded_sdk_version
    available = device.embedded_development_version
    if required and available:
        try:
            sufficient = version_at_least(available, required)
        except ValueError:
            sufficient = True
            warnings.append(
                "Cannot compare the package's required embedded SDK version %r with the device's %r; "
                "uploading anyway." % (required, available)
            )
        if not sufficient:
            raise PreflightError(
                "Package %s requires embedded development version %s, but the device has %s (firmware %s). "
                "Upgrade the device's firmware or use a package built with an older ACAP SDK."
                % (package.filename, required, available, device.firmware_version or "unknown")
            )
    elif required and not available:
        warnings.append(
            "The device does not report its embedded development version; the package's requirement "
            "(%s) was not checked." % required
        )
    if not package.signed and allow_unsigned is False:
        refusal = (
            "Package %s is unsigned and the device refuses unsigned applications (config.cgi AllowUnsigned "
            "is false; firmware %s); the upload would fail with Error: 2."
            % (package.filename, device.firmware_version or "unknown")
        )
        if not check_mode:
            raise PreflightError(
                refusal + " Use the vendor's signed package, or set allow_unsigned: true with "
                "vapix.acap.axis_acap_config.",
                error_code=2,
            )
        warnings.append(
            "Check mode: " + refusal + " This run assumes an earlier task allows unsigned packages "
            "(vapix.acap.axis_acap_config allow_unsigned: true); without check mode the task fails unless "
            "they are allowed first."
        )
    return warnings


def run_state_actions(state: str, status: Optional[str], keep_running: bool) -> List[str]:
    """start/stop/restart needed to bring an installed application of ``status`` to ``state``.

    ``keep_running``: it was running before an upgrade (state present keeps it running).
    """
    running = status == RUNNING
    if state == "started" or (state == "present" and keep_running):
        return [] if running else ["start"]
    if state == "stopped":
        return ["stop"] if running else []
    if state == "restarted":
        return ["restart"] if running else ["start"]
    return []


@dataclass
class Plan:
    """What the task will do: the ordered actions and the warnings to show."""

    actions: List[str] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)

    @property
    def upload(self) -> bool:
        return "upload" in self.actions


def plan(state: str, installed: Optional[Application], upload: bool, upload_warning: Optional[str] = None) -> Plan:
    """The ordered actions from the desired state, the installed application and the upload decision.

    After an upload the run state is predicted as it was (the device keeps a running application
    running) or Stopped for a new installation; the executor re-reads list.cgi and re-plans.
    """
    warnings = [upload_warning] if upload_warning else []
    if state == "absent":
        return Plan(["remove"] if installed is not None else [], warnings)
    actions = ["upload"] if upload else []
    status = installed.status if installed is not None else STOPPED
    keep_running = installed is not None and installed.status == RUNNING
    actions += run_state_actions(state, status, keep_running)
    return Plan(actions, warnings)


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
# Execution
# ----------------------------------------------------------------------------------------------

# Errors after which a request that changes the device may or may not have taken effect.
_UNCERTAIN = (DeviceUnreachableError, UnexpectedResponseError, OutcomeUnknownError)


def _outcome_unknown(exc: AcapError) -> bool:
    if isinstance(exc, _UNCERTAIN):
        return True
    return isinstance(exc, DeviceError) and exc.error_code == OUTCOME_UNKNOWN


class _Runner:
    """Carries out a plan on the device and keeps the truth about what was done."""

    def __init__(self, client: Any, name: str) -> None:
        self.client = client
        self.name = name
        self.done: List[str] = []
        self.warnings: List[str] = []

    def _fail(self, exc: AcapError, context: str) -> AcapError:
        exc.message = "%s: %s" % (context, exc.message)
        exc.args = (exc.message,)
        exc.result.update(changed=bool(self.done), actions=list(self.done))
        if self.warnings:
            exc.result.setdefault("warnings", list(self.warnings))
        return exc

    def read(self) -> Optional[Application]:
        return find_application(self.client.list_applications(), self.name)

    def _verify(
        self, exc: AcapError, action: str, endpoint: str, achieved: Callable[[Optional[Application]], bool]
    ) -> Optional[Application]:
        """After an uncertain answer, read list.cgi: done (with a warning) or OutcomeUnknownError."""
        try:
            current = self.read()
        except AcapError as read_error:
            raise self._outcome_error(exc, action, endpoint, "reading list.cgi afterwards failed too (%s)" % read_error)
        if achieved(current):
            self.done.append(action)
            self.warnings.append(
                "The device gave no clear answer to %s of %s (%s), but list.cgi shows it done."
                % (action, self.name, exc.message)
            )
            return current
        raise self._outcome_error(exc, action, endpoint, "list.cgi does not show it done")

    def _outcome_error(self, exc: AcapError, action: str, endpoint: str, finding: str) -> OutcomeUnknownError:
        error = OutcomeUnknownError(
            "The outcome of %s of %s is unknown: %s, and %s. Check the device's applications and log, then "
            "run the task again." % (action, self.name, exc.message, finding),
            error_code=exc.error_code,
            http_status=exc.http_status,
            endpoint=exc.endpoint or endpoint,
            result={"changed": bool(self.done), "actions": list(self.done)},
        )
        if self.warnings:
            error.result["warnings"] = list(self.warnings)
        return error

    def upload(self, package: Package) -> Optional[Application]:
        try:
            self.client.upload_package(package.filename, package.path)
        except AcapError as exc:
            if _outcome_unknown(exc):
                return self._verify(
                    exc, "upload", "upload.cgi",
                    lambda app: app is not None and app.version is not None and _same_version(app.version, package),
                )
            raise self._fail(exc, "Uploading %s" % package.describe())
        self.done.append("upload")
        try:
            current = self.read()
        except AcapError as exc:
            raise self._fail(exc, "%s was uploaded, but reading list.cgi afterwards failed" % package.describe())
        if current is None:
            raise self._fail(
                UnexpectedResponseError(
                    "upload.cgi answered OK but list.cgi does not list %s. Read the device's system log." % self.name,
                    endpoint="list.cgi",
                ),
                "Uploading %s" % package.describe(),
            )
        return current

    def control(self, action: str) -> None:
        """start / stop / restart / remove; "already so" answers are no change."""
        try:
            self.client.control(action, self.name)
        except AcapError as exc:
            code = exc.error_code if isinstance(exc, DeviceError) else None
            if code is not None and _ALREADY_SO.get(action) == code:
                return
            if action == "restart" and code == NOT_RUNNING:
                # It stopped since list.cgi was read: starting it is what restarted asks for.
                self.control("start")
                return
            if _outcome_unknown(exc):
                self._verify(exc, action, "control.cgi", _ACHIEVED[action])
                return
            raise self._fail(exc, "%s of %s failed" % (action.capitalize(), self.name))
        self.done.append(action)


# control.cgi answers that mean the action has nothing to do.
_ALREADY_SO: Dict[str, int] = {"start": ALREADY_RUNNING, "stop": NOT_RUNNING, "remove": NOT_FOUND}

_ACHIEVED: Dict[str, Callable[[Optional[Application]], bool]] = {
    "start": lambda app: app is not None and app.status == RUNNING,
    "restart": lambda app: app is not None and app.status == RUNNING,
    "stop": lambda app: app is not None and app.status != RUNNING,
    "remove": lambda app: app is None,
}


def _same_version(version: str, package: Package) -> bool:
    try:
        return compare_versions(version, package.version) == 0
    except ValueError:
        return version == package.version


def run(client: Any, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    """The axis_acap logic contract (docs/architecture.md)."""
    state = params.get("state") or "present"
    if state not in STATES:
        raise PreflightError("state must be one of %s, not %r." % (", ".join(STATES), state))
    force = bool(params.get("force"))
    allow_downgrade = bool(params.get("allow_downgrade"))

    # Every package is read, and every local mistake found, before the first request.
    packages = read_packages([os.path.expanduser(path) for path in source_list(params.get("src"))])
    name = resolve_name(params.get("name"), packages)

    applications = client.list_applications()
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

    package: Optional[Package] = packages[0] if len(packages) == 1 else None
    upload = False
    upload_warning: Optional[str] = None
    device: Optional[DeviceProperties] = None
    if state != "absent":
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
                device = client.get_device_properties()
                package = choose_package(packages, device)
                upload, upload_warning = upload_decision(installed, package, force, allow_downgrade)

    if upload and package is not None and device is not None:
        allow_unsigned: Optional[bool] = None
        if not package.signed and device.firmware_version and _has_config_cgi(device.firmware_version):
            allow_unsigned = client.get_config("AllowUnsigned")
        warnings += preflight(package, device, applications, allow_unsigned, check_mode)

    the_plan = plan(state, installed, upload, upload_warning)
    warnings += the_plan.warnings

    if check_mode or not the_plan.actions:
        actions = the_plan.actions
        after = predict_after(state, installed, package, actions)
    else:
        runner = _Runner(client, name)
        after = installed
        if the_plan.upload and package is not None:
            after = runner.upload(package)
            keep_running = installed is not None and installed.status == RUNNING
            follow_up = run_state_actions(state, after.status if after else None, keep_running)
        else:
            follow_up = [action for action in the_plan.actions if action != "upload"]
        for action in follow_up:
            runner.control(action)
        if any(action != "upload" for action in runner.done):
            # A control action changed the run state: read what the device shows now.
            try:
                after = runner.read()
            except AcapError as exc:
                raise runner._fail(exc, "The actions were done, but reading list.cgi afterwards failed")
        actions = list(runner.done)
        warnings += runner.warnings

    result: Dict[str, Any] = {
        "changed": bool(actions),
        "actions": list(actions),
        "application": after.to_dict() if after is not None else None,
        "package": package.to_dict() if package is not None else None,
        "diff": {"before": diff_view(installed), "after": diff_view(after)},
    }
    if device is not None:
        result["device"] = device.to_dict()
    if warnings:
        result["warnings"] = warnings
    return result


def _has_config_cgi(firmware: str) -> bool:
    try:
        return firmware_has_config_cgi(firmware)
    except ValueError:
        return False


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
