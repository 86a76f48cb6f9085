# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Authentication to one device: the 401 challenge read, the scheme chosen, each request authorized.

``auto`` sends the first request without credentials and uses Digest when the challenge offers it,
else Basic, and Basic only over HTTPS; ``digest`` and ``basic`` force a scheme (Basic is sent
pre-emptively). Credentials the device refused are never sent again by the same client, since many
devices lock an account after a few failed logins (docs/client.md, Authentication).
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings
from ansible_collections.vapix.acap.plugins.module_utils._errors import AuthenticationError

try:
    from requests.auth import HTTPBasicAuth, HTTPDigestAuth
    from requests.utils import parse_dict_header
except ImportError:  # the client refuses to start without requests (_transport.HAS_REQUESTS)
    pass

AUTH_METHODS = ("auto", "digest", "basic")

_AUTH_SCHEME = re.compile(
    r"(?:^|,)\s*(digest|basic|bearer|negotiate|ntlm)\b(?!\s*=)", re.IGNORECASE
)


def parse_auth_challenges(header: str) -> Dict[str, str]:
    """``WWW-Authenticate`` (possibly several challenges joined by commas) ->
    {lower-case scheme: parameter text}."""
    challenges: Dict[str, str] = {}
    matches = list(_AUTH_SCHEME.finditer(header or ""))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(header)
        challenges.setdefault(match.group(1).lower(), header[match.end():end].strip().strip(","))
    return challenges


class Authenticator:
    """The scheme this client's credentials go with, and whether the device refused them."""

    def __init__(self, settings: ConnectionSettings) -> None:
        self.settings = settings
        # The scheme credentials are sent with: None until a challenge tells (auto, digest).
        self.scheme: Optional[str] = None
        self._digest: Optional[Any] = None
        # Credentials the device refused: never sent again by this client (account lockouts).
        self._refusal: Optional[AuthenticationError] = None
        if settings.auth_method == "basic":
            # The user asked for Basic: send it pre-emptively, even over plain HTTP.
            self._check_basic_encodable()
            self.scheme = "basic"

    def check_not_refused(self, endpoint: str) -> None:
        """Raise the earlier refusal again, without sending anything."""
        if self._refusal is not None:
            raise AuthenticationError(
                "%s (not sent again: the device refused these credentials earlier in this run)" % self._refusal.message,
                http_status=401,
                endpoint=endpoint,
            )

    def refuse(self, endpoint: str) -> AuthenticationError:
        """The device answered 401 to the credentials: remember it, and the error to raise."""
        self._refusal = AuthenticationError(
            "%s refused the credentials of user %r for %s (HTTP 401). Either the username or the password "
            "is wrong, or the user exists but lacks the administrator role the Application API needs; the "
            "device does not say which. Check username/password and that the user is an administrator"
            % (self.settings.address, self.settings.username, endpoint),
            http_status=401,
            endpoint=endpoint,
        )
        return self._refusal

    def choose_scheme(self, header: str) -> None:
        """From the 401 challenge: Digest when offered (``auto``, ``digest``); else Basic, only
        over HTTPS (``auto``)."""
        challenges = parse_auth_challenges(header)
        address = self.settings.address
        if "digest" in challenges:
            self._set_digest_challenge(parse_dict_header(challenges["digest"]), header)
            self.scheme = "digest"
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
        self.scheme = "basic"

    def renew_stale_digest(self, header: str) -> bool:
        """A 401 to Digest credentials whose nonce went stale: take the new nonce (True), to send again."""
        digest = parse_auth_challenges(header).get("digest")
        if self.scheme != "digest" or digest is None:
            return False
        challenge = parse_dict_header(digest)
        if str(challenge.get("stale", "")).lower() != "true":
            return False
        self._set_digest_challenge(challenge, header)
        return True

    def authorize(self, prepared: Any) -> None:
        """The ``Authorization`` header of a prepared request, in the chosen scheme (none yet: none)."""
        if self.scheme == "basic":
            HTTPBasicAuth(self.settings.username or "", self.settings.password or "")(prepared)
        elif self.scheme == "digest" and self._digest is not None:
            header = self._digest.build_digest_header(prepared.method, prepared.url)
            if header is None:
                raise AuthenticationError(
                    "%s asks for a Digest algorithm or qop the collection cannot answer (%s)"
                    % (self.settings.address, self._digest._thread_local.chal),  # pylint: disable=protected-access
                    http_status=401,
                )
            prepared.headers["Authorization"] = header

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
