# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one VAPIX client every module uses.

One ``requests`` session per module run (connections and the Digest nonce are
reused), authentication negotiated from the device's 401 challenge (credentials
that the device refused are never sent again), TLS verification with an
optional CA file, a connect timeout, a read timeout and an overall deadline per
request, a cap on the size of answers, bounded retries of requests that change
nothing, packages streamed from disk, and a check of every answer: HTTP status,
HTML pages, ``OK`` / ``Error: N`` bodies and XML replies. Hostname and port are
validated before anything is sent. Every failure leaves this module as one of
the typed errors of ``_errors.py``, never as a ``requests`` exception. See
docs/client.md.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import socket
import threading
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
    decode_param_text,
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
from ansible_collections.vapix.acap.plugins.module_utils._license_key import secret_parts
from ansible_collections.vapix.acap.plugins.module_utils._secrets import Secrets
from ansible_collections.vapix.acap.plugins.module_utils._parameter_types import (
    ParameterType,
    parse_parameter_definitions,
)
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import DocumentTypeRefused, MalformedXml
from ansible_collections.vapix.acap.plugins.module_utils._xml import (
    Application,
    body_snippet,
    parse_config_reply,
    parse_info_reply,
    parse_list_reply,
)

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth
    from requests.utils import default_headers, parse_dict_header
    from urllib3 import poolmanager as _urllib3_poolmanager
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.fields import RequestField
    from urllib3.filepost import choose_boundary, encode_multipart_formdata

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

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0
# Every answer of the Application API is small (a list of applications is a few kB); anything
# larger is not the API's answer, and is not kept in memory.
MAX_REPLY_BYTES = 4 * 1024 * 1024
# An upload may take as long as sending the package at this rate (bytes per second), on top of the
# deadline of any request: slow links still work, a device that stops reading cannot hold a task forever.
MIN_UPLOAD_RATE = 64 * 1024
# Bytes read from disk (and sent) at a time when streaming a package.
UPLOAD_CHUNK_SIZE = 64 * 1024

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
# The text answers in which a device says it refused something (``Error: N`` of the application CGIs,
# ``# Error:`` of param.cgi): the device's answer whatever the HTTP status it comes with.
_DEVICE_ERROR_BODY = re.compile(rb"^\s*(# ?Error|Error:\s*-?\d+)")
# param.cgi's charset when the device has not shown another one: that of real devices.
DEFAULT_PARAM_CHARSET = "iso-8859-1"
_HTML_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!doctype\s+html|<html)", re.IGNORECASE)
_AUTH_SCHEME = re.compile(
    r"(?:^|,)\s*(digest|basic|bearer|negotiate|ntlm)\b(?!\s*=)", re.IGNORECASE
)
# One DNS label: letters, digits, hyphens (not first or last); underscores occur in internal names.
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_IPV6_ZONE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
# OpenSSL's words for a peer that answered the handshake with something that is not TLS.
_NOT_TLS_REASONS = ("wrong version number", "record layer failure", "packet length too long", "unknown protocol",
                    "http request")

T = TypeVar("T")


def url_host(hostname: Any) -> str:
    """``hostname`` as the host part of a URL: an IP address (IPv6 bracketed) or a DNS name.

    Raises ``ParameterError`` for anything else, so that no character of the
    hostname can change the authority of a URL (``/``, ``?``, ``#``, ``@``,
    ``:``, white space...). Numeric forms that are not dotted quads but that
    resolvers may read as IPv4 (``0x7f.1``, ``2130706433``, ``256.1.1.1``) are
    refused too."""
    if not isinstance(hostname, str) or not hostname:
        raise ParameterError("hostname must be the device's name or IP address; it is empty")
    if "@" in hostname:
        # Not echoed: the text before @ may be a password.
        raise ParameterError(
            "hostname contains '@': give only the device's name or IP address in hostname; the user name and "
            "password go in username and password"
        )
    if "://" in hostname or "/" in hostname or "?" in hostname or "#" in hostname:
        raise ParameterError(
            "hostname must be a device name or IP address without scheme or path, not %r; use use_https and port "
            "for the rest" % hostname
        )
    if hostname != hostname.strip() or any(character.isspace() for character in hostname):
        raise ParameterError("hostname %r contains white space; give the device's name or IP address only" % hostname)
    literal = hostname[1:-1] if hostname.startswith("[") and hostname.endswith("]") else hostname
    if ":" in literal:
        address, _percent, zone = literal.partition("%")
        try:
            ipv6 = ipaddress.IPv6Address(address)
        except ValueError:
            raise ParameterError(
                "hostname %r is neither an IPv6 address nor a name; give the port in port, not in hostname"
                % hostname
            ) from None
        if _percent and not _IPV6_ZONE.match(zone):
            raise ParameterError("hostname %r has an invalid IPv6 zone after %%" % hostname)
        return "[%s%s]" % (ipv6.compressed, "%25" + zone if _percent else "")
    if literal != hostname:
        raise ParameterError("hostname %r: only IPv6 addresses are written in brackets" % hostname)
    try:
        return str(ipaddress.IPv4Address(hostname))
    except ValueError:
        pass
    name = hostname[:-1] if hostname.endswith(".") else hostname
    if len(name) > 253 or not all(_DNS_LABEL.match(label) for label in name.split(".")):
        raise ParameterError(
            "hostname %r is not an IP address or a DNS name (labels of letters, digits and hyphens, separated by "
            "dots); give an international name in its ASCII form (xn--...)" % hostname
        )
    numeric = name.rsplit(".", 1)[-1].isdigit()  # no top-level domain is all digits
    if not numeric:
        try:
            socket.inet_aton(name)
            numeric = True
        except OSError:
            pass
    if numeric:
        raise ParameterError(
            "hostname %r is neither a valid IPv4 address nor a DNS name (resolvers may read it as an address); write "
            "an IPv4 address as four decimal numbers 0-255, e.g. 192.0.2.10" % hostname
        )
    return hostname


