# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The package-choice decisions of axis_acap (_package_choice): name, package choice, upload, pre-flight checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from ansible_collections.vapix.acap.plugins.module_utils._device import DeviceProperties
from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError, PreflightError
from ansible_collections.vapix.acap.plugins.module_utils._package import Package
from ansible_collections.vapix.acap.plugins.module_utils._package_choice import (
    architecture_warning,
    case_variant,
    choose_package,
    preflight,
    resolve_name,
    source_list,
    upload_decision,
)
from ansible_collections.vapix.acap.plugins.module_utils._xml import Application


def package(name="myapp", version="1.2.0", architecture="aarch64", signed=True, sdk="3.0", filename=None):
    return Package(
        path="/pkgs/%s" % (filename or "%s_%s.eap" % (name, architecture)),
        filename=filename or "%s_%s.eap" % (name, architecture),
        name=name,
        version=version,
        architecture=architecture,
        vendor="Example Inc",
        friendly_name="My App",
        application_id="4242",
        embedded_sdk_version=sdk,
        schema_version="1.3",
        signed=signed,
        run_as_root=False,
        copy_protection="none",
        acap_format=4,
        size=100,
        sha256="0" * 64,
    )


def app(name="myapp", version="1.2.0", status="Stopped", license="None"):
    return Application(name=name, version=version, status=status, license=license, nice_name="My App")


DEVICE = DeviceProperties(firmware_version="12.2.1", embedded_development_version="3.5", architecture="aarch64")


# -- name -------------------------------------------------------------------------------------


def test_source_list_accepts_path_list_and_nothing():
    assert source_list(None) == []
    assert source_list("") == []
    assert source_list("/a.eap") == ["/a.eap"]
    assert source_list(["/a.eap", "/b.eap"]) == ["/a.eap", "/b.eap"]


def test_name_from_package_or_param():
    assert resolve_name(None, [package()]) == "myapp"
    assert resolve_name("myapp", [package()]) == "myapp"
    assert resolve_name("myapp", []) == "myapp"


def test_name_disagrees_with_package():
    with pytest.raises(PreflightError, match="name is 'other' but the package myapp_aarch64.eap"):
        resolve_name("other", [package()])
    with pytest.raises(PreflightError, match="differ only in letter case"):
        resolve_name("MyApp", [package()])


def test_packages_of_different_applications():
    with pytest.raises(PreflightError, match="different applications"):
        resolve_name(None, [package(), package(name="other", architecture="armv7hf")])


def test_name_or_src_required():
    with pytest.raises(PreflightError, match="Give name"):
        resolve_name(None, [])


def test_case_variant():
    installed = [app(name="MyApp")]
    assert case_variant(installed, "myapp").name == "MyApp"
    assert case_variant(installed, "MyApp") is None
    assert case_variant(installed, "other") is None


# -- package choice -----------------------------------------------------------------------------


def test_exact_architecture_wins_over_all():
    offered = [package(architecture="armv7hf"), package(architecture="all"), package(architecture="aarch64")]
    assert choose_package(offered, DEVICE).architecture == "aarch64"
    assert choose_package(offered[:2], DEVICE).architecture == "all"


def test_no_package_fits_lists_offer_and_device():
    offered = [package(architecture="armv7hf"), package(architecture="mips")]
    with pytest.raises(PreflightError) as info:
        choose_package(offered, DEVICE)
    message = str(info.value)
    assert "architecture is aarch64" in message
    assert "myapp_armv7hf.eap (armv7hf)" in message and "myapp_mips.eap (mips)" in message


def test_two_packages_for_one_architecture_is_ambiguous():
    offered = [package(version="1.0"), package(version="2.0", filename="other.eap")]
    with pytest.raises(PreflightError, match="Several packages fit"):
        choose_package(offered, DEVICE)


def test_unknown_device_architecture_takes_only_all():
    unknown = DeviceProperties(firmware_version="12.0")
    assert choose_package([package(architecture="all")], unknown).architecture == "all"
    with pytest.raises(PreflightError, match="did not report its architecture"):
        choose_package([package()], unknown)


MIPS = DeviceProperties(firmware_version="10.12.1", embedded_development_version="3.5", architecture="mips")


@pytest.mark.parametrize(
    "device_architecture, offered, chosen",
    [
        ("mips", ["armv7hf", "mipsisa32r2el", "aarch64"], "mipsisa32r2el"),  # an alias is the same family
        ("mips", ["all", "mipsisa32r2el"], "mipsisa32r2el"),
        ("mips", ["armv7hf", "all"], "all"),
        ("mips", ["armv7hf", None], None),  # only the unknown one may fit: the device judges
        ("aarch64", ["all", None], "all"),  # the table's answer wins over an unknown one
        ("aarch64", ["armv7hf", "ARTPEC-4"], "ARTPEC-4"),
        ("armv7l", ["aarch64", "armv7hf"], "armv7hf"),  # an unsure pair is left to the device
    ],
)
def test_choice_by_the_architecture_table(device_architecture, offered, chosen):
    device = replace(MIPS, architecture=device_architecture)
    packages = [package(architecture=word, filename="app_%s.eap" % word) for word in offered]
    picked = choose_package(packages, device)
    assert picked.architecture == chosen
    warning = architecture_warning(picked, device)
    if chosen in ("all",) or chosen == device_architecture or chosen == "mipsisa32r2el":
        assert warning is None
    else:
        assert "the device judges whether it fits its architecture %s" % device_architecture in warning
        assert picked.filename in warning


