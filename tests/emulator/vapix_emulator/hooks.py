"""Test hooks under /emulator/ (no authentication, never logged): things real devices do not have.

GET/DELETE /emulator/log, POST /emulator/reset, GET/PATCH /emulator/state, GET/POST/DELETE /emulator/faults,
POST /emulator/users (change a password).
Bodies and answers are JSON; a bad body answers 400 with {"error": "..."} naming the problem.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, List

from .device import CONFIG_NAMES, FAULT_KINDS, LICENSE_STATES, STATUSES, Application, Fault
from .httpserver import Request, Response

if TYPE_CHECKING:  # pragma: no cover
    from .device import Device

HOOK_BODY_LIMIT = 1024 * 1024


class HookError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def _json(document: Any, status: int = 200) -> Response:
    return Response(status=status, body=(json.dumps(document, indent=1) + "\n").encode(), content_type="application/json")


async def _json_body(request: Request, limit: int = HOOK_BODY_LIMIT) -> Dict[str, Any]:
    """The request's body as a JSON object (empty: {}); a HookError names what is wrong with it."""
    body = await request.read_body(limit)
    if body is None:
        raise HookError("body larger than {0} bytes".format(limit))
    if not body.strip():
        return {}
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise HookError("body is not JSON: {0}".format(exc)) from None
    if not isinstance(document, dict):
        raise HookError("body must be a JSON object")
    return document


def state_view(device: "Device") -> Dict[str, Any]:
    profile = device.profile
    config = {"AllowUnsigned": device.config_value("AllowUnsigned")}
    if profile.has_allow_root():
        config["AllowRoot"] = device.config_value("AllowRoot")
    return {
        "device": dict(device.describe(), serial_number=device.serial_number),
        "config": config,
        "effective": {"allow_unsigned": device.allow_unsigned(), "allow_root": device.allow_root()},
        "upload_in_progress": device.upload_in_progress,
        "faults": [_fault_view(fault) for fault in device.faults],
        "applications": [app.describe() for app in device.applications.values()],
    }


_EDITABLE = {
    "version": str, "nice_name": str, "vendor": str, "application_id": str, "architecture": str,
    "configuration_page": str, "vendor_home_page": str, "license_name": str, "validation_result": str,
    "copy_protection": str, "signed": bool, "run_as_root": bool, "embedded_sdk_version": str,
}


def _patch_application(device: "Device", name: str, changes: Any) -> None:
    if changes is None:
        if device.applications.pop(name, None) is None:
            raise HookError("application {0!r} is not installed".format(name), 404)
        return
    if not isinstance(changes, dict):
        raise HookError("applications.{0} must be an object of fields or null".format(name))
    app = device.applications.get(name) or Application(name=name, version=str(changes.get("version", "1.0.0")))
    for key, value in changes.items():
        if key == "status":
            if value not in STATUSES:
                raise HookError("status {0!r} must be one of {1}".format(value, ", ".join(STATUSES)))
            app.status = value
        elif key == "license":
            if value not in LICENSE_STATES and value not in ("", None):
                raise HookError("license {0!r} must be one of {1} (or null to compute it)".format(value, ", ".join(LICENSE_STATES)))
            app.license_override = value or ""
        elif key == "license_key":
            if value is not None and not isinstance(value, dict):
                raise HookError("license_key must be an object (product, productid, serial_number, expires, license_code) or null")
            app.license_key = value
        elif key == "start_status":
            if value not in STATUSES:
                raise HookError("start_status {0!r} must be one of {1}".format(value, ", ".join(STATUSES)))
            app.start_status = value
        elif key == "start_error":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise HookError("start_error must be an error code (a positive integer) or 0 for none, got {0!r}".format(value))
            app.start_error = value
        elif key in _EDITABLE:
            if not isinstance(value, _EDITABLE[key]):
                raise HookError("{0} must be of type {1}, got {2!r}".format(key, _EDITABLE[key].__name__, value))
            setattr(app, key, value)
        elif key != "name":
            raise HookError("field {0!r} cannot be edited; editable: status, license, license_key, start_status, start_error, {1}".format(
                key, ", ".join(sorted(_EDITABLE))))
    device.applications[name] = app


def _patch_state(device: "Device", document: Dict[str, Any]) -> None:
    unknown = sorted(set(document) - {"applications", "config"})
    if unknown:
        raise HookError("unknown keys {0}; use applications and config".format(unknown))
    applications = document.get("applications", {})
    config = document.get("config", {})
    if not isinstance(applications, dict) or not isinstance(config, dict):
        raise HookError("applications and config must be objects")
    for name, value in config.items():
        if name not in CONFIG_NAMES or not isinstance(value, bool):
            raise HookError("config {0}={1!r}: config accepts {2} with true/false values".format(name, value, ", ".join(CONFIG_NAMES)))
    for name, changes in applications.items():
        _patch_application(device, name, changes)
    device.config.update(config)
    device.save()


