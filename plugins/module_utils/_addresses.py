# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where a device is: the connection settings, the hostname and port checked, the URLs of the CGIs.

The hostname is validated before anything is sent and the URL is built from the validated parts only,
so no character of ``hostname`` can change the host or port a request goes to (docs/client.md).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any, Mapping, Optional, Union

from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError

APPLICATIONS_PATH = "/axis-cgi/applications/"
PARAM_CGI_PATH = "/axis-cgi/param.cgi"
BASIC_DEVICE_INFO_PATH = "/axis-cgi/basicdeviceinfo.cgi"

DEFAULT_TIMEOUT = 30.0
DEFAULT_CONNECT_TIMEOUT = 5.0
# Every answer of the Application API is small (a list of applications is a few kB); anything
# larger is not the API's answer, and is not kept in memory.
MAX_REPLY_BYTES = 4 * 1024 * 1024

# One DNS label: letters, digits, hyphens (not first or last); underscores occur in internal names.
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")
_IPV6_ZONE = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def url_host(hostname: Any) -> str:
    """``hostname`` as the host part of a URL: an IP address (IPv6 bracketed) or a DNS name.

    Raises ``ParameterError`` for anything else, so that no character of the
    hostname can change the authority of a URL (``/``, ``?``, ``#``, ``@``,
    ``:``, white space...). Numeric forms that are not dotted quads but that
    resolvers may read as IPv4 (``0x7f.1``, ``2130706433``, ``256.1.1.1``) are
    refused too."""
    _refuse_url_parts(hostname)
    literal = hostname[1:-1] if hostname.startswith("[") and hostname.endswith("]") else hostname
    if ":" in literal:
        return _ipv6_host(hostname, literal)
    if literal != hostname:
        raise ParameterError("hostname %r: only IPv6 addresses are written in brackets" % hostname)
    try:
        return str(ipaddress.IPv4Address(hostname))
    except ValueError:
        pass
    _check_dns_name(hostname)
    return hostname


def _refuse_url_parts(hostname: Any) -> None:
    """Empty, a user, a scheme, a path or white space: none is a host."""
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


def _ipv6_host(hostname: str, literal: str) -> str:
    """An IPv6 address (with an optional zone), bracketed for a URL."""
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


def _check_dns_name(hostname: str) -> None:
    """A DNS name that no resolver reads as an IPv4 address."""
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


def validate_port(port: Any) -> Optional[int]:
    """``None`` (the scheme's port) or a port number 1-65535; raises ``ParameterError``."""
    if port is None:
        return None
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise ParameterError("port must be between 1 and 65535, not %r" % (port,))
    return port


def endpoint_path(endpoint: str) -> str:
    """The path of a CGI: param.cgi and basicdeviceinfo.cgi, or one of the Application API's."""
    if endpoint == "param.cgi":
        return PARAM_CGI_PATH
    if endpoint == "basicdeviceinfo.cgi":
        return BASIC_DEVICE_INFO_PATH
    return APPLICATIONS_PATH + endpoint


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

    @property
    def tls_verify(self) -> Union[bool, str]:
        """``verify`` for requests: the CA file or directory, the system store (True), or no check (False)."""
        return (self.ca_path or True) if self.validate_certs else False