def test_no_package_fits_a_mips_camera_names_both_words():
    with pytest.raises(PreflightError) as info:
        choose_package([package(architecture="armv7hf")], MIPS)
    assert "Add the package built for mips or mipsisa32r2el to src" in str(info.value)


def test_several_unknown_packages_are_ambiguous():
    offered = [package(architecture=None, filename="a.eap"), package(architecture="ARTPEC-4", filename="b.eap")]
    with pytest.raises(PreflightError, match="Several packages may fit .* a.eap \\(architecture unknown\\), b.eap"):
        choose_package(offered, MIPS)


def test_warning_says_why_the_device_judges():
    assert "names no architecture" in architecture_warning(package(architecture=None), MIPS)
    assert "'ARTPEC-4', which is not in" in architecture_warning(package(architecture="ARTPEC-4"), MIPS)
    armv7l = replace(MIPS, architecture="armv7l")
    assert "is for armv7hf and the device reports armv7l" in architecture_warning(package(architecture="armv7hf"), armv7l)


# -- upload decision ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "installed, force, allow_downgrade, expected_upload, warns",
    [
        (None, False, False, True, False),
        (app(version="1.1.0"), False, False, True, False),  # upgrade
        (app(version="1.2"), False, False, False, False),  # same version, other spelling
        (app(version="1.2.0"), True, False, True, False),  # force
        (app(version="1.3.0"), False, False, False, True),  # downgrade refused
        (app(version="1.3.0"), True, False, False, True),  # force does not override downgrade protection
        (app(version="1.3.0"), False, True, True, False),  # downgrade allowed
        (app(version=None), False, False, False, True),  # device hides the version
        (app(version=None), True, False, True, False),
        (app(version="unknown"), False, False, False, True),
    ],
)
def test_upload_decision(installed, force, allow_downgrade, expected_upload, warns):
    upload, warning = upload_decision(installed, package(), force, allow_downgrade)
    assert upload is expected_upload
    assert (warning is not None) is warns


def test_list_cgi_spelling_of_acap3_version_equals_package():
    acap3 = package(version="4.15-2")
    assert upload_decision(app(version="4.15-2"), acap3, False, False) == (False, None)
    assert upload_decision(app(version="4.15.2"), acap3, False, False) == (False, None)
    assert upload_decision(app(version="4.14-9"), acap3, False, False) == (True, None)


def test_downgrade_warning_names_versions():
    upload, warning = upload_decision(app(version="2.0.0"), package(), False, False)
    assert upload is False
    assert "myapp 2.0.0 is installed, newer than the package's 1.2.0" in warning
    assert "allow_downgrade" in warning


def test_package_version_that_is_not_a_version():
    with pytest.raises(PackageError, match="not a version number"):
        upload_decision(app(version="1.0"), package(version="latest"), False, False)


# -- pre-flight ---------------------------------------------------------------------------------


def test_preflight_passes():
    assert preflight(package(), DEVICE, [app(name="other")], None) == []


def test_preflight_case_clash():
    with pytest.raises(PreflightError, match="only in letter case") as info:
        preflight(package(), DEVICE, [app(name="MYAPP")], None)
    assert info.value.error_code == 14


def test_preflight_sdk_too_new_for_device():
    old_device = DeviceProperties(firmware_version="9.80", embedded_development_version="2.18", architecture="aarch64")
    with pytest.raises(PreflightError, match="requires embedded development version 3.0, but the device has 2.18"):
        preflight(package(sdk="3.0"), old_device, [], None)
    assert preflight(package(sdk="2.0"), old_device, [], None) == []


def test_preflight_sdk_unknown_on_device_warns():
    device = DeviceProperties(firmware_version="12.0", architecture="aarch64")
    warnings = preflight(package(), device, [], None)
    assert len(warnings) == 1 and "not checked" in warnings[0]
    assert preflight(package(sdk=None), device, [], None) == []


def test_preflight_unsigned_refused():
    with pytest.raises(PreflightError, match="unsigned and the device refuses") as info:
        preflight(package(signed=False), DEVICE, [], False)
    assert info.value.error_code == 2
    assert preflight(package(signed=False), DEVICE, [], True) == []
    assert preflight(package(signed=False), DEVICE, [], None) == []  # firmware without config.cgi
    assert preflight(package(signed=True), DEVICE, [], False) == []


def test_preflight_unsigned_refused_now_is_a_warning_in_check_mode():
    warnings = preflight(package(signed=False), DEVICE, [], False, check_mode=True)
    assert len(warnings) == 1 and warnings[0].startswith("Check mode:") and "Error: 2" in warnings[0]
    with pytest.raises(PreflightError, match="letter case"):  # other refusals stay failures in check mode
        preflight(package(signed=False), DEVICE, [app(name="MyApp")], False, check_mode=True)
