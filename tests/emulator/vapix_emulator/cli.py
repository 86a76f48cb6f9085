"""``python -m vapix_emulator serve``: N virtual devices on consecutive loopback addresses."""

from __future__ import annotations

import argparse
import asyncio
import errno
import ipaddress
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
from typing import List, Optional, Sequence

from .auth import SCHEMES, User, parse_user_spec
from .device import LOG_LIMIT, NON_ADMIN_STATUSES, Device, Profile
from .fleethooks import Fleet
from .httpserver import ConnectionLimit, HttpServer, close_connections
from .vapix import DeviceHandler

DEFAULT_USERS = ("root:pass:admin", "operator:operpass:operator", "viewer:viewpass:viewer")
BIND_FAILED = 2
# Descriptors kept free of connections: stdio, the event loop, state files, spooled upload parts.
RESERVED_FILES = 256


def device_addresses(base: str, count: int) -> List[str]:
    """Consecutive loopback addresses from ``base``, skipping .0 and .255 in every /24."""
    address = ipaddress.IPv4Address(base)
    if not address.is_loopback:
        raise ValueError("base address {0} is not a loopback address (127.0.0.0/8)".format(base))
    result: List[str] = []
    while len(result) < count:
        if address not in ipaddress.IPv4Network("127.0.0.0/8"):
            raise ValueError("{0} devices from {1} run past 127.255.255.254".format(count, base))
        if int(address) & 0xFF not in (0, 255):
            result.append(str(address))
        address += 1
    return result


def _version_text(text: str) -> str:
    from .versions import is_version

    if not is_version(text):
        raise argparse.ArgumentTypeError("{0!r} is not a version such as 12.6.1".format(text))
    return text


