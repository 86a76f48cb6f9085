# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one VAPIX client every module uses.

One ``requests`` session per module run (connections and the Digest nonce are
reused), authentication negotiated from the device's 401 challenge, TLS
verification with an optional CA file, timeouts, bounded retries of requests
that change nothing, and a check of every answer: HTTP status, HTML pages,
``OK`` / ``Error: N`` bodies and XML replies. Every failure leaves this module
as one of the typed errors of ``_errors.py``, never as a ``requests``
exception. See docs/client.md.
"""

from __future__ import annotations

import os
import re
import time
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, TypeVar

from ansible_collections.vapix.acap.plugins.module_utils._device import (
    CONFIG_CGI_MIN_FIRMWARE,
    DEVICE_PARAMETERS,
    LIST_CGI_MIN_EMBEDDED_DEVELOPMENT,
    DeviceProperties,
    param_list_errors,
    parse_param_list,
)
from ansible_collections.vapix.acap.plugins.module_utils._error_codes import describe_error_code, lookup_error_code
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    AuthenticationError,
    ConnectionDroppedError,
    DeviceError,
    DeviceTimeoutError,
    DeviceUnreachableError,
    EndpointNotFoundError,
    PackageError,
    ParameterError,
    PermissionDeniedError,
    ServerError,
    TlsError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._xml import (
    Application,
    body_snippet,
    parse_config_reply,
    parse_info_reply,
    parse_list_reply,
)

try:
    import requests
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth
    from requests.utils import parse_dict_header

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR: Optional[str] = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:  # urllib3 comes with requests; without it nothing here runs anyway
    InsecureRequestWarning = Warning  # type: ignore[misc,assignment]


AUTH_METHODS = ("auto", "digest", "basic")

APPLICATIONS_PATH = "/axis-cgi/applications/"
PARAM_CGI_PATH = "/axis-cgi/param.cgi"
BASIC_DEVICE_INFO_PATH = "/axis-cgi/basicdeviceinfo.cgi"

CONTROL_ACTIONS = ("start", "stop", "restart", "remove")

# Why a CGI may be absent (HTTP 404), per the API's identification rules.
_MISSING_ENDPOINT_REASONS: Dict[str, str] = {
    "list.cgi": "list.cgi needs Properties.EmbeddedDevelopment.Version %s or later"
    % LIST_CGI_MIN_EMBEDDED_DEVELOPMENT,
    "config.cgi": "config.cgi needs AXIS OS %s or later" % CONFIG_CGI_MIN_FIRMWARE,
    "info.cgi": "info.cgi is not present on older firmware",
    "param.cgi": "param.cgi is not present on this device",
    "basicdeviceinfo.cgi": "basicdeviceinfo.cgi is not present on older firmware",
}
_DEFAULT_MISSING_REASON = (
    "the VAPIX Application API is not present; it needs a device with Properties.EmbeddedDevelopment.Version"
)

_ERROR_BODY = re.compile(r"^Error:\s*(-?\d+)")
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html)", re.IGNORECASE)
_AUTH_SCHEME = re.compile(
    r"(?:^|,)\s*(digest|basic|bearer|negotiate|ntlm)\b(?!\s*=)", re.IGNORECASE
)

T = TypeVar("T")


@dataclass
class ConnectionSettings:
    """How to reach and authenticate to one device."""

    hostname: str
    username: Optional[str] = None
    password: Optional[str] = None
    port: Optional[int] = None
    use_https: bool = True
    validate_certs: bool = True
    ca_path: Optional[str] = None
    auth_method: str = "auto"
    timeout: float = 30.0
    # Retries of requests that change nothing (list, info, config get, param.cgi).
    read_retries: int = 2
    retry_pause: float = 0.5
    # upload.cgi Error 12 (another upload in progress): the device did nothing, so wait and resend.
    upload_busy_retries: int = 3
    upload_busy_pause: float = 5.0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "ConnectionSettings":
        """From module parameters (the connection options of ``_module.axis_argument_spec``)."""
        if params.get("timeout") is not None and params["timeout"] <= 0:
            raise ParameterError("timeout must be a positive number of seconds, not %s" % params["timeout"])
        return cls(
            hostname=params["hostname"],
            username=params.get("username"),
            password=params.get("password"),
            port=params.get("port"),
            use_https=bool(params.get("use_https", True)),
            validate_certs=bool(params.get("validate_certs", True)),
            ca_path=params.get("ca_path"),
            auth_method=params.get("auth_method") or "auto",
            timeout=float(params.get("timeout") or 30),
        )

    @property
    def effective_port(self) -> int:
        if self.port:
            return int(self.port)
        return 443 if self.use_https else 80

    @property
    def _url_host(self) -> str:
        if ":" in self.hostname and not self.hostname.startswith("["):
            return "[%s]" % self.hostname  # IPv6 literal
        return self.hostname

    @property
    def address(self) -> str:
        """``host:port`` as used in messages."""
        return "%s:%d" % (self._url_host, self.effective_port)

    @property
    def base_url(self) -> str:
        return "%s://%s:%d" % ("https" if self.use_https else "http", self._url_host, self.effective_port)


if HAS_REQUESTS:

    class _PrimedDigestAuth(HTTPDigestAuth):
        """Digest auth that starts from a challenge already received.

        In ``auto`` mode the first request goes out without credentials to
        learn the schemes; priming with that 401's challenge means the resent
        request carries the Digest header at once, instead of requests'
        HTTPDigestAuth provoking a second 401. Stale nonces are still handled
        by HTTPDigestAuth's own 401 hook.
        """

        def prime(self, challenge: Dict[str, str]) -> None:
            self.init_per_thread_state()
            self._thread_local.chal = challenge
            # build_digest_header counts from here: nonce_count becomes 1 on first use.
            self._thread_local.last_nonce = challenge.get("nonce", "")


def parse_auth_challenges(header: str) -> Dict[str, str]:
    """``WWW-Authenticate`` (possibly several challenges joined by commas) ->
    {lower-case scheme: parameter text}."""
    challenges: Dict[str, str] = {}
    matches = list(_AUTH_SCHEME.finditer(header or ""))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(header)
        challenges.setdefault(match.group(1).lower(), header[match.end():end].strip().strip(","))
    return challenges


class VapixClient:
    """The VAPIX Application API of one device. Methods raise ``AcapError`` subclasses only."""

    def __init__(self, settings: ConnectionSettings) -> None:
        if not HAS_REQUESTS:
            raise AcapError("The requests Python library is required to talk to the device")
        if settings.auth_method not in AUTH_METHODS:
            raise AcapError(
                "auth_method must be one of %s, not %r" % (", ".join(AUTH_METHODS), settings.auth_method)
            )
        if not settings.hostname or "/" in settings.hostname or " " in settings.hostname:
            raise AcapError(
                "hostname must be a device name or IP address without scheme or path, not %r; use use_https "
                "and port for the rest" % settings.hostname
            )
        if not 0 < settings.effective_port < 65536:
            raise AcapError("port must be between 1 and 65535, not %s" % settings.port)
        if settings.ca_path and not os.path.exists(settings.ca_path):
            raise TlsError(
                "ca_path %s does not exist: give the path of the CA certificate file (PEM) that signed "
                "the device's certificate" % settings.ca_path
            )
        self.settings = settings
        # Requests this client started, the auto-mode challenge included; re-sends that requests'
        # HTTPDigestAuth makes by itself (forced digest, stale nonce) are not counted.
        self.requests_sent = 0
        self._session = requests.Session()
        self._session.headers["User-Agent"] = "vapix.acap"
        # Passed with every request, not as session.verify: requests lets REQUESTS_CA_BUNDLE /
        # CURL_CA_BUNDLE override a session's verify, which would silently ignore ca_path.
        self._verify: Any = (settings.ca_path or True) if settings.validate_certs else False
        self._auth_settled = False
        if settings.auth_method == "digest":
            self._session.auth = HTTPDigestAuth(settings.username or "", settings.password or "")
            self._auth_settled = True
        elif settings.auth_method == "basic":
            # The user asked for Basic: send it pre-emptively, even over plain HTTP.
            self._session.auth = HTTPBasicAuth(settings.username or "", settings.password or "")
            self._auth_settled = True

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "VapixClient":
        return cls(ConnectionSettings.from_params(params))

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> "VapixClient":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # ------------------------------------------------------------------ API

    def list_applications(self) -> List[Application]:
        """POST list.cgi -> the installed applications."""
        return self._read("list.cgi", lambda: self._post_xml("list.cgi", parse_list_reply))

    def get_supported_sdks(self) -> List[str]:
        """POST info.cgi -> SDK names (``acap3``, ``acap4-native`` ...)."""
        return self._read("info.cgi", lambda: self._post_xml("info.cgi", parse_info_reply))

    def get_config(self, name: str) -> bool:
        """config.cgi action=get for setting ``name`` (``AllowUnsigned``, ``AllowRoot``)."""
        def read() -> bool:
            settings = self._post_xml("config.cgi", parse_config_reply, params={"action": "get", "name": name})
            return self._config_value(name, settings)

        return self._read("config.cgi", read)

    def set_config(self, name: str, value: bool) -> bool:
        """config.cgi action=set; returns the value the device echoes."""
        settings = self._post_xml(
            "config.cgi",
            parse_config_reply,
            params={"action": "set", "name": name, "value": "true" if value else "false"},
        )
        return self._config_value(name, settings)

    def upload_package(self, filename: str, path: str) -> None:
        """POST upload.cgi (multipart part ``packfil``) with the package at ``path``; the device
        installs the package.

        Error 12 (another upload in progress) is resent after a pause: the
        device did nothing with this request. Nothing else is resent.
        """
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except OSError as exc:
            raise PackageError("Package %s cannot be read again: %s" % (path, exc)) from None
        attempt = 0
        while True:
            try:
                response = self._send(
                    "POST",
                    "upload.cgi",
                    files={"packfil": (filename, data, "application/octet-stream")},
                )
                self._check_text_result(response, "upload.cgi")
                return
            except DeviceError as exc:
                if exc.error_code != 12 or attempt >= self.settings.upload_busy_retries:
                    raise
            attempt += 1
            time.sleep(self.settings.upload_busy_pause)

    def control(self, action: str, package: str) -> None:
        """POST control.cgi ``action`` (start, stop, restart, remove) on ``package``.

        Errors 6 (already running) and 7 (not running) are raised like any
        other ``DeviceError``: whether they mean "nothing to do" is the
        caller's decision.
        """
        if action not in CONTROL_ACTIONS:
            raise AcapError("control.cgi action must be one of %s, not %r" % (", ".join(CONTROL_ACTIONS), action))
        response = self._send("POST", "control.cgi", params={"action": action, "package": package})
        self._check_text_result(response, "control.cgi")

    def upload_license(self, package: str, filename: str, data: bytes) -> None:
        """POST license.cgi action=uploadlicensekey (multipart part ``licenseKey``)."""
        response = self._send(
            "POST",
            "license.cgi",
            params={"action": "uploadlicensekey", "package": package},
            files={"licenseKey": (filename, data, "application/octet-stream")},
        )
        self._check_text_result(response, "license.cgi")

    def remove_license(self, package: str) -> None:
        """POST license.cgi action=removelicensekey."""
        response = self._send("POST", "license.cgi", params={"action": "removelicensekey", "package": package})
        self._check_text_result(response, "license.cgi")

    def get_device_properties(self) -> DeviceProperties:
        """param.cgi list of the properties; basicdeviceinfo.cgi when param.cgi fails or lacks the firmware."""
        param_error: Optional[AcapError] = None
        properties = DeviceProperties()
        try:
            properties = self._read("param.cgi", self._read_param_cgi)
        except (AuthenticationError, TlsError, DeviceUnreachableError):
            raise  # the device or the credentials are the problem; another CGI will not help
        except AcapError as exc:
            param_error = exc
        if properties.firmware_version:
            return properties
        try:
            fallback = self._read("basicdeviceinfo.cgi", self._read_basic_device_info)
        except (AuthenticationError, TlsError, DeviceUnreachableError):
            raise
        except AcapError as exc:
            if param_error is None:
                return properties  # param.cgi answered, only without a firmware version: keep what it gave
            raise type(param_error)(
                "Could not read the device properties of %s: %s; the fallback basicdeviceinfo.cgi "
                "failed too: %s" % (self.settings.address, param_error, exc),
                error_code=param_error.error_code,
                http_status=param_error.http_status,
                endpoint="param.cgi",
            ) from None
        for name, value in properties.to_dict().items():
            if value and not getattr(fallback, name):
                setattr(fallback, name, value)
        return fallback

    # ------------------------------------------------------------ internals

    def _read_param_cgi(self) -> DeviceProperties:
        response = self._send(
            "GET",
            "param.cgi",
            params={"action": "list", "group": ",".join(DEVICE_PARAMETERS)},
        )
        self._reject_html(response, "param.cgi")
        text = response.content.decode("utf-8", "replace")
        parameters = parse_param_list(text)
        if not parameters:
            errors = param_list_errors(text)
            raise UnexpectedResponseError(
                "param.cgi answered no parameters (%s)" % ("; ".join(errors) if errors else body_snippet(response.content)),
                http_status=response.status_code,
                endpoint="param.cgi",
            )
        return DeviceProperties.from_parameters(parameters)

    def _read_basic_device_info(self) -> DeviceProperties:
        response = self._send(
            "POST",
            "basicdeviceinfo.cgi",
            json={"apiVersion": "1.0", "method": "getAllProperties"},
        )
        self._reject_html(response, "basicdeviceinfo.cgi")
        try:
            document = response.json()
        except ValueError:
            raise UnexpectedResponseError(
                "basicdeviceinfo.cgi answered something that is not JSON (body starts with: %s)"
                % body_snippet(response.content),
                http_status=response.status_code,
                endpoint="basicdeviceinfo.cgi",
            ) from None
        if isinstance(document, dict) and isinstance(document.get("error"), dict):
            error = document["error"]
            raise DeviceError(
                "basicdeviceinfo.cgi answered error %s: %s" % (error.get("code"), error.get("message")),
                error_code=error.get("code") if isinstance(error.get("code"), int) else None,
                http_status=response.status_code,
                endpoint="basicdeviceinfo.cgi",
            )
        try:
            property_list = document["data"]["propertyList"]
            if not isinstance(property_list, dict):
                raise TypeError
        except (KeyError, TypeError):
            raise UnexpectedResponseError(
                "basicdeviceinfo.cgi answered JSON without data.propertyList (%s)" % body_snippet(response.content),
                http_status=response.status_code,
                endpoint="basicdeviceinfo.cgi",
            ) from None
        return DeviceProperties.from_basic_device_info(property_list)

    def _config_value(self, name: str, settings: Dict[str, bool]) -> bool:
        if name not in settings:
            raise UnexpectedResponseError(
                "config.cgi answered without a value for %s (it answered %s)"
                % (name, ", ".join(sorted(settings)) or "no settings"),
                endpoint="config.cgi",
            )
        return settings[name]

    def _post_xml(
        self,
        endpoint: str,
        parse: Callable[[bytes], T],
        params: Optional[Dict[str, str]] = None,
    ) -> T:
        response = self._send("POST", endpoint, params=params)
        self._reject_html(response, endpoint)
        try:
            return parse(response.content)
        except AcapError as exc:
            if exc.http_status is None:
                exc.http_status = response.status_code
            raise

    def _read(self, endpoint: str, operation: Callable[[], T]) -> T:
        """Run a request that changes nothing, retrying a bounded number of times
        on a dropped connection, a timeout or HTTP 5xx."""
        attempt = 0
        while True:
            try:
                return operation()
            except (ConnectionDroppedError, DeviceTimeoutError, ServerError):
                if attempt >= self.settings.read_retries:
                    raise
            attempt += 1
            time.sleep(self.settings.retry_pause * attempt)

    def _url(self, endpoint: str) -> str:
        if endpoint == "param.cgi":
            path = PARAM_CGI_PATH
        elif endpoint == "basicdeviceinfo.cgi":
            path = BASIC_DEVICE_INFO_PATH
        else:
            path = APPLICATIONS_PATH + endpoint
        return self.settings.base_url + path

    def _send(self, method: str, endpoint: str, **kwargs: Any) -> "requests.Response":
        """One request (plus the auth challenge in auto mode), status checked. Never retried
        here: ``_read`` retries whole operations that change nothing."""
        url = self._url(endpoint)
        response = self._transport(method, url, endpoint, **kwargs)
        if response.status_code == 401 and not self._auth_settled:
            self._negotiate_auth(response)
            response = self._transport(method, url, endpoint, **kwargs)
        self._check_status(response, endpoint)
        return response

    def _transport(self, method: str, url: str, endpoint: str, **kwargs: Any) -> "requests.Response":
        address = self.settings.address
        timeout = self.settings.timeout
        self.requests_sent += 1
        try:
            with warnings.catch_warnings():
                if not self.settings.validate_certs:
                    # The user chose not to verify; do not repeat that on every request.
                    warnings.simplefilter("ignore", InsecureRequestWarning)
                return self._session.request(
                    method, url, timeout=timeout, verify=self._verify, allow_redirects=False, **kwargs
                )
        except requests.exceptions.SSLError as exc:
            raise TlsError(
                "TLS connection to %s failed: %s. If the device uses a self-signed certificate, set ca_path "
                "to the CA certificate that signed it (validate_certs: false only on a network you trust); "
                "also check that hostname matches a name in the certificate, or set use_https: false"
                % (address, _reason(exc)),
                endpoint=endpoint,
            ) from None
        except requests.exceptions.ConnectTimeout:
            raise DeviceTimeoutError(
                "Timed out after %s s connecting to %s (%s): check hostname, port and that the device is on "
                "and reachable from this host (a firewall may drop the packets)" % (_seconds(timeout), address, endpoint),
                endpoint=endpoint,
            ) from None
        except requests.exceptions.ReadTimeout:
            raise DeviceTimeoutError(
                "%s on %s did not answer within %s s. The device may be busy; raise timeout if this happens "
                "with large packages" % (endpoint, address, _seconds(timeout)),
                endpoint=endpoint,
            ) from None
        except (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            reason = _reason(exc)
            lowered = reason.lower()
            if "refused" in lowered:
                raise DeviceUnreachableError(
                    "Connection to %s refused: nothing listens there. Check hostname and port, and use_https "
                    "(HTTPS uses port 443, HTTP port 80 unless port is set)" % address,
                    endpoint=endpoint,
                ) from None
            if "name or service not known" in lowered or "nodename nor servname" in lowered or (
                "resolution" in lowered
            ) or "getaddrinfo" in lowered:
                raise DeviceUnreachableError(
                    "Cannot resolve hostname %s: check the name or use the device's IP address"
                    % self.settings.hostname,
                    endpoint=endpoint,
                ) from None
            if "unreachable" in lowered or "no route" in lowered:
                raise DeviceUnreachableError(
                    "No route to %s (%s): check the address and the network path; run the task from a "
                    "host inside the camera network (delegate_to)" % (address, reason),
                    endpoint=endpoint,
                ) from None
            raise ConnectionDroppedError(
                "%s closed the connection during %s before a complete answer (%s). The device may have "
                "restarted or a proxy cut the connection; if it persists, check use_https against the "
                "port" % (address, endpoint, reason),
                endpoint=endpoint,
            ) from None
        except requests.exceptions.RequestException as exc:
            raise DeviceUnreachableError(
                "Request %s to %s failed: %s" % (endpoint, address, _reason(exc)), endpoint=endpoint
            ) from None
        except ValueError as exc:  # urllib3 LocationParseError and IDNA errors for unusable host names
            raise AcapError(
                "Cannot build a URL for hostname %r: %s. Give a valid name or IP address"
                % (self.settings.hostname, exc),
                endpoint=endpoint,
            ) from None

    def _negotiate_auth(self, challenge_response: "requests.Response") -> None:
        """auto: choose the scheme from the 401 challenge. Digest first; Basic only over HTTPS."""
        header = challenge_response.headers.get("WWW-Authenticate", "")
        challenges = parse_auth_challenges(header)
        username = self.settings.username or ""
        password = self.settings.password or ""
        if "digest" in challenges:
            auth = _PrimedDigestAuth(username, password)
            auth.prime(parse_dict_header(challenges["digest"]))
            self._session.auth = auth
        elif "basic" in challenges:
            if not self.settings.use_https:
                raise AuthenticationError(
                    "%s offers only Basic authentication over plain HTTP, which would send the password in "
                    "clear text; the collection does not do that unless asked. Set use_https: true "
                    "(recommended) or, on a network you trust, auth_method: basic" % self.settings.address,
                    http_status=401,
                )
            self._session.auth = HTTPBasicAuth(username, password)
        else:
            raise AuthenticationError(
                "%s asks for authentication but offers no scheme the collection supports "
                "(WWW-Authenticate: %r); Digest and Basic are supported" % (self.settings.address, header),
                http_status=401,
            )
        self._auth_settled = True

    def _check_status(self, response: "requests.Response", endpoint: str) -> None:
        status = response.status_code
        address = self.settings.address
        user = self.settings.username
        if 200 <= status < 300:
            return
        if status == 401:
            raise AuthenticationError(
                "%s refused the credentials of user %r for %s (HTTP 401). Either the username or the password "
                "is wrong, or the user exists but lacks the administrator role the Application API needs; the "
                "device does not say which. Check username/password and that the user is an administrator"
                % (address, user, endpoint),
                http_status=status,
                endpoint=endpoint,
            )
        if status == 403:
            raise PermissionDeniedError(
                "%s denied user %r access to %s (HTTP 403): the Application API needs an administrator "
                "account. Use an administrator's credentials" % (address, user, endpoint),
                http_status=status,
                endpoint=endpoint,
            )
        if status == 404:
            reason = _MISSING_ENDPOINT_REASONS.get(endpoint, _DEFAULT_MISSING_REASON)
            raise EndpointNotFoundError(
                "%s has no %s (HTTP 404): %s; this device's firmware is older or the address is not an Axis "
                "device" % (address, endpoint, reason),
                http_status=status,
                endpoint=endpoint,
            )
        if status == 400 and endpoint == "config.cgi":
            # AXIS OS 12.2 and later answer HTTP 400 where older firmware answered Error 1.
            info = lookup_error_code("config.cgi", 1)
            raise DeviceError(
                "config.cgi answered HTTP 400 Bad Request (AXIS OS 12.2 and later answer this instead of "
                "Error: 1): %s. %s." % (info.cause if info else "malformed request", info.remedy if info else ""),
                http_status=status,
                endpoint=endpoint,
            )
        if status >= 500:
            raise ServerError(
                "%s answered HTTP %d (%s) to %s: the device failed internally, it may be busy or restarting. "
                "Run the task again; if it persists, read the device's system log"
                % (address, status, response.reason, endpoint),
                http_status=status,
                endpoint=endpoint,
            )
        if 300 <= status < 400:
            raise UnexpectedResponseError(
                "%s answered %s with a redirect (HTTP %d) to %s; check use_https and port, the device may "
                "only accept HTTPS" % (address, endpoint, status, response.headers.get("Location", "?")),
                http_status=status,
                endpoint=endpoint,
            )
        raise UnexpectedResponseError(
            "%s answered HTTP %d (%s) to %s (body starts with: %s)"
            % (address, status, response.reason, endpoint, body_snippet(response.content)),
            http_status=status,
            endpoint=endpoint,
        )

    def _reject_html(self, response: "requests.Response", endpoint: str) -> None:
        content_type = response.headers.get("Content-Type", "").lower()
        if "text/html" in content_type or _HTML_START.match(response.content[:512]):
            raise UnexpectedResponseError(
                "%s answered %s with an HTML page instead of the API's reply (a login page, a proxy or a "
                "captive portal?). Check that hostname and port reach the camera itself, and the "
                "credentials (body starts with: %s)" % (self.settings.address, endpoint, body_snippet(response.content)),
                http_status=response.status_code,
                endpoint=endpoint,
            )

    def _check_text_result(self, response: "requests.Response", endpoint: str) -> str:
        """``OK`` (a body starting with OK is success) or ``Error: N`` -> DeviceError."""
        self._reject_html(response, endpoint)
        text = response.content.decode("utf-8", "replace").strip()
        if text.startswith("OK"):
            return text
        match = _ERROR_BODY.match(text)
        if match:
            code = int(match.group(1))
            raise DeviceError(
                describe_error_code(endpoint, code),
                error_code=code,
                http_status=response.status_code,
                endpoint=endpoint,
            )
        raise UnexpectedResponseError(
            "%s answered %s with neither OK nor Error: N (body starts with: %s); the address may not be an "
            "Axis device or the answer was cut off" % (self.settings.address, endpoint, body_snippet(response.content)),
            http_status=response.status_code,
            endpoint=endpoint,
        )


def _reason(exc: BaseException) -> str:
    """The innermost exception's text in a requests/urllib3 exception chain."""
    reason: BaseException = exc
    for _depth in range(6):
        # urllib3 keeps the cause in .reason (MaxRetryError) or args[0]; ssl errors keep a str in .reason.
        inner = getattr(reason, "reason", None)
        if not isinstance(inner, BaseException) and reason.args and isinstance(reason.args[0], BaseException):
            inner = reason.args[0]
        if not isinstance(inner, BaseException) or inner is reason:
            break
        reason = inner
    return str(reason) or reason.__class__.__name__


def _seconds(value: float) -> str:
    return ("%g" % value)
