# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One request on the wire: the session, the deadline, the answer read whole within a size limit, and
every transport failure turned into the typed error that says where the request was.

One ``requests`` session per client (connections are kept alive), redirects not followed, TLS
verified with an optional CA file, connections that report their phase to the request's deadline
(``_deadlines``), and packages streamed from disk (``_upload_body``). Nothing here knows a CGI's
answer: the checks of statuses and bodies are in ``_reply_checks`` (docs/client.md).
"""

from __future__ import annotations

import json
import socket
import traceback
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings, endpoint_path
from ansible_collections.vapix.acap.plugins.module_utils._deadlines import (
    CONNECTING,
    HANDSHAKE,
    PHASE_WORDS,
    READING,
    SENDING,
    WAITING,
    Exchange,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    ConnectionDroppedError,
    DeviceTimeoutError,
    DeviceUnreachableError,
    TlsError,
    UnexpectedResponseError,
)
from ansible_collections.vapix.acap.plugins.module_utils._upload_body import FileUpload, MultipartFile

try:
    import requests
    from requests.adapters import HTTPAdapter
    from requests.utils import default_headers
    from urllib3 import poolmanager as _urllib3_poolmanager
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR: Optional[str] = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

try:
    from urllib3.exceptions import InsecureRequestWarning
except ImportError:  # urllib3 comes with requests; without it nothing here runs anyway
    InsecureRequestWarning = Warning  # type: ignore[misc,assignment]

# An upload may take as long as sending the package at this rate (bytes per second), on top of the
# deadline of any request: slow links still work, a device that stops reading cannot hold a task forever.
MIN_UPLOAD_RATE = 64 * 1024
# OpenSSL's words for a peer that answered the handshake with something that is not TLS.
_NOT_TLS_REASONS = ("wrong version number", "record layer failure", "packet length too long", "unknown protocol",
                    "http request")


@dataclass
class Reply:
    """A complete answer: status, headers and the body (at most ``max_reply_bytes``)."""

    status_code: int
    reason: str
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class AnswerTimeout(DeviceTimeoutError):
    """Connected and sent, but no answer within ``timeout``: the one timeout a read is retried after."""


if HAS_REQUESTS:

    class _WatchedConnection(HTTPConnection):
        """Reports the request's phase and socket to its ``Exchange``.

        The socket is registered as a duplicate descriptor: shutting that down
        ends the connection even during the TLS handshake, when the original
        socket object has already been handed to the SSL layer."""

        _tls = False
        _watch_handle: Optional[socket.socket] = None

        def _new_conn(self) -> socket.socket:
            exchange = Exchange.current()
            if exchange is not None:
                exchange.phase = CONNECTING
            sock = super()._new_conn()
            self._drop_watch_handle()
            self._watch_handle = sock.dup()
            if exchange is not None:
                exchange.watch(self._watch_handle)
                if self._tls:
                    exchange.phase = HANDSHAKE
            return sock

        def request(self, *args: Any, **kwargs: Any) -> None:  # pylint: disable=arguments-differ
            exchange = Exchange.current()
            if exchange is not None:
                if self.sock is None:
                    self.connect()  # here, not inside the send: it runs under the connect timeout
                if self._watch_handle is not None:
                    exchange.watch(self._watch_handle)
                exchange.phase = SENDING
                # urllib3 sends the body under the connect timeout; a device may pause longer while reading.
                self.timeout = exchange.read_timeout
                if self.sock is not None:
                    self.sock.settimeout(exchange.read_timeout)
            super().request(*args, **kwargs)
            if exchange is not None:
                exchange.phase = WAITING

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
        """An adapter whose connections report to the request's ``Exchange``."""

        def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
            super().init_poolmanager(*args, **kwargs)
            self.poolmanager.pool_classes_by_scheme = _WATCHED_POOLS

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
            manager = super().proxy_manager_for(proxy, **proxy_kwargs)
            # An HTTP(S) proxy uses the standard pools; a SOCKS proxy has its own, left alone.
            if manager.pool_classes_by_scheme is _urllib3_poolmanager.pool_classes_by_scheme:
                manager.pool_classes_by_scheme = _WATCHED_POOLS
            return manager


class Transport:
    """The session to one device; ``send`` puts one request on the wire and reads its whole answer."""

    def __init__(self, settings: ConnectionSettings, base_url: str) -> None:
        self.settings = settings
        self._base_url = base_url
        self._session = requests.Session()
        adapter = _WatchedAdapter()
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._headers = default_headers()
        self._headers["User-Agent"] = "vapix.acap"
        # Passed with every request, not as session.verify: requests lets REQUESTS_CA_BUNDLE /
        # CURL_CA_BUNDLE override a session's verify, which would silently ignore ca_path.
        self._verify: Any = settings.tls_verify

    def close(self) -> None:
        self._session.close()

    def send(
        self,
        method: str,
        endpoint: str,
        authorize: Callable[[Any], None],
        params: Optional[Dict[str, str]] = None,
        files: Optional[Dict[str, Any]] = None,
        json: Optional[Any] = None,  # pylint: disable=redefined-outer-name
        upload: Optional[FileUpload] = None,
        form: Optional[Mapping[Any, Any]] = None,
    ) -> Reply:
        """One request on the wire, authorized by ``authorize``, its answer read completely (at most
        ``max_reply_bytes``) within the deadline. Raises the typed error of whatever went wrong."""
        body: Optional[MultipartFile] = MultipartFile(upload) if upload is not None else None
        try:
            headers = dict(self._headers)
            if body is not None:
                headers["Content-Type"] = body.content_type
            prepared = requests.PreparedRequest()
            prepared.prepare(method=method, url=self._base_url + endpoint_path(endpoint), headers=headers,
                             params=params, files=files, json=json, data=body if body is not None else form)
            authorize(prepared)
            return self._exchange(prepared, endpoint, body)
        finally:
            if body is not None:
                body.close()

    def _exchange(self, prepared: Any, endpoint: str, body: Optional[MultipartFile]) -> Reply:
        settings = self.settings
        deadline = settings.connect_timeout + settings.timeout
        if body is not None:
            deadline += len(body) / float(MIN_UPLOAD_RATE)
        body_size = len(body) if body is not None else None
        with Exchange(deadline, settings.timeout) as exchange:
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
                    exchange.phase = READING
                    reply = Reply(response.status_code, response.reason or "", response.headers,
                                  self._read_body(response, endpoint))
                finally:
                    response.close()
            except requests.exceptions.RequestException as exc:
                raise transport_error(settings, exc, endpoint, exchange, body_size) from None
            if exchange.expired:
                # Cut in the middle of its head, an answer can still look complete to a lenient parser.
                raise deadline_error(settings, endpoint, exchange, body_size)
            return reply

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


