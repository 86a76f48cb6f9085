"""The VAPIX endpoints of one device: authentication, request log, fault injection and the CGIs.

Response shapes follow the Application API page: text/plain ``OK`` / ``Error: N`` with HTTP 200 for
upload, control and license; XML for list, config and info. Every choice where the page is silent is
listed in docs/emulator.md ("Ambiguities and choices").
"""

from __future__ import annotations

import asyncio
import copy
import json
import re
import time
from typing import Any, Callable, Dict, List, Optional, Tuple
from urllib.parse import parse_qsl, urlsplit
from xml.sax.saxutils import escape, quoteattr

from . import appparams, fleethooks, hooks
from .device import Application, Device, Fault
from .eap import PackageError, PackageInfo, read_package, runs_on
from .forms import Arguments, MultipartParser, arguments_from_parts, multipart_boundary, parse_arguments
from .httpserver import Request, Response
from .licensekey import LicenseKeyError, read_license_key
from .versions import at_least, parse_version

APPS = "/axis-cgi/applications/"
UPLOAD, CONTROL, CONFIG, LICENSE, LIST, INFO = (APPS + name for name in ("upload.cgi", "control.cgi", "config.cgi", "license.cgi", "list.cgi", "info.cgi"))
PARAM = "/axis-cgi/param.cgi"
BASIC_DEVICE_INFO = "/axis-cgi/basicdeviceinfo.cgi"
ADMIN_ONLY = {UPLOAD, CONTROL, CONFIG, LICENSE, LIST, INFO}
KNOWN_PATHS = ADMIN_ONLY | {PARAM, BASIC_DEVICE_INFO}
# Absent (HTTP 404) on firmware without the Application API (Profile.application_api false): the
# application CGIs, and basicdeviceinfo.cgi, which came later still.
APPLICATION_API = ADMIN_ONLY | {BASIC_DEVICE_INFO}

# Non-upload requests are small; this only protects the process from a runaway client.
SMALL_BODY_LIMIT = 1024 * 1024
# Multipart framing around the package counts against the body, not against the package size.
MULTIPART_OVERHEAD = 64 * 1024

LOGIN_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>AXIS</title></head><body>\n"
    "<form method=\"post\" action=\"/local/login\"><h1>Log in</h1>\n"
    "<input name=\"user\"><input name=\"pwd\" type=\"password\"><button>Log in</button></form>\n"
    "</body></html>\n"
)
# An upgrade whose manifest vendorId differs from the installed application's is refused with this
# code (acap-formats.md names the field, not the code): "verification failed", since the vendor ID
# belongs to the signing identity of the application.
VENDOR_CHANGE_ERROR = 2
# Codes a device gives for reasons a client cannot see beforehand (its logs, its own view of a key).
_FAULT_ERROR_CODES = {
    "error_12": 12, "error_15_not_applied": 15, "error_10": 10, "error_22": 22, "error_26": 26, "error_30": 30,
}


def error(code: int) -> Response:
    return Response.text("Error: {0}\n".format(code))


def ok() -> Response:
    return Response.text("OK\n")


def xml(body: str) -> Response:
    return Response(body=body.encode("utf-8"), content_type="text/xml")


def not_found() -> Response:
    return Response(status=404, body=b"<html><body><h1>404 Not Found</h1></body></html>\n", content_type="text/html")


# ----------------------------------------------------------------------------------------------------
# upload.cgi
# ----------------------------------------------------------------------------------------------------


def _compatibility_problem(device: Device, package: PackageInfo) -> Optional[str]:
    profile = device.profile
    if not runs_on(package.architecture, profile.architecture):
        return "built for {0}, device is {1}".format(package.architecture, profile.architecture)
    required = package.embedded_sdk_version
    if required and parse_version(required) and not at_least(profile.embedded_development, parse_version(required)):
        return "needs EmbeddedDevelopment {0}, device has {1}".format(required, profile.embedded_development)
    if package.package_format == "package.conf" and "acap3" not in profile.sdks:
        return "an ACAP 3 package (package.conf only) and the device does not support acap3"
    if package.package_format == "manifest.json" and not profile.sdks:
        return "the device supports no SDK"
    if at_least(profile.firmware, (13, 0)) and not package.compatible_os_versions:
        return "AXIS OS 13 needs compatibleOsVersions (manifest schema 2)"
    for window in package.compatible_os_versions:
        low, high = window.get("min", ""), window.get("max", "")
        if low and not at_least(profile.firmware, parse_version(low)):
            return "needs AXIS OS >= {0}".format(low)
        # A max of "13" covers every 13.x: compare only as many parts as the max gives.
        if high and parse_version(profile.firmware)[: len(parse_version(high))] > parse_version(high):
            return "needs AXIS OS <= {0}".format(high)
    return None