def validate_port(port: Any) -> Optional[int]:
    """``None`` (the scheme's port) or a port number 1-65535; raises ``ParameterError``."""
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ParameterError("port must be between 1 and 65535, not %r" % (port,))
    return port


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
    # Seconds to wait for each answer once connected; with connect_timeout, the deadline of a request.
    timeout: float = DEFAULT_TIMEOUT
    # Seconds to wait for the TCP connection and the TLS handshake.
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    max_reply_bytes: int = MAX_REPLY_BYTES
    # Retries of requests that change nothing (list, info, config get, param.cgi) after a dropped
    # connection or HTTP 5xx; after a timeout waiting for the answer, at most read_timeout_retries.
    read_retries: int = 2
    read_timeout_retries: int = 1
    retry_pause: float = 0.5
    # upload.cgi Error 12 (another upload in progress): the device did nothing, so wait and resend.
    upload_busy_retries: int = 3
    upload_busy_pause: float = 5.0

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> "ConnectionSettings":
        """From module parameters (the connection options of ``_module.axis_argument_spec``)."""
        for option in ("timeout", "connect_timeout"):
            if params.get(option) is not None and params[option] <= 0:
                raise ParameterError("%s must be a positive number of seconds, not %s" % (option, params[option]))
        return cls(
            hostname=params["hostname"],
            username=params.get("username"),
            password=params.get("password"),
            port=params.get("port"),
            use_https=bool(params.get("use_https", True)),
            validate_certs=bool(params.get("validate_certs", True)),
            ca_path=params.get("ca_path"),
            auth_method=params.get("auth_method") or "auto",
            timeout=float(params.get("timeout") or DEFAULT_TIMEOUT),
            connect_timeout=float(params.get("connect_timeout") or DEFAULT_CONNECT_TIMEOUT),
        )

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return int(self.port)
        return 443 if self.use_https else 80

    @property
    def address(self) -> str:
        """``host:port`` as used in messages."""
        return "%s:%d" % (url_host(self.hostname), self.effective_port)

    @property
    def base_url(self) -> str:
        return "%s://%s:%d" % ("https" if self.use_https else "http", url_host(self.hostname), self.effective_port)


def parse_auth_challenges(header: str) -> Dict[str, str]:
    """``WWW-Authenticate`` (possibly several challenges joined by commas) ->
    {lower-case scheme: parameter text}."""
    challenges: Dict[str, str] = {}
    matches = list(_AUTH_SCHEME.finditer(header or ""))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(header)
        challenges.setdefault(match.group(1).lower(), header[match.end():end].strip().strip(","))
    return challenges


@dataclass
class _Reply:
    """A complete answer: status, headers and the body (at most ``max_reply_bytes``)."""

    status_code: int
    reason: str
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


@dataclass
class _FileUpload:
    """A multipart form with one file part whose content is read from ``path`` while it is sent."""

    field_name: str
    filename: str
    path: str


class _AnswerTimeout(DeviceTimeoutError):
    """Connected and sent, but no answer within ``timeout``: the one timeout a read is retried after."""


# Where a request was when it failed: what the message says depends on it.
_CONNECTING = "connecting"
_HANDSHAKE = "TLS handshake"
_SENDING = "sending"
_WAITING = "waiting"
_READING = "reading"


class _Exchange:
    """One request on the wire: its phase, and a deadline that cuts its connection.

    ``timeout`` bounds each socket operation; a device that trickles its answer
    (a byte every few seconds) never trips it. The deadline does: when it
    passes, the watchdog shuts down the sockets this request uses, which ends
    any blocked read or write at once."""

    _current = threading.local()

    def __init__(self, deadline: float, read_timeout: float) -> None:
        self.deadline = deadline
        self.read_timeout = read_timeout
        self.phase = _CONNECTING
        self.expired = False
        self.body_bytes_sent = 0
        self._handles: List[socket.socket] = []
        self._lock = threading.Lock()

    @classmethod
    def current(cls) -> Optional["_Exchange"]:
        return getattr(cls._current, "exchange", None)

    def __enter__(self) -> "_Exchange":
        _Exchange._current.exchange = self
        _WATCHDOG.add(self, time.monotonic() + self.deadline)
        return self

    def __exit__(self, *exc_info: Any) -> None:
        _WATCHDOG.remove(self)
        _Exchange._current.exchange = None

    def watch(self, handle: socket.socket) -> None:
        with self._lock:
            if self.expired:
                _cut(handle)
            else:
                self._handles.append(handle)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for handle in self._handles:
                _cut(handle)