def build_parser() -> argparse.ArgumentParser:
    defaults = Profile()
    parser = argparse.ArgumentParser(
        prog="python -m vapix_emulator serve",
        description="Start virtual Axis devices that speak the VAPIX Application API on loopback addresses.",
    )
    parser.add_argument("--devices", type=int, default=1, help="number of devices (default: %(default)s)")
    parser.add_argument("--base-address", default="127.0.10.1", help="first device address, loopback only (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8080, help="HTTP port of every device (default: %(default)s)")
    parser.add_argument("--https-port", type=int, help="also serve HTTPS on this port (certificate from a CA made at start)")
    parser.add_argument("--firmware", type=_version_text, default=defaults.firmware, help="AXIS OS version (default: %(default)s)")
    parser.add_argument("--architecture", default=defaults.architecture, help="aarch64, armv7hf, mips, ... (default: %(default)s)")
    parser.add_argument("--embedded-development", type=_version_text, default=defaults.embedded_development,
                        help="Properties.EmbeddedDevelopment.Version (default: %(default)s)")
    parser.add_argument("--sdks", default=",".join(defaults.sdks), help="supported SDKs, comma-separated (default: %(default)s)")
    parser.add_argument("--auth", choices=SCHEMES, default=defaults.auth, help="schemes offered in the 401 challenge (default: %(default)s)")
    parser.add_argument("--user", action="append", metavar="NAME:PASSWORD:ROLE",
                        help="a user (roles: admin, operator, viewer); repeatable; default: " + ", ".join(DEFAULT_USERS))
    parser.add_argument("--state-dir", help="keep each device's state in DIR/<serial>.json across restarts (and the HTTPS CA in DIR/ca)")
    parser.add_argument("--ca-dir", help="keep the HTTPS CA (ca.pem, ca.key) in this folder across restarts (default: STATE_DIR/ca, "
                                         "or a temporary folder removed at exit)")
    parser.add_argument("--auth-https", choices=SCHEMES, help="schemes offered on HTTPS (default: the same as --auth)")
    parser.add_argument("--non-admin-status", type=int, choices=NON_ADMIN_STATUSES, default=defaults.non_admin_status,
                        help="answer to a valid user without the admin role on the application CGIs (default: %(default)s)")
    parser.add_argument("--body-timeout", type=float, default=defaults.body_timeout,
                        help="seconds without request body bytes before a stalled client is dropped (default: %(default)s)")
    parser.add_argument("--max-upload-size", type=int, default=defaults.max_upload_size, help="bytes (default: %(default)s)")
    parser.add_argument("--max-running", type=int, default=defaults.max_running,
                        help="running applications allowed below AXIS OS 12.6 (control error 9) (default: %(default)s)")
    parser.add_argument("--restart-after-upgrade", action=argparse.BooleanOptionalAction, default=defaults.restart_after_upgrade,
                        help="a running application runs again after an in-place upgrade (default: yes)")
    parser.add_argument("--product", default=defaults.product, help="product name (default: %(default)s)")
    parser.add_argument("--serial-prefix", default="B8A44F", help="serial = prefix + 6 hex digits of the device index (default: %(default)s)")
    parser.add_argument("--log-limit", type=int, default=LOG_LIMIT,
                        help="request log entries kept per device, oldest dropped first (default: %(default)s)")
    parser.add_argument("--nonce-lifetime", type=float, default=300.0, help="Digest nonce lifetime in seconds (default: %(default)s)")
    return parser


def _raise_file_limit(needed: int) -> None:
    """Each device holds one or two listening sockets plus its connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        target = hard if hard == resource.RLIM_INFINITY else min(max(needed, soft), hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


def _limit_connections(listening: int) -> None:
    """Keep accept() below the file limit (see ``ConnectionLimit``): what the listening sockets and a
    reserve leave of the limit is the most connections open at once."""
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    if soft == resource.RLIM_INFINITY:
        return
    ConnectionLimit.maximum = max(16, soft - listening - RESERVED_FILES)
    if ConnectionLimit.maximum < listening:
        sys.stderr.write("vapix_emulator: file limit {0}: at most {1} connections open at once; past that the longest-idle "
                         "keep-alive connections are closed\n".format(soft, ConnectionLimit.maximum))


async def _serve(devices: List[Device], https_context, stop: asyncio.Event) -> int:
    servers = []
    fleet = Fleet(devices)
    try:
        for device in devices:
            handler = DeviceHandler(device, fleet)
            plain = HttpServer(handler, "http")
            servers.append(await asyncio.start_server(plain.serve_connection, device.host, device.port, backlog=128))
            if https_context is not None and device.https_port is not None:
                secure = HttpServer(handler, "https")
                servers.append(await asyncio.start_server(secure.serve_connection, device.host, device.https_port,
                                                          ssl=https_context, backlog=128))
    except OSError as exc:
        reason = "address already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        sys.stderr.write("vapix_emulator: cannot bind {0}: {1}\n".format(
            "{0} port {1}{2}".format(device.host, device.port, " / https {0}".format(device.https_port) if device.https_port else ""), reason))
        sys.stderr.flush()
        for server in servers:
            server.close()
        return BIND_FAILED
    for device in devices:
        sys.stdout.write(json.dumps({key: device.describe()[key] for key in (
            "host", "port", "https_port", "serial_number", "firmware", "architecture", "embedded_development", "ca_file")}) + "\n")
    sys.stdout.write(json.dumps({"ready": True, "devices": len(devices), "pid": os.getpid()}) + "\n")
    sys.stdout.flush()
    await stop.wait()
    for server in servers:
        server.close()
    await close_connections()
    return 0


def main_serve(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.devices < 1:
        parser.error("--devices must be at least 1")
    if args.log_limit < 1:
        parser.error("--log-limit must be at least 1")
    for option in ("port", "https_port"):
        value = getattr(args, option)
        if value is not None and not 1 <= value <= 65535:
            parser.error("--{0} must be a TCP port (1-65535)".format(option.replace("_", "-")))
    if args.https_port is not None and args.https_port == args.port:
        parser.error("--https-port must differ from --port")
    try:
        hosts = device_addresses(args.base_address, args.devices)
        users: List[User] = [parse_user_spec(spec) for spec in (args.user or DEFAULT_USERS)]
        profile = Profile().with_overrides({
            "firmware": args.firmware, "architecture": args.architecture, "embedded_development": args.embedded_development,
            "sdks": args.sdks, "auth": args.auth, "auth_https": args.auth_https or "", "max_running": args.max_running,
            "non_admin_status": args.non_admin_status, "body_timeout": args.body_timeout,
            "restart_after_upgrade": args.restart_after_upgrade, "max_upload_size": args.max_upload_size, "product": args.product,
        })
    except ValueError as exc:
        parser.error(str(exc))
    if len({user.name for user in users}) != len(users):
        parser.error("--user names must be unique")
    if not args.serial_prefix or len(args.serial_prefix) > 6 or any(c not in "0123456789ABCDEFabcdef" for c in args.serial_prefix):
        parser.error("--serial-prefix must be 1 to 6 hex digits")
    if args.state_dir:
        os.makedirs(args.state_dir, exist_ok=True)

    _raise_file_limit(args.devices * 2 + 1024)
    _limit_connections(args.devices * (2 if args.https_port is not None else 1))
    tls_dir = None
    https_context = None
    ca_file = None
    if args.https_port is not None:
        from .tls import make_certificates, server_context

        tls_dir = tempfile.mkdtemp(prefix="vapix-emulator-tls-")
        ca_dir = args.ca_dir or (os.path.join(args.state_dir, "ca") if args.state_dir else None)
        try:
            if ca_dir:
                os.makedirs(ca_dir, mode=0o700, exist_ok=True)
            ca_file, cert_path, key_path = make_certificates(tls_dir, hosts, ca_dir)
        except (OSError, ValueError) as exc:
            shutil.rmtree(tls_dir, ignore_errors=True)
            sys.stderr.write("vapix_emulator: {0}\n".format(exc))
            return BIND_FAILED
        https_context = server_context(cert_path, key_path)

    try:
        devices = [
            Device(index=index, host=host, port=args.port, https_port=args.https_port,
                   serial_number="{0}{1:06X}".format(args.serial_prefix.upper(), index), profile=profile, users=users,
                   nonce_lifetime=args.nonce_lifetime, state_dir=args.state_dir, ca_file=ca_file, log_limit=args.log_limit)
            for index, host in enumerate(hosts, start=1)
        ]
    except ValueError as exc:
        sys.stderr.write("vapix_emulator: {0}\n".format(exc))
        if tls_dir:
            shutil.rmtree(tls_dir, ignore_errors=True)
        return BIND_FAILED

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        return loop.run_until_complete(_serve(devices, https_context, stop))
    finally:
        loop.close()
        if tls_dir:
            shutil.rmtree(tls_dir, ignore_errors=True)