# -- transport failures as typed errors ---------------------------------------------------------


def deadline_error(settings: ConnectionSettings, endpoint: str, exchange: Exchange,
                   body_size: Optional[int]) -> DeviceTimeoutError:
    return DeviceTimeoutError(
        "%s on %s did not complete within %s s, the deadline of one request (connect_timeout + timeout%s); "
        "it was %s. The device answers far too slowly or trickles its answer: check the device and the "
        "network path, or raise timeout if it is only slow"
        % (endpoint, settings.address, _seconds(exchange.deadline),
           " + the package size at %d KiB/s" % (MIN_UPLOAD_RATE // 1024) if body_size is not None else "",
           PHASE_WORDS.get(exchange.phase, exchange.phase)),
        endpoint=endpoint,
    )


def transport_error(settings: ConnectionSettings, exc: "requests.exceptions.RequestException", endpoint: str,
                    exchange: Exchange, body_size: Optional[int]) -> AcapError:
    """The typed error of a request that failed on the wire; what it says depends on the phase."""
    reason = _reason(exc)
    lowered = reason.lower()
    if exchange.expired:
        return deadline_error(settings, endpoint, exchange, body_size)
    if isinstance(exc, requests.exceptions.SSLError):
        return _tls_error(settings.address, reason, endpoint)
    if isinstance(exc, requests.exceptions.Timeout) or "timed out" in lowered:
        return _timeout_error(settings, exc, endpoint, exchange, body_size)
    if isinstance(exc, (requests.exceptions.ConnectionError, requests.exceptions.ChunkedEncodingError)):
        return _connection_error(settings, reason, endpoint)
    return DeviceUnreachableError("Request %s to %s failed: %s" % (endpoint, settings.address, reason),
                                  endpoint=endpoint)


def _tls_error(address: str, reason: str, endpoint: str) -> TlsError:
    if any(word in reason.lower() for word in _NOT_TLS_REASONS):
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


def _timeout_error(settings: ConnectionSettings, exc: "requests.exceptions.RequestException", endpoint: str,
                   exchange: Exchange, body_size: Optional[int]) -> DeviceTimeoutError:
    address = settings.address
    phase = exchange.phase
    if isinstance(exc, requests.exceptions.ConnectTimeout) or phase == CONNECTING:
        return DeviceTimeoutError(
            "No answer from %s within %s s (connect_timeout) while connecting for %s: check hostname and port, "
            "and that the device is on and reachable from this host (a firewall may drop the packets)"
            % (address, _seconds(settings.connect_timeout), endpoint),
            endpoint=endpoint,
        )
    if phase == HANDSHAKE:
        return DeviceTimeoutError(
            "Connected to %s, but no answer to the TLS handshake within %s s (connect_timeout): is this an HTTP "
            "port? Set use_https: false, or set port to the device's HTTPS port"
            % (address, _seconds(settings.connect_timeout)),
            endpoint=endpoint,
        )
    if phase == SENDING:
        sent = " (%d of %d bytes sent)" % (exchange.body_bytes_sent, body_size) if body_size is not None else ""
        return DeviceTimeoutError(
            "%s on %s stopped taking the request%s for %s s (timeout): the device is overloaded or the network "
            "path is congested; run the task again later" % (endpoint, address, sent, _seconds(settings.timeout)),
            endpoint=endpoint,
        )
    return _answer_timeout(settings, endpoint, phase)


def _answer_timeout(settings: ConnectionSettings, endpoint: str, phase: str) -> AnswerTimeout:
    address = settings.address
    if phase == READING:
        return AnswerTimeout(
            "%s on %s began its answer, then sent nothing for %s s (timeout)" % (endpoint, address, _seconds(settings.timeout)),
            endpoint=endpoint,
        )
    if endpoint == "upload.cgi" and phase == WAITING:
        return AnswerTimeout(
            "upload.cgi on %s received the package but did not answer within %s s (timeout): the device "
            "answers after installing, which takes longer for large packages; raise timeout"
            % (address, _seconds(settings.timeout)),
            endpoint=endpoint,
        )
    return AnswerTimeout(
        "%s on %s: connected, but no answer within %s s (timeout). The device accepts connections but "
        "does not answer: it may be overloaded or hung, or this port is not the device's web server"
        % (endpoint, address, _seconds(settings.timeout)),
        endpoint=endpoint,
    )


def _connection_error(settings: ConnectionSettings, reason: str, endpoint: str) -> DeviceUnreachableError:
    address = settings.address
    lowered = reason.lower()
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