def op_upload(device: Device, args: Arguments, body_too_large: bool) -> Response:
    if body_too_large:
        return error(3)
    part = args.first_file
    if part is None:
        return error(1)
    if part.size > device.profile.max_upload_size:
        return error(3)
    try:
        package = read_package(part.open())
    except PackageError as exc:
        return error(exc.code)
    if package.signed and not package.signature_valid:
        return error(2)  # a signature is present and fails verification: refused whatever AllowUnsigned says
    if not package.signed and not device.allow_unsigned():
        return error(2)
    if _compatibility_problem(device, package):
        return error(5)
    if package.run_as_root and not device.allow_root():
        return error(13)
    existing = device.find_case_insensitive(package.name)
    if existing is not None and existing.name != package.name:
        return error(14)
    if existing is not None and existing.vendor_id and package.vendor_id and existing.vendor_id != package.vendor_id:
        return error(VENDOR_CHANGE_ERROR)
    try:
        parameters = appparams.package_parameters(package.metadata)
    except PackageError as exc:
        return error(exc.code)
    now = time.time()
    fields = package.to_dict()
    for derived in ("schema_version", "compatible_os_versions", "signature_valid", "metadata"):
        fields.pop(derived, None)
    if existing is None:
        device.applications[package.name] = Application(status="Stopped", installed_at=now, upgraded_at=now,
                                                        parameters=parameters, **fields)
    else:
        # Upgrade in place: the license key and the test settings stay; whether a running app runs
        # again is a device option.
        was_running = existing.status == "Running"
        upgraded = Application(
            status="Running" if was_running and device.profile.restart_after_upgrade else "Stopped",
            license_key=existing.license_key,
            installed_at=existing.installed_at,
            upgraded_at=now,
            parameters=appparams.upgraded(existing.parameters, parameters),
            start_error=existing.start_error,
            start_status=existing.start_status,
            **fields,
        )
        device.applications[package.name] = upgraded
    device.save()
    return ok()


# ----------------------------------------------------------------------------------------------------
# control.cgi, license.cgi, config.cgi
# ----------------------------------------------------------------------------------------------------


def op_control(device: Device, args: Arguments) -> Response:
    action, name = args.get("action"), args.get("package")
    if action not in ("start", "stop", "restart", "remove"):
        return Response.text("Error: action must be start, stop, restart or remove\n", 400)
    app = device.applications.get(name)
    if app is None:
        return error(4)
    if action == "start":
        if app.status == "Running":
            return error(6)
        if device.profile.limits_running_apps() and device.running_count() >= device.profile.max_running:
            return error(9)
        if app.start_error:
            return error(app.start_error)  # the application fails to start and keeps its status
        app.status = app.start_status or "Running"
    elif action == "stop":
        if app.status != "Running":
            return error(7)
        app.status = "Stopped"
    elif action == "restart":
        if app.status != "Running":
            return error(7)
    else:
        del device.applications[name]
    device.save()
    return ok()


def _normalise_serial(serial: str) -> str:
    return serial.replace(":", "").replace("-", "").strip().upper()


def op_license(device: Device, args: Arguments) -> Response:
    action, name = args.get("action"), args.get("package")
    if action not in ("uploadlicensekey", "removelicensekey"):
        return Response.text("Error: action must be uploadlicensekey or removelicensekey\n", 400)
    app = device.applications.get(name)
    if app is None:
        return error(24)
    if action == "removelicensekey":
        if not app.license_key:
            return error(23)
        app.license_key = None
        app.license_override = ""
        device.save()
        return ok()
    part = args.first_file
    if part is None:
        return error(21)
    try:
        key = read_license_key(part.data)
    except LicenseKeyError as exc:
        return error(exc.code)
    if key.productid.strip() != app.application_id.strip():
        return error(25)
    if key.product.strip() != app.name:
        return error(26)  # the key was issued for another application (product) with this ID
    if key.serial_number and _normalise_serial(key.serial_number) != _normalise_serial(device.serial_number):
        return error(30)
    if key.is_expired():
        return error(31)
    app.license_key = key.to_dict()
    app.license_override = ""
    device.save()
    return ok()