class _Watchdog:
    """One daemon thread per process that expires the exchanges whose deadline passed (a thread per
    request would cost a thread start each, which a fleet of clients pays thousands of times)."""

    def __init__(self) -> None:
        self._reset()
        if hasattr(os, "register_at_fork"):
            # A child process starts without the thread, and must not inherit a lock held by it.
            os.register_at_fork(after_in_child=self._reset)

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._deadlines: Dict[_Exchange, float] = {}
        self._thread: Optional[threading.Thread] = None
        self._wake_at = math.inf  # when the thread wakes next on its own

    def add(self, exchange: _Exchange, when: float) -> None:
        with self._condition:
            self._deadlines[exchange] = when
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="vapix-acap-deadlines", daemon=True)
                self._thread.start()
            elif when < self._wake_at:
                # Woken only when this deadline comes first: requests one after the other each add a
                # later one, and a thread switch per request is what a fleet would pay for.
                self._condition.notify()

    def remove(self, exchange: _Exchange) -> None:
        with self._condition:
            self._deadlines.pop(exchange, None)  # the thread may still wake for it, and find nothing due

    def _run(self) -> None:
        with self._condition:
            while True:
                now = time.monotonic()
                for exchange in [item for item, when in self._deadlines.items() if when <= now]:
                    del self._deadlines[exchange]
                    exchange.expire()
                self._wake_at = min(self._deadlines.values()) if self._deadlines else math.inf
                self._condition.wait(self._wake_at - now if self._deadlines else None)


_WATCHDOG = _Watchdog()


def _cut(handle: socket.socket) -> None:
    try:
        handle.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed


class _MultipartFile:
    """A ``multipart/form-data`` body with one file part, read from disk as it is sent.

    Its length is known in advance (so the request has a Content-Length), and
    only one chunk of the file is in memory at a time. Each send opens the file
    again, so a resend carries the whole package."""

    def __init__(self, upload: "_FileUpload") -> None:
        boundary = choose_boundary()
        part = RequestField(name=upload.field_name, data=b"", filename=upload.filename)
        part.make_multipart(content_type="application/octet-stream")
        # urllib3 frames an empty part; the file's bytes go between its head and its tail.
        framing, self.content_type = encode_multipart_formdata([part], boundary=boundary)
        tail = ("\r\n--%s--\r\n" % boundary).encode("latin-1")
        self._head = framing[: len(framing) - len(tail)]
        self._tail = tail
        self._path = upload.path
        try:
            self._file = open(upload.path, "rb")  # pylint: disable=consider-using-with
        except OSError as exc:
            raise PackageError("Package %s cannot be read: %s" % (upload.path, exc.strerror or exc)) from None
        self._file_size = os.fstat(self._file.fileno()).st_size
        self._file_left = self._file_size
        self.len = len(self._head) + self._file_size + len(tail)
        self._buffer = self._head

    def __len__(self) -> int:
        return self.len

    def __iter__(self) -> Any:
        while True:
            chunk = self.read(UPLOAD_CHUNK_SIZE)
            if not chunk:
                return
            yield chunk

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = UPLOAD_CHUNK_SIZE
        if not self._buffer and self._file_left:
            chunk = self._file.read(min(size, self._file_left, UPLOAD_CHUNK_SIZE))
            if not chunk:
                raise PackageError(
                    "Package %s became shorter while it was being sent (%d of %d bytes): do not change a package "
                    "while a task uploads it" % (self._path, self._file_size - self._file_left, self._file_size)
                )
            self._file_left -= len(chunk)
            self._buffer = chunk
            if not self._file_left:
                self._buffer += self._tail
                self._tail = b""
        elif not self._buffer:
            self._buffer, self._tail = self._tail, b""
        chunk, self._buffer = self._buffer[:size], self._buffer[size:]
        exchange = _Exchange.current()
        if exchange is not None:
            exchange.body_bytes_sent += len(chunk)
        return chunk

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> "_MultipartFile":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()


if HAS_REQUESTS:

    class _WatchedConnection(HTTPConnection):
        """Reports the request's phase and socket to its ``_Exchange``.

        The socket is registered as a duplicate descriptor: shutting that down
        ends the connection even during the TLS handshake, when the original
        socket object has already been handed to the SSL layer."""

        _tls = False
        _watch_handle: Optional[socket.socket] = None

        def _new_conn(self) -> socket.socket:
            exchange = _Exchange.current()
            if exchange is not None:
                exchange.phase = _CONNECTING
            sock = super()._new_conn()
            self._drop_watch_handle()
            self._watch_handle = sock.dup()
            if exchange is not None:
                exchange.watch(self._watch_handle)
                if self._tls:
                    exchange.phase = _HANDSHAKE
            return sock

        def request(self, *args: Any, **kwargs: Any) -> None:  # pylint: disable=arguments-differ
            exchange = _Exchange.current()
            if exchange is not None:
                if self.sock is None:
                    self.connect()  # here, not inside the send: it runs under the connect timeout
                if self._watch_handle is not None:
                    exchange.watch(self._watch_handle)
                exchange.phase = _SENDING
                # urllib3 sends the body under the connect timeout; a device may pause longer while reading.
                self.timeout = exchange.read_timeout
                if self.sock is not None:
                    self.sock.settimeout(exchange.read_timeout)
            super().request(*args, **kwargs)
            if exchange is not None:
                exchange.phase = _WAITING

        def close(self) -> None:
            super().close()
            self._drop_watch_handle()

        def _drop_watch_handle(self) -> None:
            handle, self._watch_handle = self._watch_handle, None
            if handle is not None:
                handle.close()

    class _WatchedHTTPSConnection(_WatchedConnection, HTTPSConnection):
        _tls = True

    class _WatchedHTTPPool(HTTPConnectionPool):
        ConnectionCls = _WatchedConnection

    class _WatchedHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = _WatchedHTTPSConnection

    _WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}

    class _WatchedAdapter(HTTPAdapter):
        """An adapter whose connections report to the request's ``_Exchange``."""

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            # An HTTP(S) proxy uses the standard pools; a SOCKS proxy has its own, left alone.
            if manager.pool_classes_by_scheme is _urllib3_poolmanager.pool_classes_by_scheme:
                manager.pool_classes_by_scheme = _WATCHED_POOLS
            return manager


