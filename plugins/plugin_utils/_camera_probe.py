# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Probing cameras for the inventory plugin vapix.acap.cameras: serial number, model, firmware, architecture.

With credentials, the modules' own client reads the device properties (``VapixClient.get_device_properties``:
param.cgi, basicdeviceinfo.cgi as the fallback; it sends credentials only after the device's challenge, so a
device that allows anonymous reads gets none). Without credentials, one anonymous basicdeviceinfo.cgi
``getAllUnrestrictedProperties`` request, the method devices answer without authentication; it has no
architecture. Many cameras are probed at once by a bounded pool of threads. A camera that cannot be read is
still returned, with its status and the reason.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any, Dict, List, Optional

from ansible_collections.vapix.acap.plugins.module_utils._addresses import ConnectionSettings, endpoint_path
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._errors import (
    AcapError,
    AuthenticationError,
    DeviceUnreachableError,
    TlsError,
)

try:
    import requests
except ImportError:  # the client reports it
    requests = None  # type: ignore[assignment]

# Probe status words (host variable axis_probe.status, groups vapix_probe_<status>).
OK = "ok"
AUTH_FAILED = "auth_failed"
UNREACHABLE = "unreachable"
TLS_ERROR = "tls_error"
ERROR = "error"


@dataclass
class ProbeTarget:
    """One camera to probe: where, and with what (credentials stay out of results and the cache)."""

    name: str
    settings: ConnectionSettings


@dataclass
class ProbeResult:
    status: str
    message: Optional[str] = None
    serial_number: Optional[str] = None
    model: Optional[str] = None
    firmware_version: Optional[str] = None
    architecture: Optional[str] = None
    authenticated: bool = False

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


def _anonymous(settings: ConnectionSettings) -> ProbeResult:
    """basicdeviceinfo.cgi getAllUnrestrictedProperties without credentials."""
    if requests is None:
        return ProbeResult(ERROR, "the requests Python library is required to probe cameras: install requirements.txt")
    url = settings.base_url + endpoint_path("basicdeviceinfo.cgi")
    try:
        reply = requests.post(url, json={"apiVersion": "1.0", "method": "getAllUnrestrictedProperties"},
                              verify=settings.tls_verify, timeout=(settings.connect_timeout, settings.timeout),
                              headers={"User-Agent": "vapix.acap"})
    except requests.exceptions.SSLError as exc:
        return ProbeResult(TLS_ERROR, "TLS verification of %s failed: %s" % (settings.address, exc))
    except requests.exceptions.RequestException as exc:
        return ProbeResult(UNREACHABLE, "%s did not answer: %s" % (settings.address, type(exc).__name__))
    if reply.status_code in (401, 403):
        return ProbeResult(AUTH_FAILED, "%s asks for credentials (HTTP %d) and the inventory has none for it: set "
                                        "username and password (or a credentials set) in the inventory configuration"
                           % (settings.address, reply.status_code))
    try:
        properties = reply.json()["data"]["propertyList"]
        if not isinstance(properties, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return ProbeResult(ERROR, "%s answered basicdeviceinfo.cgi with HTTP %d and no propertyList"
                           % (settings.address, reply.status_code))
    return ProbeResult(OK, serial_number=properties.get("SerialNumber") or None,
                       model=properties.get("ProdShortName") or None, firmware_version=properties.get("Version") or None,
                       architecture=properties.get("Architecture") or None)


def probe_camera(settings: ConnectionSettings) -> ProbeResult:
    """One camera's facts; never raises for a device problem."""
    if not settings.username:
        return _anonymous(settings)
    try:
        with VapixClient(settings) as client:
            facts = client.get_device_properties()
    except AuthenticationError as exc:
        return ProbeResult(AUTH_FAILED, str(exc))
    except TlsError as exc:
        return ProbeResult(TLS_ERROR, str(exc))
    except DeviceUnreachableError as exc:
        return ProbeResult(UNREACHABLE, str(exc))
    except AcapError as exc:
        return ProbeResult(ERROR, str(exc))
    return ProbeResult(OK, serial_number=facts.serial_number, model=facts.product,
                       firmware_version=facts.firmware_version, architecture=facts.architecture, authenticated=True)


def probe_cameras(targets: List[ProbeTarget], workers: int) -> Dict[str, ProbeResult]:
    """Every target's result by name, at most ``workers`` at a time."""
    if not targets:
        return {}
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(targets)))) as pool:
        results = pool.map(lambda target: probe_camera(target.settings), targets)
        return {target.name: result for target, result in zip(targets, results)}