def _config_error(device: Device, message: str) -> Response:
    if device.profile.bad_value_is_http_400():
        return Response.text("Bad Request: {0}\n".format(message), 400)
    return xml('<reply result="error">\n    <error type="1" message={0} />\n</reply>\n'.format(quoteattr("Error: " + message)))


def _config_reply(name: str, value: bool) -> Response:
    return xml('<reply result="ok">\n    <param name={0} value="{1}" />\n</reply>\n'.format(quoteattr(name), "true" if value else "false"))


def op_config(device: Device, args: Arguments) -> Response:
    action, name = args.get("action"), args.get("name")
    if action not in ("get", "set"):
        return _config_error(device, "action must be get or set")
    supported = ["AllowUnsigned"] + (["AllowRoot"] if device.profile.has_allow_root() else [])
    if name not in supported:
        return _config_error(device, "unknown parameter {0!r}".format(name))
    if action == "get":
        return _config_reply(name, device.config_value(name))
    value = args.get("value")
    if value not in ("true", "false"):
        return _config_error(device, "gdbus call failed (value must be true or false)")
    device.config[name] = value == "true"
    device.save()
    return _config_reply(name, device.config[name])


# ----------------------------------------------------------------------------------------------------
# list.cgi, info.cgi
# ----------------------------------------------------------------------------------------------------


def _list_attributes(app: Application) -> List[Tuple[str, str]]:
    attributes = [
        ("Name", app.name),
        ("NiceName", app.nice_name or app.name),  # a device lists the name when there is no nice name
        ("Vendor", app.vendor),
        ("Version", app.version),
        # The schema types ApplicationID as xs:integer: a non-numeric appId is left out.
        ("ApplicationID", app.application_id if app.application_id.isdigit() else ""),
        ("Status", app.status),
        ("License", app.license_status()),
        ("LicenseExpirationDate", app.license_expiration_date()),
        ("ConfigurationPage", app.configuration_page),
        ("VendorHomePage", app.vendor_home_page),
        ("LicenseName", app.license_name),
        ("ValidationResult", app.validation_result),
    ]
    return [(key, value) for key, value in attributes if value]


def op_list(device: Device, args: Arguments) -> Response:
    if not device.applications:
        return xml('<reply result="ok"></reply>\n')
    lines = ['<reply result="ok">']
    for app in device.applications.values():
        attributes = " ".join("{0}={1}".format(key, quoteattr(value)) for key, value in _list_attributes(app))
        lines.append("    <application {0} />".format(attributes))
    lines.append("</reply>\n")
    return xml("\n".join(lines))


def op_info(device: Device, args: Arguments) -> Response:
    sdks = "".join("        <sdk>{0}</sdk>\n".format(escape(sdk)) for sdk in device.profile.sdks)
    return xml('<reply result="ok">\n    <supportedSdks>\n{0}    </supportedSdks>\n</reply>\n'.format(sdks))


# ----------------------------------------------------------------------------------------------------
# param.cgi, basicdeviceinfo.cgi (acap-formats.md, "Device facts")
# ----------------------------------------------------------------------------------------------------


# The system-on-chip param.cgi names for an architecture (a cosmetic fact; nothing reads it).
_SOC = {"aarch64": "Axis Artpec-8", "armv7hf": "Axis Artpec-7", "mips": "Axis Artpec-5", "crisv32": "Axis Artpec-3"}


def device_parameters(device: Device) -> Dict[str, str]:
    profile = device.profile
    product_number = profile.product.split(" ", 1)[-1]
    parameters = {
        "Brand.Brand": "AXIS",
        "Brand.ProdFullName": profile.product + " Network Camera",
        "Brand.ProdNbr": product_number,
        "Brand.ProdShortName": profile.product,
        "Brand.ProdType": "Network Camera",
        "Brand.WebURL": "http://www.axis.com",
        "Properties.API.HTTP.Version": "3",
        "Properties.Firmware.BuildDate": "Nov 03 2025 10:00",
        "Properties.Firmware.Version": profile.firmware_reported or profile.firmware,
        "Properties.System.Architecture": profile.architecture,
        "Properties.System.HardwareID": "9A1",
        "Properties.System.SerialNumber": device.serial_number,
        "Properties.System.Soc": _SOC.get(profile.architecture, "Axis Artpec-7"),
    }
    if profile.application_api:
        # Firmware without the Application API (5.x, crisv32) has no such group at all.
        parameters["Properties.EmbeddedDevelopment.EmbeddedDevelopment"] = "yes"
        parameters["Properties.EmbeddedDevelopment.Version"] = (
            profile.embedded_development_reported or profile.embedded_development)
    return dict(sorted(parameters.items()))


