"""HTTP authentication as Axis devices do it: Digest (RFC 7616, MD5, qop=auth) and/or Basic.

Nonces carry their own issue time and an HMAC, so the server keeps no per-nonce memory (this matters
with 500 devices) and can still tell an expired nonce (``stale=true``) from a forged one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple
from urllib.parse import urlsplit

ROLES = ("admin", "operator", "viewer")
SCHEMES = ("digest", "basic", "both")

_PARAM = re.compile(r'\s*([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)\s*,?')


@dataclass(frozen=True)
class User:
    name: str
    password: str
    role: str


@dataclass
class AuthResult:
    user: Optional[User] = None
    stale: bool = False  # a well-formed Digest answer to an expired nonce
    attempted: Optional[str] = None  # the user name the client tried, for the request log


def parse_user_spec(spec: str) -> User:
    """``NAME:PASSWORD:ROLE`` (the password may contain ':')."""
    name, sep, rest = spec.partition(":")
    password, sep2, role = rest.rpartition(":")
    if not sep or not sep2 or not name:
        raise ValueError("user {0!r} is not NAME:PASSWORD:ROLE".format(spec))
    if role not in ROLES:
        raise ValueError("user {0!r}: role must be one of {1}".format(spec, ", ".join(ROLES)))
    return User(name, password, role)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def parse_digest_params(text: str) -> Dict[str, str]:
    params: Dict[str, str] = {}
    for match in _PARAM.finditer(text):
        value = match.group(3) if match.group(3) is not None else match.group(2)
        params[match.group(1).lower()] = re.sub(r"\\(.)", r"\1", value)
    return params


class Authenticator:
    """Users, realm and nonces of one device; the schemes offered are given per request, since a
    device may offer different ones on HTTP and HTTPS."""

    def __init__(self, realm: str, users: List[User], nonce_lifetime: float) -> None:
        self.realm = realm
        self.users = {user.name: user for user in users}
        self.nonce_lifetime = nonce_lifetime
        self._secret = os.urandom(16)
        self._opaque = binascii.hexlify(os.urandom(8)).decode()

    # -- nonces --------------------------------------------------------------------------------
    def _sign(self, stamp: str) -> str:
        return hmac.new(self._secret, stamp.encode(), hashlib.sha256).hexdigest()[:32]

    def new_nonce(self) -> str:
        stamp = "{0:016x}".format(int(time.time() * 1000))
        return stamp + self._sign(stamp)

    def _nonce_state(self, nonce: str) -> str:
        """"valid", "stale" (ours, expired) or "bad"."""
        stamp, signature = nonce[:16], nonce[16:]
        if len(nonce) != 48 or not hmac.compare_digest(signature, self._sign(stamp)):
            return "bad"
        try:
            issued = int(stamp, 16) / 1000.0
        except ValueError:
            return "bad"
        return "valid" if time.time() - issued <= self.nonce_lifetime else "stale"

    # -- challenge and verification -------------------------------------------------------------
    def challenge_headers(self, scheme: str, stale: bool = False) -> List[Tuple[str, str]]:
        headers = []
        if scheme in ("digest", "both"):
            value = 'Digest realm="{0}", nonce="{1}", algorithm=MD5, qop="auth", opaque="{2}"'.format(
                self.realm, self.new_nonce(), self._opaque
            )
            if stale:
                value += ", stale=true"
            headers.append(("WWW-Authenticate", value))
        if scheme in ("basic", "both"):
            headers.append(("WWW-Authenticate", 'Basic realm="{0}"'.format(self.realm)))
        return headers

    def authenticate(self, method: str, target: str, authorization: str, offered: str) -> AuthResult:
        """Check ``authorization`` against the schemes ``offered`` (digest, basic or both)."""
        scheme, _separator, credentials = authorization.strip().partition(" ")
        scheme = scheme.lower()
        if scheme == "basic" and offered in ("basic", "both"):
            return self._basic(credentials.strip())
        if scheme == "digest" and offered in ("digest", "both"):
            return self._digest(method, target, parse_digest_params(credentials))
        return AuthResult()

    def _basic(self, credentials: str) -> AuthResult:
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult()
        name, sep, password = decoded.partition(":")
        user = self.users.get(name)
        if sep and user and hmac.compare_digest(user.password.encode(), password.encode()):
            return AuthResult(user=user, attempted=name)
        return AuthResult(attempted=name)

    def _digest(self, method: str, target: str, params: Dict[str, str]) -> AuthResult:
        name = params.get("username", "")
        result = AuthResult(attempted=name or None)
        user = self.users.get(name)
        required = ("realm", "nonce", "uri", "response", "qop", "nc", "cnonce")
        if user is None or any(key not in params for key in required):
            return result
        if params["realm"] != self.realm or params["qop"] != "auth":
            return result
        if params.get("algorithm", "MD5").upper() != "MD5":
            return result
        if not self._uri_matches(params["uri"], target):
            return result
        ha1 = _md5("{0}:{1}:{2}".format(user.name, self.realm, user.password))
        ha2 = _md5("{0}:{1}".format(method, params["uri"]))
        expected = _md5(":".join((ha1, params["nonce"], params["nc"], params["cnonce"], "auth", ha2)))
        if not hmac.compare_digest(expected, params["response"].lower()):
            return result
        state = self._nonce_state(params["nonce"])
        if state == "stale":
            result.stale = True
            return result
        if state == "valid":
            result.user = user
        return result

    @staticmethod
    def _uri_matches(uri: str, target: str) -> bool:
        # Clients send the request target; some send an absolute URI. Compare path and query.
        if uri == target:
            return True
        given, actual = urlsplit(uri), urlsplit(target)
        return (given.path, given.query) == (actual.path, actual.query)