_FAULT_KEYS = {"kind", "count", "always", "skip", "match", "delay", "status", "user", "password", "interval", "duration"}


def _number(document: Dict[str, Any], key: str, default: float, low: float, high: float) -> float:
    value = document.get(key, default)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not low <= value <= high:
        raise HookError("{0} must be a number of seconds between {1:g} and {2:g}, got {3!r}".format(key, low, high, value))
    return float(value)


def _add_fault(device: "Device", document: Dict[str, Any]) -> Fault:
    unknown = sorted(set(document) - _FAULT_KEYS)
    if unknown:
        raise HookError("unknown fault keys {0}; known: {1}".format(unknown, ", ".join(sorted(_FAULT_KEYS))))
    kind = document.get("kind")
    if kind not in FAULT_KINDS:
        raise HookError("unknown fault kind {0!r}; kind must be one of {1}".format(kind, ", ".join(FAULT_KINDS)))
    count = document.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise HookError("count must be a positive integer, got {0!r}".format(count))
    skip = document.get("skip", 0)
    if not isinstance(skip, int) or isinstance(skip, bool) or skip < 0:
        raise HookError("skip must be a non-negative integer (matching requests let through first), got {0!r}".format(skip))
    always = document.get("always", False)
    if not isinstance(always, bool):
        raise HookError("always must be true or false, got {0!r}".format(always))
    match = document.get("match") or {}
    if not isinstance(match, dict) or set(match) - {"path", "action"}:
        raise HookError('match must be {{"path": ..., "action": ...}}, got {0!r}'.format(match))
    status = document.get("status", 500)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise HookError("status must be an HTTP status code (100-599), got {0!r}".format(status))
    user, password = document.get("user", ""), document.get("password", "")
    if not isinstance(user, str) or not isinstance(password, str):
        raise HookError("user and password must be strings")
    if kind == "change_password":
        if not password:
            raise HookError("change_password needs the new password in password")
        if user and user not in device.authenticator.users:
            raise HookError("no user {0!r}; users: {1}".format(user, ", ".join(sorted(device.authenticator.users))))
    fault = Fault(kind=kind, count=count, path=str(match.get("path", "")), action=str(match.get("action", "")),
                  delay=_number(document, "delay", 1.0, 0, 600), status=status, skip=skip, always=always,
                  user=user, password=password, interval=_number(document, "interval", 1.0, 0.01, 60),
                  duration=_number(document, "duration", 30.0, 0, 600))
    device.faults.append(fault)
    return fault


def _change_password(device: "Device", document: Dict[str, Any]) -> Dict[str, Any]:
    name, password = document.get("name"), document.get("password")
    if not isinstance(name, str) or not isinstance(password, str) or not password:
        raise HookError('body must be {"name": USER, "password": NEW_PASSWORD}')
    try:
        device.set_password(name, password)
    except ValueError as exc:
        raise HookError(str(exc), 404) from None
    return {"user": name, "changed": True}


def _fault_view(fault: Fault) -> Dict[str, Any]:
    view = vars(fault).copy()
    if view.get("password"):
        view["password"] = "********"
    return view


async def handle(device: "Device", request: Request) -> Response:
    route = (request.method, request.path.rstrip("/"))
    try:
        if route == ("GET", "/emulator/log"):
            return _json({"entries": list(device.log)})
        if route == ("DELETE", "/emulator/log"):
            device.log.clear()
            return _json({"entries": []})
        if route == ("POST", "/emulator/reset"):
            overrides = await _json_body(request)
            try:
                device.reset(overrides)
            except ValueError as exc:
                raise HookError(str(exc)) from None
            return _json(device.describe())
        if route == ("GET", "/emulator/state"):
            return _json(state_view(device))
        if route == ("PATCH", "/emulator/state"):
            _patch_state(device, await _json_body(request))
            return _json(state_view(device))
        if route == ("POST", "/emulator/faults"):
            fault = _add_fault(device, await _json_body(request))
            return _json({"fault": _fault_view(fault), "pending": [_fault_view(item) for item in device.faults]})
        if route == ("DELETE", "/emulator/faults"):
            device.faults = []
            return _json({"pending": []})
        if route == ("GET", "/emulator/faults"):
            return _json({"pending": [_fault_view(item) for item in device.faults]})
        if route == ("POST", "/emulator/users"):
            return _json(_change_password(device, await _json_body(request)))
    except HookError as exc:
        return _json({"error": str(exc)}, exc.status)
    known: List[str] = ["GET/DELETE /emulator/log", "POST /emulator/reset", "GET/PATCH /emulator/state",
                        "GET/POST/DELETE /emulator/faults", "POST /emulator/users"]
    return _json({"error": "no hook {0} {1}; hooks: {2}".format(request.method, request.path, "; ".join(known))}, 404)