def param_text(device: Device, text: str) -> Response:
    """A param.cgi answer in the device's charset (ISO-8859-1 like cameras: no charset in the
    Content-Type); an answer of ``# Error`` lines only comes with the profile's status (200, or 400
    like some firmware); one that lists parameters too (a missing group next to present ones) is 200."""
    charset = device.profile.param_charset
    lines = [line for line in text.splitlines() if line.strip()]
    status = device.profile.param_error_status if lines and all(line.startswith("# Error") for line in lines) else 200
    content_type = "text/plain" if charset == "iso-8859-1" else "text/plain; charset={0}".format(charset)
    return Response(status=status, body=text.encode(charset, "replace"), content_type=content_type)


def param_arguments(request: Request, charset: str) -> Arguments:
    """param.cgi's query and form read as the device reads them: percent-escapes are bytes of its charset."""
    values = dict(parse_qsl(urlsplit(request.target).query, keep_blank_values=True, encoding=charset, errors="replace"))
    kind = request.header("content-type").split(";", 1)[0].strip().lower()
    if request.body and kind == "application/x-www-form-urlencoded":
        values.update(parse_qsl(request.body.decode("ascii", "replace"), keep_blank_values=True, encoding=charset,
                                errors="replace"))
    return Arguments(values=values)


def op_param(device: Device, args: Arguments) -> Response:
    action = args.get("action")
    if action == "update":
        return param_text(device, appparams.update(device, args.values))
    groups = [group for group in args.get("group").split(",") if group] if args.get("group") else [""]
    if action == "listdefinitions":
        if not device.profile.has_param_definitions() or args.get("listformat") != "xmlschema":
            return param_text(device, "# Error: Error -1 action 'listdefinitions' not supported\n")
        answer, found = appparams.definitions(device, groups, device.profile.param_charset)
        if not found:
            return param_text(device, answer)
        return Response(body=answer.encode(device.profile.param_charset, "replace"), content_type="text/xml")
    if action != "list":
        return param_text(device, "# Error: Error -1 action {0!r} not supported\n".format(action))
    parameters = device_parameters(device)
    parameters.update(appparams.listed_parameters(device))
    lines = []
    for group in groups:
        wanted = group[5:] if group.startswith("root.") else ("" if group == "root" else group)
        matched = [key for key in parameters if not wanted or key == wanted or key.startswith(wanted + ".")]
        if not matched:
            lines.append("# Error: Error -1 getting param in group '{0}'".format(group))
        lines.extend("root.{0}={1}".format(key, parameters[key]) for key in matched)
    return param_text(device, "\n".join(lines) + "\n")


BASIC_DEVICE_INFO_VERSION = "1.3"
_RESTRICTED_PROPERTIES = ("Architecture", "Soc", "SocSerialNumber")


def _property_list(device: Device) -> Dict[str, str]:
    parameters = device_parameters(device)
    return {
        "Architecture": device.profile.architecture,
        "Brand": "AXIS",
        "BuildDate": parameters["Properties.Firmware.BuildDate"],
        "HardwareID": parameters["Properties.System.HardwareID"],
        "ProdFullName": parameters["Brand.ProdFullName"],
        "ProdNbr": parameters["Brand.ProdNbr"],
        "ProdShortName": device.profile.product,
        "ProdType": parameters["Brand.ProdType"],
        "ProdVariant": "",
        "SerialNumber": device.serial_number,
        "Soc": parameters["Properties.System.Soc"],
        "SocSerialNumber": device.serial_number[-8:],
        "Version": device.profile.firmware_reported or device.profile.firmware,
        "WebURL": parameters["Brand.WebURL"],
    }


