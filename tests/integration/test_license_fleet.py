# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""axis_acap_license over a fleet: one folder of keys, one key per device serial number."""

from __future__ import annotations

import datetime
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, List

import pytest

from acap_helpers import make_eap, operations
from vapix_emulator.builders import build_license_key

from ansible_collections.vapix.acap.plugins.module_utils._errors import PreflightError

APP = "FleetApp"
APP_ID = "515151"
FLEET_SIZE = 50
EXPIRES = datetime.date(2031, 12, 31)


def prepare_fleet(devices: List[Any], tmp_path: Path, expires_for=lambda index: EXPIRES) -> Path:
    """Install the licensed application everywhere (upload.cgi) and write every device's key."""
    eap = Path(make_eap(tmp_path, name=APP, application_id=APP_ID, licensed=True)).read_bytes()
    key_dir = tmp_path / "keys"
    key_dir.mkdir()
    for index, device in enumerate(devices):
        build_license_key(key_dir / ("%s.xml" % device.serial_number), product=APP, productid=APP_ID,
                          serial_number=device.serial_number, expires=expires_for(index))
    # Keys of other applications and of devices not in this play live in the same folder.
    build_license_key(key_dir / "other-app.xml", product="OtherApp", productid="1", serial_number="B8A44F999999")
    build_license_key(key_dir / "spare.xml", product=APP, productid=APP_ID, serial_number="B8A44F999998",
                      expires=EXPIRES)
    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda device: device.install(eap), devices))
    for device in devices:
        device.clear_log()
    return key_dir


def installed_key(device: Any) -> Any:
    for application in device.state()["applications"]:
        if application["name"] == APP:
            return application
    raise AssertionError("%s not installed on %s" % (APP, device))


def test_one_run_gives_every_device_its_own_key_and_the_second_run_one_request_each(devices, tmp_path, run_playbook):
    fleet = devices(FLEET_SIZE)
    key_dir = prepare_fleet(fleet, tmp_path)
    extra_vars = {"app_name": APP, "key_dir": str(key_dir)}

    started = time.monotonic()
    first = run_playbook("license_fleet.yml", fleet, extra_vars=extra_vars, forks=10)
    first_seconds = time.monotonic() - started
    assert first.rc == 0, first
    for device in fleet:
        result = first.task("License key from the fleet folder", device)
        assert result["status"] == "changed", result
        assert result["key"]["serial_number"] == device.serial_number
        application = installed_key(device)
        assert application["license"] == "Valid"
        assert application["license_key"]["serial_number"] == device.serial_number
        assert application["license_expiration_date"] == "2031-12-31"
        assert [op for op in operations(device) if op[0] == "license.cgi"] == [("license.cgi", "uploadlicensekey")]
        device.clear_log()

    started = time.monotonic()
    second = run_playbook("license_fleet.yml", fleet, extra_vars=extra_vars, forks=10)
    second_seconds = time.monotonic() - started
    assert second.rc == 0, second
    for device in fleet:
        result = second.task("License key from the fleet folder", device)
        assert result["status"] == "ok" and result["actions"] == [], result
        assert operations(device) == [("list.cgi", None)], operations(device)
    print("\nfleet of %d: first run %.1f s, second run %.1f s" % (FLEET_SIZE, first_seconds, second_seconds))


def test_keys_with_different_expiries_cost_one_param_read_when_nothing_changes(devices, tmp_path, run_logic):
    # Documented choice: when the folder's keys for the application do not all expire on the
    # same date, the device's serial number decides which one is its key (param.cgi).
    fleet = devices(2)
    key_dir = prepare_fleet(fleet, tmp_path, expires_for=lambda index: EXPIRES + datetime.timedelta(days=index))
    for device in fleet:
        params = dict(device.conn_params(), name=APP, src=str(key_dir))
        assert run_logic("axis_acap_license", params)["changed"] is True
        device.clear_log()
        again = run_logic("axis_acap_license", params)
        assert again["changed"] is False
        assert again["key"]["serial_number"] == device.serial_number
        assert operations(device) == [("list.cgi", None), ("param.cgi", "list")]


def test_device_without_a_key_in_the_folder_fails_and_says_what_is_there(devices, tmp_path, run_logic):
    (device,) = devices(1)
    key_dir = prepare_fleet([device], tmp_path)
    (key_dir / ("%s.xml" % device.serial_number)).unlink()
    (key_dir / "broken.xml").write_text("<license>")
    params = dict(device.conn_params(), name=APP, src=str(key_dir))
    with pytest.raises(PreflightError) as caught:
        run_logic("axis_acap_license", params)
    message = caught.value.message
    assert "No license key for application FleetApp and serial number %s in directory %s" % (
        device.serial_number, key_dir) in message
    assert "2 key file(s) could be read, 1 of them for FleetApp" in message
    assert "broken.xml" in message
    assert [op for op in operations(device) if op[0] == "license.cgi"] == []
