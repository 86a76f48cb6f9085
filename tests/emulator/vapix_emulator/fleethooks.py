"""Fleet-wide test hooks under /emulator/fleet/: one request for every device of the process.

A harness of 10,000 cameras cannot afford one hook request (and one connection) per camera between
runs; these answer for all devices, or for the ones named, from any device's address:

POST /emulator/fleet/reset, GET/POST /emulator/fleet/requests (POST: count, and clear), PATCH /emulator/fleet/state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from .hooks import HookError, _json, _json_body, _patch_state
from .httpserver import Request, Response

if TYPE_CHECKING:  # pragma: no cover
    from .device import Device

# A state patch for 10,000 cameras with a license key each is a few MB.
FLEET_BODY_LIMIT = 64 * 1024 * 1024
FLEET_HOOKS = ["POST /emulator/fleet/reset", "GET/POST /emulator/fleet/requests", "PATCH /emulator/fleet/state"]


class Fleet:
    """Every device served by this process, by serial number."""

    def __init__(self, devices: List["Device"]) -> None:
        self.devices = list(devices)
        self.by_serial = {device.serial_number: device for device in self.devices}

    def select(self, serial_numbers: Optional[List[Any]]) -> List["Device"]:
        """The named devices (all when None); an unknown serial is a 404 naming it."""
        if serial_numbers is None:
            return self.devices
        if not isinstance(serial_numbers, list) or not all(isinstance(serial, str) for serial in serial_numbers):
            raise HookError("serial_numbers must be a list of serial numbers")
        unknown = [serial for serial in serial_numbers if serial not in self.by_serial]
        if unknown:
            raise HookError("no device with serial number {0}{1}".format(
                ", ".join(unknown[:5]), " (and {0} more)".format(len(unknown) - 5) if len(unknown) > 5 else ""), 404)
        return [self.by_serial[serial] for serial in serial_numbers]


def _reset(fleet: Fleet, document: Dict[str, Any]) -> Dict[str, Any]:
    unknown = sorted(set(document) - {"serial_numbers", "profile"})
    if unknown:
        raise HookError("unknown keys {0}; use serial_numbers and profile".format(unknown))
    profile = document.get("profile") or {}
    if not isinstance(profile, dict):
        raise HookError("profile must be an object of profile overrides")
    devices = fleet.select(document.get("serial_numbers"))
    for device in devices:
        try:
            device.reset(profile)
        except ValueError as exc:  # the same overrides for all: the first device refuses them untouched
            raise HookError(str(exc)) from None
    return {"reset": len(devices)}


def _count_requests(fleet: Fleet, serial_numbers: Optional[List[Any]], clear: bool) -> Dict[str, Any]:
    """Per device: logged VAPIX requests other than 401 answers, and the 401 answers (challenges and
    refused credentials). ``clear`` empties the logs in the same step (the event loop runs one handler
    at a time, so no request falls between the count and the clearing)."""
    cameras: Dict[str, Dict[str, int]] = {}
    for device in fleet.select(serial_numbers):
        challenges = sum(1 for entry in device.log if entry["status"] == 401)
        cameras[device.serial_number] = {"requests": len(device.log) - challenges, "challenges": challenges}
        if clear:
            device.log.clear()
    return {"requests": sum(counts["requests"] for counts in cameras.values()),
            "challenges": sum(counts["challenges"] for counts in cameras.values()), "cameras": cameras}


def _query_serials(request: Request) -> Optional[List[str]]:
    values = [value for name, value in request.query if name == "serial_numbers"]
    if not values:
        return None
    return [serial for value in values for serial in value.split(",") if serial]


def _count_from_body(fleet: Fleet, document: Dict[str, Any]) -> Dict[str, Any]:
    unknown = sorted(set(document) - {"serial_numbers", "clear"})
    if unknown:
        raise HookError("unknown keys {0}; use serial_numbers and clear".format(unknown))
    clear = document.get("clear", False)
    if not isinstance(clear, bool):
        raise HookError("clear must be true or false, got {0!r}".format(clear))
    return _count_requests(fleet, document.get("serial_numbers"), clear)


def _patch(fleet: Fleet, document: Dict[str, Any]) -> Dict[str, Any]:
    """``{"cameras": {serial: <the body of PATCH /emulator/state>}}``, each applied to its device in
    order; a refused patch answers 400 naming its serial (the devices before it are patched)."""
    cameras = document.get("cameras")
    if set(document) != {"cameras"} or not isinstance(cameras, dict):
        raise HookError('body must be {"cameras": {SERIAL: {"applications": ..., "config": ...}}}')
    devices = fleet.select(list(cameras))
    for device in devices:
        changes = cameras[device.serial_number]
        if not isinstance(changes, dict):
            raise HookError("cameras.{0} must be an object".format(device.serial_number))
        try:
            _patch_state(device, changes)
        except HookError as exc:
            raise HookError("cameras.{0}: {1}".format(device.serial_number, exc), exc.status) from None
    return {"patched": len(devices)}


async def handle(fleet: Fleet, request: Request) -> Response:
    route = (request.method, request.path.rstrip("/"))
    try:
        if route == ("POST", "/emulator/fleet/reset"):
            return _json(_reset(fleet, await _json_body(request, FLEET_BODY_LIMIT)))
        if route == ("GET", "/emulator/fleet/requests"):
            return _json(_count_requests(fleet, _query_serials(request), clear=False))
        if route == ("POST", "/emulator/fleet/requests"):
            return _json(_count_from_body(fleet, await _json_body(request, FLEET_BODY_LIMIT)))
        if route == ("PATCH", "/emulator/fleet/state"):
            return _json(_patch(fleet, await _json_body(request, FLEET_BODY_LIMIT)))
    except HookError as exc:
        return _json({"error": str(exc)}, exc.status)
    return _json({"error": "no hook {0} {1}; fleet hooks: {2}".format(request.method, request.path, "; ".join(FLEET_HOOKS))}, 404)