def op_basic_device_info(device: Device, args: Arguments, body: Optional[bytes]) -> Response:
    def reply(document: Dict[str, Any]) -> Response:
        return Response(body=json.dumps(document).encode(), content_type="application/json")

    try:
        request = json.loads((body or b"").decode("utf-8"))
        if not isinstance(request, dict):
            raise ValueError("not an object")
    except ValueError:
        return reply({"apiVersion": BASIC_DEVICE_INFO_VERSION, "error": {"code": 4000, "message": "Invalid JSON"}})
    answer: Dict[str, Any] = {"apiVersion": BASIC_DEVICE_INFO_VERSION}
    if "context" in request:
        answer["context"] = request["context"]
    method = request.get("method")
    answer["method"] = method
    properties = _property_list(device)
    if method == "getAllProperties":
        answer["data"] = {"propertyList": properties}
    elif method == "getAllUnrestrictedProperties":
        answer["data"] = {"propertyList": {k: v for k, v in properties.items() if k not in _RESTRICTED_PROPERTIES}}
    elif method == "getSupportedVersions":
        answer["data"] = {"apiVersions": [BASIC_DEVICE_INFO_VERSION]}
    else:
        answer["error"] = {"code": 4002, "message": "Method not supported: {0}".format(method)}
    return reply(answer)


# ----------------------------------------------------------------------------------------------------
# The request pipeline of one device
# ----------------------------------------------------------------------------------------------------


ALLOWED_METHODS = ("GET", "POST", "HEAD")


def method_not_allowed() -> Response:
    return Response(status=405, body=b"<html><body><h1>405 Method Not Allowed</h1></body></html>\n",
                    content_type="text/html", headers=[("Allow", ", ".join(ALLOWED_METHODS))])


