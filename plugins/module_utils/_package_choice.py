# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of an application's packages fits a device, and whether to upload it: pure decisions.

From the packages read from disk (``_package``), the device's facts (``_device``) and the
applications list.cgi shows (``_xml``): the application's name (``resolve_name``), the package for
the device's architecture (``choose_package``), whether the installed version calls for an upload
(``upload_decision``) and the checks made before a byte is sent (``preflight``). Nothing here reads
the device; the axis_acap planner (``_acap``) asks and then decides with these.
"""

from __future__ import annotations

from typing import Any, List, Optional, Sequence, Tuple

from ansible_collections.vapix.acap.plugins.module_utils import _architecture as arch
from ansible_collections.vapix.acap.plugins.module_utils._app_names import same_application
from ansible_collections.vapix.acap.plugins.module_utils._device import DeviceProperties
from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError, PreflightError
from ansible_collections.vapix.acap.plugins.module_utils._package import Package
from ansible_collections.vapix.acap.plugins.module_utils._versions import compare_versions, version_at_least
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application


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
        hint = " (the names differ only in letter case: use the package's spelling)" if (
            same_application(name, package_names[0])
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


def case_variant(applications: Sequence[Application], name: str) -> Optional[Application]:
    """An installed application whose name equals ``name`` in another letter case."""
    for application in applications:
        if application.name != name and same_application(application.name, name):
            return application
    return None


def _architecture_label(package: Package) -> str:
    return package.architecture or "architecture unknown"


def choose_package(packages: Sequence[Package], device: DeviceProperties) -> Package:
    """The package for the device's architecture (the table in ``_architecture.py``): the same
    family wins over ``all``, which wins over a package whose fit only the device can judge."""
    architecture = device.architecture
    offered = ", ".join("%s (%s)" % (package.filename, _architecture_label(package)) for package in packages)
    if architecture is None:
        universal = [package for package in packages if arch.fit(package.architecture, None) == arch.UNIVERSAL]
        if len(universal) == 1:
            return universal[0]
        raise PreflightError(
            "The device did not report its architecture (param.cgi Properties.System.Architecture), so no "
            "package can be chosen among: %s. Give a package built for architecture all." % offered
        )
    for tier in arch.FIT_ORDER:
        fitting = [package for package in packages if arch.fit(package.architecture, architecture) == tier]
        if len(fitting) == 1:
            return fitting[0]
        if len(fitting) > 1:
            how = "may fit (only the device can tell)" if tier == arch.UNKNOWN else "fit"
            raise PreflightError(
                "Several packages %s this device's architecture %s: %s. Give exactly one package per "
                "architecture." % (how, architecture, ", ".join(
                    "%s (%s)" % (package.filename, _architecture_label(package)) for package in fitting))
            )
    words = arch.aliases(architecture) or (architecture,)
    raise PreflightError(
        "No package fits this device: the device's architecture is %s, the packages offered are: %s. "
        "Add the package built for %s to src." % (architecture, offered, " or ".join(words))
    )


def architecture_warning(package: Package, device: DeviceProperties) -> Optional[str]:
    """Why the device, not the collection, judges whether the chosen package fits; None when the table knows."""
    if arch.fit(package.architecture, device.architecture) != arch.UNKNOWN:
        return None
    if package.architecture is None:
        reason = "Package %s names no architecture (manifest.json has none and package.conf no APPTYPE)" % (
            package.filename)
    elif not arch.is_known(package.architecture):
        reason = "Package %s is for architecture %r, which is not in the collection's architecture table" % (
            package.filename, package.architecture)
    else:
        reason = "Package %s is for %s and the device reports %s; whether it runs there is not known" % (
            package.filename, package.architecture, device.architecture)
    return (
        "%s. It is sent and the device judges whether it fits its architecture %s (upload.cgi answers "
        "Error: 5 if not)." % (reason, device.architecture or "(not reported)")
    )


def refused_architecture_hint(package: Package, device: Optional[DeviceProperties]) -> str:
    """What to add to an upload.cgi Error 5 message: the two architectures that met."""
    device_word = device.architecture if device is not None and device.architecture else None
    if device_word is None:
        return " The package is for architecture %s; the device did not report its own." % _architecture_label(package)
    return (
        " The package is for architecture %s and the device reports %s; if the architecture is the cause, "
        "add the package built for %s to src." % (
            _architecture_label(package), device_word, " or ".join(arch.aliases(device_word) or (device_word,)))
    )


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
    _refuse_case_clash(package, applications)
    return _embedded_sdk_warnings(package, device) + _unsigned_warnings(package, device, allow_unsigned, check_mode)


def _refuse_case_clash(package: Package, applications: Sequence[Application]) -> None:
    """The device keeps one application per name regardless of letter case."""
    clash = case_variant(applications, package.name)
    if clash is not None:
        raise PreflightError(
            "The device has an application named %r, which differs from the package's %r only in letter "
            "case; the device would refuse the upload (upload.cgi Error: 14). Remove %r first (state: absent) "
            "or use a package with the same spelling." % (clash.name, package.name, clash.name),
            error_code=14,
        )


def _embedded_sdk_warnings(package: Package, device: DeviceProperties) -> List[str]:
    """The package's embedded SDK requirement against the device's; raises when the device is too old."""
    warnings: List[str] = []
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
    return warnings


def _unsigned_warnings(
    package: Package, device: DeviceProperties, allow_unsigned: Optional[bool], check_mode: bool
) -> List[str]:
    """An unsigned package the device refuses: a failure, or in check mode a warning (see ``preflight``)."""
    if package.signed or allow_unsigned is not False:
        return []
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
    return [
        "Check mode: " + refusal + " This run assumes an earlier task allows unsigned packages "
        "(vapix.acap.axis_acap_config allow_unsigned: true); without check mode the task fails unless "
        "they are allowed first."
    ]