class VapixClient:
    """The VAPIX Application API of one device. Methods raise ``AcapError`` subclasses only."""

    def __init__(self, settings: ConnectionSettings) -> None:
        if not HAS_REQUESTS:
            raise AcapError("The requests Python library is required to talk to the device")
        if settings.auth_method not in AUTH_METHODS:
            raise ParameterError(
                "auth_method must be one of %s, not %r" % (", ".join(AUTH_METHODS), settings.auth_method)
            )
        # What the run must never show: the password, and what the tasks add (_module.run_validated).
        self.secrets = Secrets([settings.password])
        self._base_url = settings.base_url  # checks the hostname now, before any request
        validate_port(settings.port)
        if settings.ca_path and not os.path.exists(settings.ca_path):
            raise TlsError(
                "ca_path %s does not exist: give the path of the CA certificate file (PEM) that signed "
                "the device's certificate" % settings.ca_path
            )
        self.settings = settings
        # Every request this client put on the wire (challenges and resends included).
        self._session = requests.Session()
        adapter = _WatchedAdapter()
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._headers = default_headers()
        self._headers["User-Agent"] = "vapix.acap"
        # Passed with every request, not as session.verify: requests lets REQUESTS_CA_BUNDLE /
        # CURL_CA_BUNDLE override a session's verify, which would silently ignore ca_path.
        self._verify: Any = (settings.ca_path or True) if settings.validate_certs else False
        # The scheme credentials are sent with: None until a challenge tells (auto, digest).
        self._scheme: Optional[str] = None
        self._digest: Optional[Any] = None
        # Credentials the device refused: never sent again by this client (account lockouts).
        self._refusal: Optional[AuthenticationError] = None
        # The charset param.cgi answers in, once an answer has shown it (docs/axis_acap_parameters.md).
        self.param_charset: Optional[str] = None
        if settings.auth_method == "basic":
            # The user asked for Basic: send it pre-emptively, even over plain HTTP.
            self._check_basic_encodable()
            self._scheme = "basic"

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
        """POST upload.cgi (multipart part ``packfil``) with the package at ``path``, streamed from
        disk; the device installs it.

        Error 12 (another upload in progress) is resent after a pause: the
        device did nothing with this request. Nothing else is resent, except
        after a Digest challenge whose nonce had gone stale. Every send reads
        the file again from its start."""
        upload = _FileUpload("packfil", filename, path)
        _MultipartFile(upload).close()  # an unreadable file fails before anything is sent
        attempt = 0
        while True:
            try:
                reply = self._send("POST", "upload.cgi", upload=upload)
                self._check_text_result(reply, "upload.cgi")
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
        reply = self._send("POST", "control.cgi", params={"action": action, "package": package})
        self._check_text_result(reply, "control.cgi")

    def upload_license(self, package: str, filename: str, data: bytes) -> None:
        """POST license.cgi action=uploadlicensekey (multipart part ``licenseKey``)."""
        self.secrets.add_all(secret_parts(data))  # a device may quote the key in its answer
        reply = self._send(
            "POST",
            "license.cgi",
            params={"action": "uploadlicensekey", "package": package},
            files={"licenseKey": (filename, data, "application/octet-stream")},
        )
        self._check_text_result(reply, "license.cgi")

    def remove_license(self, package: str) -> None:
        """POST license.cgi action=removelicensekey."""
        reply = self._send("POST", "license.cgi", params={"action": "removelicensekey", "package": package})
        self._check_text_result(reply, "license.cgi")

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

    def get_parameters(self, group: str) -> Dict[str, str]:
        """param.cgi action=list of ``group`` (``root.<App>``; several joined by commas) ->
        {path without ``root.``: value}, values exact, decoded in the device's charset. Groups the
        device does not have are left out; an answer with no parameter and only ``# Error`` lines (no
        such group, whatever the HTTP status) raises ``DeviceError``."""
        def read() -> Dict[str, str]:
            response = self._send("GET", "param.cgi", params={"action": "list", "group": group})
            self._reject_html(response, "param.cgi")
            text = self._param_text(response)
            parameters = parse_param_list(text)
            if parameters or not text.strip():
                return parameters
            errors = param_list_errors(text)
            if errors:
                raise DeviceError(
                    "param.cgi has no parameter group %s (it answered: %s)" % (group, "; ".join(errors)),
                    http_status=response.status_code,
                    endpoint="param.cgi",
                )
            raise UnexpectedResponseError(
                "param.cgi answered the list of %s with neither parameters nor # Error (body starts with: %s)"
                % (group, body_snippet(response.content)),
                http_status=response.status_code,
                endpoint="param.cgi",
            )

        return self._read("param.cgi", read)

    def get_parameter_definitions(self, group: str) -> Optional[Dict[str, ParameterType]]:
        """param.cgi action=listdefinitions (listformat=xmlschema) of ``group`` -> {path without
        ``root.``: type}; None when the firmware does not support it (it answers ``# Error``)."""
        def read() -> Optional[Dict[str, ParameterType]]:
            response = self._send("GET", "param.cgi", params={
                "action": "listdefinitions", "listformat": "xmlschema", "group": group})
            self._reject_html(response, "param.cgi")
            if _DEVICE_ERROR_BODY.match(response.content[:64]):
                return None
            try:
                return parse_parameter_definitions(response.content)
            except (MalformedXml, DocumentTypeRefused) as exc:
                raise UnexpectedResponseError(
                    "param.cgi answered listdefinitions of %s with something that is not the definitions' XML (%s; "
                    "body starts with: %s)" % (group, exc, body_snippet(response.content)),
                    http_status=response.status_code,
                    endpoint="param.cgi",
                ) from None

        return self._read("param.cgi", read)

    @property
    def param_write_charset(self) -> str:
        """The charset param.cgi updates are sent in: the one the device's answers showed, else ISO-8859-1."""
        return self.param_charset or DEFAULT_PARAM_CHARSET

    def update_parameters(self, values: Dict[str, str]) -> List[str]:
        """param.cgi action=update of all ``values`` ({``root.<App>.<Name>`` or ``<App>.<Name>``: text})
        in one POST, encoded in the device's charset. Returns the ``# Error`` lines of the answer
        (empty on ``OK``): a device refuses per parameter and applies the others, so only a read
        tells what it holds. Never retried."""
        charset = self.param_write_charset
        form: Dict[str, Any] = {"action": "update"}
        form.update({(key if key.startswith("root.") else "root." + key).encode(charset): value.encode(charset)
                     for key, value in values.items()})
        response = self._send("POST", "param.cgi", form=form)
        self._reject_html(response, "param.cgi")
        text = self._param_text(response).strip()
        if text.startswith("OK"):
            return []
        errors = param_list_errors(text)
        if errors:
            return errors
        raise UnexpectedResponseError(
            "%s answered param.cgi update with neither OK nor # Error (body starts with: %s); the answer may "
            "have been cut off" % (self.settings.address, body_snippet(response.content)),
            http_status=response.status_code,
            endpoint="param.cgi",
        )

    def _param_text(self, response: _Reply) -> str:
        text, charset = decode_param_text(response.content, response.headers.get("Content-Type", ""))
        if charset and self.param_charset is None:
            self.param_charset = charset
        return text

    # ------------------------------------------------------------ internals

    def _read_param_cgi(self) -> DeviceProperties:
        reply = self._send(
            "GET",
            "param.cgi",
            params={"action": "list", "group": ",".join(DEVICE_PARAMETERS)},
        )
        self._reject_html(reply, "param.cgi")
        text = self._param_text(reply)
        parameters = parse_param_list(text)
        if not parameters:
            errors = param_list_errors(text)
            raise UnexpectedResponseError(
                "param.cgi answered no parameters (%s)" % ("; ".join(errors) if errors else body_snippet(reply.content)),
                http_status=reply.status_code,
                endpoint="param.cgi",
            )
        return DeviceProperties.from_parameters(parameters)

    def _read_basic_device_info(self) -> DeviceProperties:
        reply = self._send(
            "POST",
            "basicdeviceinfo.cgi",
            json={"apiVersion": "1.0", "method": "getAllProperties"},
        )
        self._reject_html(reply, "basicdeviceinfo.cgi")
        try:
            document = reply.json()
        except ValueError:
            raise UnexpectedResponseError(
                "basicdeviceinfo.cgi answered something that is not JSON (body starts with: %s)"
                % body_snippet(reply.content),
                http_status=reply.status_code,
                endpoint="basicdeviceinfo.cgi",
            ) from None
        if isinstance(document, dict) and isinstance(document.get("error"), dict):
            error = document["error"]
            raise DeviceError(
                "basicdeviceinfo.cgi answered error %s: %s" % (error.get("code"), error.get("message")),
                error_code=error.get("code") if isinstance(error.get("code"), int) else None,
                http_status=reply.status_code,
                endpoint="basicdeviceinfo.cgi",
            )
        try:
            property_list = document["data"]["propertyList"]
            if not isinstance(property_list, dict):
                raise TypeError
        except (KeyError, TypeError):
            raise UnexpectedResponseError(
                "basicdeviceinfo.cgi answered JSON without data.propertyList (%s)" % body_snippet(reply.content),
                http_status=reply.status_code,
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
        reply = self._send("POST", endpoint, params=params)
        self._reject_html(reply, endpoint)
        try:
            return parse(reply.content)
        except AcapError as exc:
            if exc.http_status is None:
                exc.http_status = reply.status_code
            raise

    def _read(self, endpoint: str, operation: Callable[[], T]) -> T:
        """Run a request that changes nothing, retrying a bounded number of times on a dropped
        connection or HTTP 5xx, and at most ``read_timeout_retries`` times when no answer came.
        Other timeouts (connect, TLS handshake, the deadline) are not retried: the next try
        would wait as long again for the same result."""
        failures = timeouts = 0
        while True:
            try:
                return operation()
            except _AnswerTimeout:
                if timeouts >= self.settings.read_timeout_retries:
                    raise
                timeouts += 1
            except (ConnectionDroppedError, ServerError):
                if failures >= self.settings.read_retries:
                    raise
                failures += 1
            time.sleep(self.settings.retry_pause * (failures + timeouts))

    def _url(self, endpoint: str) -> str:
        if endpoint == "param.cgi":
            path = PARAM_CGI_PATH
        elif endpoint == "basicdeviceinfo.cgi":
            path = BASIC_DEVICE_INFO_PATH
        else:
            path = APPLICATIONS_PATH + endpoint
        return self._base_url + path

    # -- authentication ----------------------------------------------------------------------

    def _send(self, method: str, endpoint: str, **kwargs: Any) -> _Reply:
        """One request, authenticated, status checked. Resent only to answer a challenge: the
        first 401 of a session (no credentials sent yet) and a Digest nonce gone stale. A 401
        to credentials is final, and those credentials are not sent again by this client.
        Not retried otherwise: ``_read`` retries whole operations that change nothing."""
        if self._refusal is not None:
            raise AuthenticationError(
                "%s (not sent again: the device refused these credentials earlier in this run)" % self._refusal.message,
                http_status=401,
                endpoint=endpoint,
            )
        if self._scheme is None and ("upload" in kwargs or "files" in kwargs or "form" in kwargs):
            # A body (a package, a key, parameter values that may be secret) is sent once, with credentials.
            self._learn_scheme(endpoint)
        renewed = False
        while True:
            credentials_sent = self._scheme is not None
            reply = self._transport(method, endpoint, **kwargs)
            if reply.status_code != 401:
                break
            header = reply.headers.get("WWW-Authenticate", "")
            if not credentials_sent:
                self._choose_scheme(header)
                continue
            digest = parse_auth_challenges(header).get("digest")
            if self._scheme == "digest" and digest is not None and not renewed:
                challenge = parse_dict_header(digest)
                if str(challenge.get("stale", "")).lower() == "true":
                    self._set_digest_challenge(challenge, header)
                    renewed = True
                    continue
            self._refusal = self._refused(endpoint)
            raise self._refusal
        self._check_status(reply, endpoint)
        return reply

    def _learn_scheme(self, endpoint: str) -> None:
        """Before a request with a body (a package, a key), learn the scheme with a bodyless one,
        so that the body goes out once, with credentials."""
        reply = self._transport("GET", endpoint)
        if reply.status_code == 401:
            self._choose_scheme(reply.headers.get("WWW-Authenticate", ""))

    def _choose_scheme(self, header: str) -> None:
        """From the 401 challenge: Digest when offered (``auto``, ``digest``); else Basic, only
        over HTTPS (``auto``)."""
        challenges = parse_auth_challenges(header)
        address = self.settings.address
        if "digest" in challenges:
            self._set_digest_challenge(parse_dict_header(challenges["digest"]), header)
            self._scheme = "digest"
            return
        if self.settings.auth_method == "digest":
            raise AuthenticationError(
                "%s does not offer Digest authentication (WWW-Authenticate: %r), and auth_method is digest. Use "
                "auth_method: auto with use_https: true to authenticate with Basic over HTTPS" % (address, header),
                http_status=401,
            )
        if "basic" not in challenges:
            raise AuthenticationError(
                "%s asks for authentication but offers no scheme the collection supports "
                "(WWW-Authenticate: %r); Digest and Basic are supported" % (address, header),
                http_status=401,
            )
        if not self.settings.use_https:
            raise AuthenticationError(
                "%s offers only Basic authentication over plain HTTP, which would send the password in "
                "clear text; the collection does not do that unless asked. Set use_https: true "
                "(recommended) or, on a network you trust, auth_method: basic" % address,
                http_status=401,
            )
        self._check_basic_encodable()
        self._scheme = "basic"

    def _set_digest_challenge(self, challenge: Dict[str, Any], header: str) -> None:
        if not challenge.get("realm") or not challenge.get("nonce"):
            raise AuthenticationError(
                "%s sent a Digest challenge without realm or nonce (WWW-Authenticate: %r); the collection cannot "
                "answer it" % (self.settings.address, header),
                http_status=401,
            )
        if self._digest is None:
            # requests' HTTPDigestAuth computes the header (MD5, SHA-256, qop, nonce counts); it is used
            # as a calculator only, not as a session auth: its hook would resend on every 401.
            self._digest = HTTPDigestAuth(self.settings.username or "", self.settings.password or "")
            self._digest.init_per_thread_state()
        self._digest._thread_local.chal = challenge  # pylint: disable=protected-access

    def _check_basic_encodable(self) -> None:
        """Basic carries Latin-1 only; say so before anything is sent, without a word about which
        character of the password it is."""
        try:
            (self.settings.username or "").encode("latin-1")
        except UnicodeEncodeError:
            raise AuthenticationError(
                "The username %r cannot be sent with Basic authentication, which carries only Latin-1 "
                "(ISO 8859-1) characters. Use Digest authentication (auth_method: auto or digest, on a device that "
                "offers Digest) or a user name of Latin-1 characters" % self.settings.username
            ) from None
        try:
            (self.settings.password or "").encode("latin-1")
        except UnicodeEncodeError:
            raise AuthenticationError(
                "The password cannot be sent with Basic authentication, which carries only Latin-1 (ISO 8859-1) "
                "characters, and the password has others. Use Digest authentication (auth_method: auto or "
                "digest, on a device that offers Digest; over HTTPS as well when the device allows it), or give "
                "the user a password of Latin-1 characters"
            ) from None

    def _authorize(self, prepared: "requests.PreparedRequest") -> None:
        if self._scheme == "basic":
            HTTPBasicAuth(self.settings.username or "", self.settings.password or "")(prepared)
        elif self._scheme == "digest" and self._digest is not None:
            header = self._digest.build_digest_header(prepared.method, prepared.url)
            if header is None:
                raise AuthenticationError(
                    "%s asks for a Digest algorithm or qop the collection cannot answer (%s)"
                    % (self.settings.address, self._digest._thread_local.chal),  # pylint: disable=protected-access
                    http_status=401,
                )
            prepared.headers["Authorization"] = header

    def _refused(self, endpoint: str) -> AuthenticationError:
        return AuthenticationError(
            "%s refused the credentials of user %r for %s (HTTP 401). Either the username or the password "
            "is wrong, or the user exists but lacks the administrator role the Application API needs; the "
            "device does not say which. Check username/password and that the user is an administrator"
            % (self.settings.address, self.settings.username, endpoint),
            http_status=401,
            endpoint=endpoint,
        )

    # -- transport ---------------------------------------------------------------------------

    def _transport(
        self,
        method: str,
        endpoint: str,
        params: Optional[Dict[str, str]] = None,
        files: Optional[Dict[str, Any]] = None,
        json: Optional[Any] = None,  # pylint: disable=redefined-outer-name
        upload: Optional[_FileUpload] = None,
        form: Optional[Mapping[Any, Any]] = None,
    ) -> _Reply:
        """One request on the wire, its answer read completely (at most ``max_reply_bytes``)
        within the deadline. Raises the typed error of whatever went wrong."""
        body: Optional[_MultipartFile] = _MultipartFile(upload) if upload is not None else None
        try:
            headers = dict(self._headers)
            if body is not None:
                headers["Content-Type"] = body.content_type
            prepared = requests.PreparedRequest()
            prepared.prepare(method=method, url=self._url(endpoint), headers=headers, params=params, files=files,
                             json=json, data=body if body is not None else form)
            self._authorize(prepared)
            settings = self.settings
            deadline = settings.connect_timeout + settings.timeout
            if body is not None:
                deadline += len(body) / float(MIN_UPLOAD_RATE)
            with _Exchange(deadline, settings.timeout) as exchange:
                try:
                    with warnings.catch_warnings():
                        if not settings.validate_certs:
                            # The user chose not to verify; do not repeat that on every request.
                            warnings.simplefilter("ignore", InsecureRequestWarning)
                        response = self._session.send(
                            prepared,
                            stream=True,
                            timeout=(settings.connect_timeout, settings.timeout),
                            verify=self._verify,
                            allow_redirects=False,
                        )
                    try:
                        exchange.phase = _READING
                        reply = _Reply(response.status_code, response.reason or "", response.headers,
                                       self._read_body(response, endpoint))
                    finally:
                        response.close()
                except requests.exceptions.RequestException as exc:
                    raise self._transport_error(exc, endpoint, exchange, body) from None
                if exchange.expired:
                    # Cut in the middle of its head, an answer can still look complete to a lenient parser.
                    raise self._deadline_error(endpoint, exchange, body)
                return reply
        finally:
            if body is not None:
                body.close()

    def _read_body(self, response: "requests.Response", endpoint: str) -> bytes:
        limit = self.settings.max_reply_bytes
        declared = response.headers.get("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            raise self._too_large(endpoint, "announces %s bytes" % declared.strip())
        chunks: List[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise self._too_large(endpoint, "sent more than %d bytes" % limit)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, endpoint: str, what: str) -> UnexpectedResponseError:
        return UnexpectedResponseError(
            "%s answered %s with a body that %s, more than any answer of the Application API (at most %d bytes are "
            "read). Check that hostname and port reach the camera itself" % (
                self.settings.address, endpoint, what, self.settings.max_reply_bytes),
            endpoint=endpoint,
        )

    def _deadline_error(self, endpoint: str, exchange: _Exchange, body: Optional[_MultipartFile]) -> DeviceTimeoutError:
        return DeviceTimeoutError(
            "%s on %s did not complete within %s s, the deadline of one request (connect_timeout + timeout%s); "
            "it was %s. The device answers far too slowly or trickles its answer: check the device and the "
            "network path, or raise timeout if it is only slow"
            % (endpoint, self.settings.address, _seconds(exchange.deadline),
               " + the package size at %d KiB/s" % (MIN_UPLOAD_RATE // 1024) if body is not None else "",
               _PHASE_WORDS.get(exchange.phase, exchange.phase)),
            endpoint=endpoint,
        )

    def _transport_error(
        self, exc: "requests.exceptions.RequestException", endpoint: str, exchange: _Exchange,
        body: Optional[_MultipartFile],
    ) -> AcapError:
        settings = self.settings
        address = settings.address
        reason = _reason(exc)
        lowered = reason.lower()
        phase = exchange.phase
        timed_out = isinstance(exc, requests.exceptions.Timeout) or "timed out" in lowered
        if exchange.expired:
            return self._deadline_error(endpoint, exchange, body)
        if isinstance(exc, requests.exceptions.SSLError):
            if any(word in lowered for word in _NOT_TLS_REASONS):
                return TlsError(
                    "%s answered the TLS handshake with something that is not TLS (%s): is this an HTTP port? Set "
                    "use_https: false, or set port to the device's HTTPS port" % (address, reason),
                    endpoint=endpoint,
                )
            return TlsError(
                "TLS connection to %s failed: %s. If the device uses a self-signed certificate, set ca_path "
                "to the CA certificate that signed it (validate_certs: false only on a network you trust); "
                "also check that hostname matches a name in the certificate, or set use_https: false"
                % (address, reason),
                endpoint=endpoint,
            )
        if isinstance(exc, requests.exceptions.ConnectTimeout) or (timed_out and phase == _CONNECTING):
            return DeviceTimeoutError(
                "No answer from %s within %s s (connect_timeout) while connecting for %s: check hostname and port, "
                "and that the device is on and reachable from this host (a firewall may drop the packets)"
                % (address, _seconds(settings.connect_timeout), endpoint),
                endpoint=endpoint,
            )
        if timed_out and phase == _HANDSHAKE:
            return DeviceTimeoutError(
                "Connected to %s, but no answer to the TLS handshake within %s s (connect_timeout): is this an HTTP "
                "port? Set use_https: false, or set port to the device's HTTPS port"
                % (address, _seconds(settings.connect_timeout)),
                endpoint=endpoint,
            )
        if timed_out and phase == _SENDING:
            sent = " (%d of %d bytes sent)" % (exchange.body_bytes_sent, len(body)) if body is not None else ""
            return DeviceTimeoutError(
                "%s on %s stopped taking the request%s for %s s (timeout): the device is overloaded or the network "
                "path is congested; run the task again later" % (endpoint, address, sent, _seconds(settings.timeout)),
                endpoint=endpoint,
            )
        if timed_out and phase == _READING:
            return _AnswerTimeout(
                "%s on %s began its answer, then sent nothing for %s s (timeout)" % (endpoint, address, _seconds(settings.timeout)),
                endpoint=endpoint,
            )
        if timed_out:
            if endpoint == "upload.cgi" and phase == _WAITING:
                return _AnswerTimeout(
                    "upload.cgi on %s received the package but did not answer within %s s (timeout): the device "
                    "answers after installing, which takes longer for large packages; raise timeout"
                    % (address, _seconds(settings.timeout)),
                    endpoint=endpoint,
                )
            return _AnswerTimeout(
                "%s on %s: connected, but no answer within %s s (timeout). The device accepts connections but "
                "does not answer: it may be overloaded or hung, or this port is not the device's web server"
                % (endpoint, address, _seconds(settings.timeout)),
                endpoint=endpoint,
            )
        if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
            if "refused" in lowered:
                return DeviceUnreachableError(
                    "Connection to %s refused: nothing listens there. Check hostname and port, and use_https "
                    "(HTTPS uses port 443, HTTP port 80 unless port is set)" % address,
                    endpoint=endpoint,
                )
            if "name or service not known" in lowered or "nodename nor servname" in lowered or (
                "resolution" in lowered
            ) or "getaddrinfo" in lowered:
                return DeviceUnreachableError(
                    "Cannot resolve hostname %s: check the name or use the device's IP address" % settings.hostname,
                    endpoint=endpoint,
                )
            if "unreachable" in lowered or "no route" in lowered:
                return DeviceUnreachableError(
                    "No route to %s (%s): check the address and the network path; run the task from a "
                    "host inside the camera network (delegate_to)" % (address, reason),
                    endpoint=endpoint,
                )
            return ConnectionDroppedError(
                "%s closed the connection during %s before a complete answer (%s). The device may have "
                "restarted or a proxy cut the connection; if it persists, check use_https against the "
                "port" % (address, endpoint, reason),
                endpoint=endpoint,
            )
        return DeviceUnreachableError("Request %s to %s failed: %s" % (endpoint, address, reason), endpoint=endpoint)

    def _check_status(self, response: _Reply, endpoint: str) -> None:
        status = response.status_code
        address = self.settings.address
        user = self.settings.username
        if 200 <= status < 300:
            return
        if status != 400 or endpoint != "config.cgi":
            if _DEVICE_ERROR_BODY.match(response.content[:64]):
                return  # the device's own refusal: the caller reads it (acap-formats.md: whatever the status)
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

    def _reject_html(self, response: _Reply, endpoint: str) -> None:
        content_type = response.headers.get("Content-Type", "").lower()
        if "text/html" in content_type or _HTML_START.match(response.content[:512]):
            raise UnexpectedResponseError(
                "%s answered %s with an HTML page instead of the API's reply (a login page, a proxy or a "
                "captive portal?). Check that hostname and port reach the camera itself, and the "
                "credentials (body starts with: %s)" % (self.settings.address, endpoint, body_snippet(response.content)),
                http_status=response.status_code,
                endpoint=endpoint,
            )

    def _check_text_result(self, response: _Reply, endpoint: str) -> str:
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


_PHASE_WORDS = {
    _CONNECTING: "still connecting",
    _HANDSHAKE: "still in the TLS handshake",
    _SENDING: "still sending the request",
    _WAITING: "still waiting for the answer",
    _READING: "still receiving the answer",
}


def _seconds(value: float) -> str:
    return ("%g" % value)
