"""One virtual device: its profile, its state (applications, license keys, config), persistence,
request log and pending faults. The HTTP side lives in vapix.py and hooks.py."""

from __future__ import annotations

import collections
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Deque, Dict, List, Optional

from .auth import SCHEMES, Authenticator, User
from .licensekey import LicenseKey
from .versions import at_least, is_version

LOG_LIMIT = 10000  # entries kept per device; older ones are dropped first
STATUSES = ("Running", "Stopped", "Idle")
LICENSE_STATES = ("Valid", "Invalid", "Missing", "Custom", "None")
CONFIG_NAMES = ("AllowUnsigned", "AllowRoot")
FAULT_KINDS = (
    "delay", "drop_before", "drop_after", "http_error", "error_12", "error_15_applied", "error_15_not_applied",
    "html_login", "html_login_applied", "truncated_xml", "unauthorized", "error_10", "error_22", "error_26", "error_30",
    "ok_not_applied", "trickle", "change_password", "quote_values",
)
NON_ADMIN_STATUSES = (401, 403)


PARAM_CHARSETS = ("iso-8859-1", "utf-8")
PARAM_DEFINITIONS_MIN_FIRMWARE = (6, 50)


@dataclass
class Profile:
    """What kind of device this is: everything /emulator/reset may override."""

    firmware: str = "12.6.1"
    architecture: str = "aarch64"
    embedded_development: str = "3.6"
    sdks: List[str] = field(default_factory=lambda: ["acap3", "acap4-native", "acap4-cv"])
    auth: str = "both"
    auth_https: str = ""  # schemes on HTTPS; "" = the same as auth
    non_admin_status: int = 401  # answer to a valid user without the admin role on admin-only CGIs
    body_timeout: float = 60.0  # seconds without body bytes before a stalled client is dropped
    max_running: int = 3
    restart_after_upgrade: bool = True
    max_upload_size: int = 50 * 1024 * 1024
    product: str = "AXIS M3085-V"
    # What param.cgi and basicdeviceinfo.cgi report, when not the version itself (a vendor build string
    # such as "v12.6.85", or "N/A"); the firmware rules always follow firmware / embedded_development.
    firmware_reported: str = ""
    embedded_development_reported: str = ""
    # False: firmware without the VAPIX Application API (5.x on crisv32): no
    # Properties.EmbeddedDevelopment group in param.cgi, and the application CGIs answer 404.
    application_api: bool = True
    # param.cgi (appparams.py): the charset of its text both ways (cameras: ISO-8859-1, no charset in the
    # Content-Type), and the HTTP status of its "# Error" answers (200 as documented; 400 as some firmware).
    param_charset: str = "iso-8859-1"
    param_error_status: int = 200

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)

    def with_overrides(self, overrides: Dict[str, Any]) -> "Profile":
        """A copy with ``overrides`` applied; ValueError names the first bad key or value."""
        known = {item.name for item in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError("unknown profile keys {0}; known: {1}".format(unknown, sorted(known)))
        values = dict(overrides)
        for key in ("firmware", "embedded_development"):
            if key in values and not is_version(str(values[key])):
                raise ValueError("{0} must be a version such as 12.6.1, got {1!r}".format(key, values[key]))
            if key in values:
                values[key] = str(values[key])
        if "sdks" in values:
            sdks = values["sdks"]
            values["sdks"] = [s for s in (sdks.split(",") if isinstance(sdks, str) else sdks) if s]
        if "auth" in values and values["auth"] not in SCHEMES:
            raise ValueError("auth must be one of {0}".format(", ".join(SCHEMES)))
        if "auth_https" in values and values["auth_https"] not in SCHEMES + ("",):
            raise ValueError("auth_https must be one of {0} (or empty: the same as auth)".format(", ".join(SCHEMES)))
        if "non_admin_status" in values and values["non_admin_status"] not in NON_ADMIN_STATUSES:
            raise ValueError("non_admin_status must be 401 or 403")
        if "body_timeout" in values:
            timeout = values["body_timeout"]
            if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 3600:
                raise ValueError("body_timeout must be a number of seconds (0 < s <= 3600)")
            values["body_timeout"] = float(timeout)
        for key in ("max_running", "max_upload_size"):
            if key in values and (not isinstance(values[key], int) or isinstance(values[key], bool) or values[key] < 0):
                raise ValueError("{0} must be a non-negative integer".format(key))
        for key in ("restart_after_upgrade", "application_api"):
            if key in values and not isinstance(values[key], bool):
                raise ValueError("{0} must be true or false".format(key))
        if "param_charset" in values and values["param_charset"] not in PARAM_CHARSETS:
            raise ValueError("param_charset must be one of {0}".format(", ".join(PARAM_CHARSETS)))
        if "param_error_status" in values and values["param_error_status"] not in (200, 400):
            raise ValueError("param_error_status must be 200 or 400")
        for key in ("architecture", "product"):
            if key in values and (not isinstance(values[key], str) or not values[key]):
                raise ValueError("{0} must be a non-empty string".format(key))
        return replace(self, **values)

    def auth_for(self, scheme: str) -> str:
        """The authentication schemes offered on ``scheme`` ("http" or "https")."""
        return self.auth_https if scheme == "https" and self.auth_https else self.auth

    # -- firmware rules (API page) ------------------------------------------------------------------
    def has_config_cgi(self) -> bool:
        return at_least(self.firmware, (11, 2))

    def has_list_cgi(self) -> bool:
        return at_least(self.embedded_development, (1, 20))

    def has_allow_root(self) -> bool:
        """config.cgi knows AllowRoot on AXIS OS 11.5 - 11.11 only."""
        return at_least(self.firmware, (11, 5)) and not at_least(self.firmware, (12, 0))

    def has_param_definitions(self) -> bool:
        """param.cgi action=listdefinitions (listformat=xmlschema): from 6.50 on (an emulator choice)."""
        return at_least(self.firmware, PARAM_DEFINITIONS_MIN_FIRMWARE)

    def bad_value_is_http_400(self) -> bool:
        return at_least(self.firmware, (12, 2))

    def limits_running_apps(self) -> bool:
        return not at_least(self.firmware, (12, 6))

    def default_config(self, name: str) -> bool:
        if name == "AllowUnsigned":
            return not at_least(self.firmware, (12, 0))
        return not at_least(self.firmware, (11, 8))  # AllowRoot


@dataclass
class Application:
    """An installed application as the device keeps it."""

    name: str
    version: str
    package_format: str = "manifest.json"
    nice_name: str = ""
    vendor: str = ""
    application_id: str = ""
    architecture: str = "all"
    embedded_sdk_version: str = ""
    run_as_root: bool = False
    signed: bool = False
    copy_protection: str = "none"
    license_name: str = ""
    configuration_page: str = ""
    vendor_home_page: str = ""
    vendor_id: str = ""  # manifest schema 2 vendorId; an upgrade may not change it
    validation_result: str = ""
    size: int = 0
    status: str = "Stopped"
    # Set through PATCH /emulator/state only: how control.cgi's start behaves for this application.
    start_error: int = 0  # answer start with "Error: N" and leave the status (an app that fails to start)
    start_status: str = "Running"  # the status a successful start leaves ("Idle": it stays idle)
    license_key: Optional[Dict[str, Any]] = None
    license_override: str = ""  # set through PATCH /emulator/state only
    installed_at: float = 0.0
    upgraded_at: float = 0.0
    # Application parameters (appparams.py): [{"name", "type", "value"}] in declaration order.
    parameters: List[Dict[str, str]] = field(default_factory=list)

    def key(self) -> Optional[LicenseKey]:
        return LicenseKey.from_dict(self.license_key) if self.license_key else None

    def license_status(self) -> str:
        if self.license_override:
            return self.license_override
        if self.copy_protection == "custom":
            return "Custom"
        if self.copy_protection != "axis":
            return "None"
        key = self.key()
        if key is None:
            return "Missing"
        return "Invalid" if key.is_expired() else "Valid"

    def license_expiration_date(self) -> str:
        key = self.key()
        return key.expiration_date() if key else ""

    def to_state(self) -> Dict[str, Any]:
        return asdict(self)

    def describe(self) -> Dict[str, Any]:
        """The shape GET /emulator/state shows: stored fields plus the computed license status."""
        data = asdict(self)
        data["license"] = self.license_status()
        data["license_expiration_date"] = self.license_expiration_date()
        return data

    @classmethod
    def from_state(cls, data: Dict[str, Any]) -> "Application":
        known = {item.name for item in fields(cls)}
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class Fault:
    kind: str
    count: int
    path: str = ""
    action: str = ""
    delay: float = 1.0
    status: int = 500
    skip: int = 0  # matching requests to let through first (hit the Nth one)
    always: bool = False  # never used up
    user: str = ""  # change_password: whose password ("" = the user of the request)
    password: str = ""  # change_password: the new password
    interval: float = 1.0  # trickle: seconds between bytes
    duration: float = 30.0  # trickle: the connection is closed after this many seconds

    def matches(self, path: str, action: str) -> bool:
        if self.path and path != self.path and not path.endswith("/" + self.path.lstrip("/")):
            return False
        return not self.action or self.action == action


class Device:
    """State of one virtual device, plus the bookkeeping the HTTP handlers need."""

    def __init__(self, index: int, host: str, port: int, https_port: Optional[int], serial_number: str,
                 profile: Profile, users: List[User], nonce_lifetime: float,
                 state_dir: Optional[str] = None, ca_file: Optional[str] = None, log_limit: int = LOG_LIMIT) -> None:
        self.index = index
        self.host = host
        self.port = port
        self.https_port = https_port
        self.serial_number = serial_number
        self.ca_file = ca_file
        self.base_profile = profile
        self.profile = profile
        self.users = users
        self.nonce_lifetime = nonce_lifetime
        self.authenticator = Authenticator("AXIS_" + serial_number, users, nonce_lifetime)
        self.applications: Dict[str, Application] = {}
        self.config: Dict[str, bool] = {}  # only values set explicitly; the rest are firmware defaults
        self.log: Deque[Dict[str, Any]] = collections.deque(maxlen=log_limit)
        self.faults: List[Fault] = []
        self.upload_in_progress = False
        self.state_path = os.path.join(state_dir, serial_number + ".json") if state_dir else None
        self.load()

    # -- description --------------------------------------------------------------------------------
    def describe(self) -> Dict[str, Any]:
        """The JSON line printed at start (and returned by /emulator/reset), plus the profile."""
        description: Dict[str, Any] = {
            "host": self.host,
            "port": self.port,
            "https_port": self.https_port,
            "serial_number": self.serial_number,
            "firmware": self.profile.firmware,
            "architecture": self.profile.architecture,
            "embedded_development": self.profile.embedded_development,
            "ca_file": self.ca_file,
        }
        description.update({key: value for key, value in self.profile.to_dict().items() if key not in description})
        return description

    # -- config ------------------------------------------------------------------------------------
    def config_value(self, name: str) -> bool:
        return self.config.get(name, self.profile.default_config(name))

    def allow_root(self) -> bool:
        """Whether a root-user package may be installed: never from 12.0; AllowRoot decides before."""
        if at_least(self.profile.firmware, (12, 0)):
            return False
        if self.profile.has_allow_root():
            return self.config_value("AllowRoot")
        return self.profile.default_config("AllowRoot")

    def allow_unsigned(self) -> bool:
        if at_least(self.profile.firmware, (13, 0)):
            return False  # AXIS OS 13 enforces signing (acap-formats.md), whatever config.cgi says
        if self.profile.has_config_cgi():
            return self.config_value("AllowUnsigned")
        return True  # before config.cgi existed, devices installed unsigned packages

    # -- applications ------------------------------------------------------------------------------
    def find_case_insensitive(self, name: str) -> Optional[Application]:
        lowered = name.lower()
        for app in self.applications.values():
            if app.name.lower() == lowered:
                return app
        return None

    def running_count(self) -> int:
        return sum(1 for app in self.applications.values() if app.status == "Running")

    # -- reset / persistence -----------------------------------------------------------------------
    def reset(self, overrides: Optional[Dict[str, Any]] = None) -> None:
        profile = self.base_profile.with_overrides(overrides or {})
        self.profile = profile
        self.authenticator = Authenticator("AXIS_" + self.serial_number, self.users, self.nonce_lifetime)
        self.applications = {}
        self.config = {}
        self.log.clear()
        self.faults = []
        self.upload_in_progress = False
        self.save()

    def state_document(self) -> Dict[str, Any]:
        return {
            "serial_number": self.serial_number,
            "config": dict(self.config),
            "applications": [app.to_state() for app in self.applications.values()],
        }

    def save(self) -> None:
        """Atomic write: a crash leaves either the old or the new file, never half of one."""
        if not self.state_path:
            return
        directory = os.path.dirname(self.state_path)
        handle, temp_path = tempfile.mkstemp(prefix=".tmp-", dir=directory)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(self.state_document(), stream, indent=1, sort_keys=True)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_path, self.state_path)
        except BaseException:
            try:
                os.unlink(temp_path)
            except OSError:
                pass
            raise

    def load(self) -> None:
        if not self.state_path or not os.path.exists(self.state_path):
            return
        try:
            with open(self.state_path, encoding="utf-8") as stream:
                document = json.load(stream)
            if not isinstance(document, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as exc:
            raise ValueError("state file {0} is unreadable ({1}); move it away or fix it".format(self.state_path, exc)) from None
        self.config = {key: bool(value) for key, value in document.get("config", {}).items() if key in CONFIG_NAMES}
        self.applications = {}
        for data in document.get("applications", []):
            app = Application.from_state(data)
            self.applications[app.name] = app

    # -- request log and faults --------------------------------------------------------------------
    def record(self, entry: Dict[str, Any]) -> None:
        self.log.append(entry)

    def take_fault(self, path: str, action: str) -> Optional[Fault]:
        for fault in self.faults:
            if fault.matches(path, action):
                if fault.skip > 0:
                    fault.skip -= 1
                    return None
                if fault.always:
                    return fault
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def set_password(self, name: str, password: str) -> None:
        """Change a user's password on this device (as an administrator would, mid-run)."""
        user = self.authenticator.users.get(name)
        if user is None:
            raise ValueError("no user {0!r}; users: {1}".format(name, ", ".join(sorted(self.authenticator.users))))
        self.authenticator.users[name] = replace(user, password=password)