class DeviceHandler:
    """``await handler(request)``: hooks, authentication, log, faults, then the CGI."""

    def __init__(self, device: Device, fleet: Optional[fleethooks.Fleet] = None) -> None:
        self.device = device
        self.fleet = fleet or fleethooks.Fleet([device])  # the fleet hooks of a lone device see it alone

    async def __call__(self, request: Request) -> Response:
        if request.path.startswith("/emulator/fleet/"):
            return await fleethooks.handle(self.fleet, request)
        if request.path.startswith("/emulator/"):
            return await hooks.handle(self.device, request)
        request.body_timeout = self.device.profile.body_timeout
        entry: Dict[str, Any] = {
            "time": time.time(),
            "method": request.method,
            "path": request.path,
            "args": dict(request.query),
            "user": None,
            "status": None,
            "bytes_in": 0,
            "bytes_out": 0,
            "scheme": request.scheme,
        }

        def complete(status: Optional[int], bytes_out: int) -> None:
            entry["status"] = status
            entry["bytes_in"] = request.bytes_in
            entry["bytes_out"] = bytes_out
            self.device.record(entry)

        request.on_complete = complete
        if request.path not in KNOWN_PATHS:
            return not_found()
        if request.method not in ALLOWED_METHODS:
            return method_not_allowed()
        return await self._authenticated(request, entry)

    def _challenge(self, request: Request, stale: bool = False) -> Response:
        body = b"<html><body><h1>401 Unauthorized</h1></body></html>\n"
        offered = self.device.profile.auth_for(request.scheme)
        return Response(status=401, body=body, content_type="text/html",
                        headers=self.device.authenticator.challenge_headers(offered, stale))

    def _not_admin(self, request: Request) -> Response:
        if self.device.profile.non_admin_status == 403:
            return Response(status=403, body=b"<html><body><h1>403 Forbidden</h1></body></html>\n", content_type="text/html")
        return self._challenge(request)

    async def _authenticated(self, request: Request, entry: Dict[str, Any]) -> Response:
        device = self.device
        authorization = request.header("authorization")
        if not authorization:
            return self._challenge(request)
        offered = device.profile.auth_for(request.scheme)
        result = device.authenticator.authenticate(request.method, request.target, authorization, offered)
        if result.user is None:
            return self._challenge(request, stale=result.stale)
        entry["user"] = result.user.name
        if request.path in ADMIN_ONLY and result.user.role != "admin":
            return self._not_admin(request)
        if request.path == CONFIG and not device.profile.has_config_cgi():
            return not_found()
        if request.path == LIST and not device.profile.has_list_cgi():
            return not_found()
        if request.path in APPLICATION_API and not device.profile.application_api:
            return not_found()
        if request.path != UPLOAD:
            body = await request.read_body(SMALL_BODY_LIMIT)
            if request.path == PARAM:
                args = param_arguments(request, device.profile.param_charset)
            else:
                args = parse_arguments(request.query, request.header("content-type"), body)
            return await self._answer(request, entry, args, result.user.name)
        if device.upload_in_progress:
            await request.stream_body(0, lambda data: None)
            return error(12)
        device.upload_in_progress = True
        try:
            args = await self._upload_arguments(request, device.profile.max_upload_size + MULTIPART_OVERHEAD)
            try:
                return await self._answer(request, entry, args, result.user.name)
            finally:
                args.close()
        finally:
            device.upload_in_progress = False

    @staticmethod
    async def _upload_arguments(request: Request, limit: int) -> Arguments:
        """The upload body parsed as it arrives: file parts go to temporary files, not to memory."""
        boundary = multipart_boundary(request.header("content-type"))
        if not boundary:
            await request.stream_body(limit, lambda data: None)  # no file part: Error 1
            return parse_arguments(request.query, "", None)
        parser = MultipartParser(boundary)
        try:
            await request.stream_body(limit, parser.feed)
        except BaseException:
            parser.finish()
            for part in parser.files:  # a dropped client leaves no temporary files behind
                part.close()
            raise
        parser.finish()
        args = arguments_from_parts(request.query, parser)
        if request.body_too_large:
            args.close()
            args.files = []
        return args

    async def _answer(self, request: Request, entry: Dict[str, Any], args: Arguments, user: str) -> Response:
        entry["args"] = args.for_log()
        if request.path == PARAM and args.get("action") == "update" and not appparams.may_update(self.device, entry["user"]):
            return self._not_admin(request)
        operation = self._operation(request, args)
        fault = self.device.take_fault(request.path, args.get("action"))
        if fault is None:
            return operation()
        return await self._apply_fault(fault, operation, request, user, args)

    def _operation(self, request: Request, args: Arguments) -> Callable[[], Response]:
        device, path = self.device, request.path
        if path == UPLOAD:
            return lambda: op_upload(device, args, request.body_too_large)
        if path == BASIC_DEVICE_INFO:
            return lambda: op_basic_device_info(device, args, request.body)
        operations = {CONTROL: op_control, LICENSE: op_license, CONFIG: op_config, LIST: op_list, INFO: op_info, PARAM: op_param}
        chosen = operations[path]
        return lambda: chosen(device, args)

    async def _apply_fault(self, fault: Fault, operation: Callable[[], Response], request: Request, user: str,
                           args: Arguments) -> Response:
        kind = fault.kind
        if kind == "quote_values":
            # A device (or a proxy in front of it) whose error page quotes what it was sent: the text of
            # every file part, then every field. Nothing done.
            return Response.text("Bad request, could not handle {0}\n".format(_quoted_arguments(args)), 400)
        if kind == "delay":
            await asyncio.sleep(fault.delay)
            return operation()
        if kind == "drop_before":
            return Response(drop=True)
        if kind == "drop_after":
            operation()
            return Response(drop=True)
        if kind == "http_error":
            return Response.text("{0} Server Error (injected)\n".format(fault.status), fault.status)
        if kind in _FAULT_ERROR_CODES:
            return error(_FAULT_ERROR_CODES[kind])
        if kind == "error_15_applied":
            operation()
            return error(15)
        if kind == "html_login":
            return Response(body=LOGIN_PAGE.encode(), content_type="text/html")
        if kind == "html_login_applied":
            operation()
            return Response(body=LOGIN_PAGE.encode(), content_type="text/html")
        if kind == "truncated_xml":
            response = operation()
            response.body = response.body[: len(response.body) // 2]
            response.content_type = "text/xml"
            return response
        if kind == "unauthorized":
            return self._challenge(request)
        if kind == "ok_not_applied":
            # The device answers as if it did the operation, and nothing changes.
            applications, config = copy.deepcopy(self.device.applications), dict(self.device.config)
            response = operation()
            self.device.applications, self.device.config = applications, config
            self.device.save()
            return response
        if kind == "trickle":
            response = operation()
            response.trickle = (fault.interval, fault.duration)
            return response
        if kind == "change_password":
            # Someone changes the password while the run goes on: this request is answered, the next
            # ones with the old password are not.
            self.device.set_password(fault.user or user, fault.password)
            return operation()
        raise ValueError("unknown fault kind {0!r}".format(kind))  # hooks.py validates kinds


def _quoted_arguments(args: Arguments) -> str:
    quoted = []
    for part in args.files:
        text = re.sub(r"<[^>]*>", " ", part.data.decode("utf-8", "replace"))
        quoted.append("{0}='{1}'".format(part.field_name, " ".join(text.split())))
    quoted += ["{0}='{1}'".format(name, value) for name, value in args.values.items() if name != "action"]
    return " ".join(quoted)
