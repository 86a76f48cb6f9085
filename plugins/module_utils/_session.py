# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One device's session, under the VAPIX calls: the settings checked before anything is sent, each
request authenticated (``_auth``), sent (``_transport``) and its status checked (``_reply_checks``),
and the bounded retries of requests that change nothing (docs/client.md).
"""

from __future__ import annotations

import os
import time
from typing import Any, Callable, Dict, Optional, TypeVar

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings, validate_port
from ansible_collections.vapix.acap.plugins.module_utils._auth import AUTH_METHODS, Authenticator
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    ConnectionDroppedError,
    ParameterError,
    ServerError,
    TlsError,
)
from ansible_collections.vapix.acap.plugins.module_utils._reply_checks import (
    check_status,
    check_text_result,
    reject_html,
)
from ansible_collections.vapix.acap.plugins.module_utils._secrets import Secrets
from ansible_collections.vapix.acap.plugins.module_utils._transport import HAS_REQUESTS, AnswerTimeout, Reply, Transport

T = TypeVar("T")
S = TypeVar("S", bound="VapixSession")


class VapixSession:
    """Requests to one device, authenticated and checked. Methods raise ``AcapError`` subclasses only."""

    def __init__(self, settings: ConnectionSettings) -> None:
        if not HAS_REQUESTS:
            raise AcapError("The requests Python library is required to talk to the device")
        if settings.auth_method not in AUTH_METHODS:
            raise ParameterError(
                "auth_method must be one of %s, not %r" % (", ".join(AUTH_METHODS), settings.auth_method)
            )
        # What the run must never show: the password, and what the tasks add (_module.run_validated).
        self.secrets = Secrets([settings.password])
        base_url = settings.base_url  # checks the hostname now, before any request
        validate_port(settings.port)
        if settings.ca_path and not os.path.exists(settings.ca_path):
            raise TlsError(
                "ca_path %s does not exist: give the path of the CA certificate file (PEM) that signed "
                "the device's certificate" % settings.ca_path
            )
        self.settings = settings
        self._transport = Transport(settings, base_url)
        self._auth = Authenticator(settings)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self: S) -> S:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------------

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
            except AnswerTimeout:
                if timeouts >= self.settings.read_timeout_retries:
                    raise
                timeouts += 1
            except (ConnectionDroppedError, ServerError):
                if failures >= self.settings.read_retries:
                    raise
                failures += 1
            time.sleep(self.settings.retry_pause * (failures + timeouts))

    def _send(self, method: str, endpoint: str, **kwargs: Any) -> Reply:
        """One request, authenticated, status checked. Resent only to answer a challenge: the
        first 401 of a session (no credentials sent yet) and a Digest nonce gone stale. A 401
        to credentials is final, and those credentials are not sent again by this client.
        Not retried otherwise: ``_read`` retries whole operations that change nothing."""
        auth = self._auth
        auth.check_not_refused(endpoint)
        if auth.scheme is None and ("upload" in kwargs or "files" in kwargs or "form" in kwargs):
            # A body (a package, a key, parameter values that may be secret) is sent once, with credentials.
            self._learn_scheme(endpoint)
        renewed = False
        while True:
            credentials_sent = auth.scheme is not None
            reply = self._transport.send(method, endpoint, auth.authorize, **kwargs)
            if reply.status_code != 401:
                break
            header = reply.headers.get("WWW-Authenticate", "")
            if not credentials_sent:
                auth.choose_scheme(header)
                continue
            if not renewed and auth.renew_stale_digest(header):
                renewed = True
                continue
            raise auth.refuse(endpoint)
        check_status(reply, endpoint, self.settings.address, self.settings.username)
        return reply

    def _learn_scheme(self, endpoint: str) -> None:
        """Before a request with a body (a package, a key), learn the scheme with a bodyless one,
        so that the body goes out once, with credentials."""
        reply = self._transport.send("GET", endpoint, self._auth.authorize)
        if reply.status_code == 401:
            self._auth.choose_scheme(reply.headers.get("WWW-Authenticate", ""))

    def _reject_html(self, reply: Reply, endpoint: str) -> None:
        reject_html(reply, endpoint, self.settings.address)

    def _check_text_result(self, reply: Reply, endpoint: str) -> str:
        return check_text_result(reply, endpoint, self.settings.address)
