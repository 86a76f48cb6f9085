"""Fixtures of the emulator's own test suite.

One emulator process (8 devices, HTTP and HTTPS, a state directory) serves the whole session; each test
takes the next device round-robin and resets it, so tests never see each other's state. Tests that need
other command-line options (a short nonce lifetime, persistence across a restart, bind failures) start
their own process with ``emulator_factory``.

Addresses and ports are random (127.<r>.<r>.1, a free-looking port) and a start that fails to bind (exit
code 2) is retried elsewhere, so several test sessions can run on one machine at the same time.
"""

from __future__ import annotations

import itertools
import sys
import tempfile
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
import requests
from lxml import etree
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

EMULATOR_ROOT = Path(__file__).resolve().parents[1]
if str(EMULATOR_ROOT) not in sys.path:
    sys.path.insert(0, str(EMULATOR_ROOT))

from vapix_emulator.launcher import (  # noqa: E402  pylint: disable=wrong-import-position
    EmulatorProcess,
    start_emulator as launch_emulator,
)

SCHEMA_DIR = EMULATOR_ROOT / "schemas"
LIST_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "list_cgi.xsd")))
APP_PATH = "/axis-cgi/applications/"
ADMIN = ("root", "pass")
OPERATOR = ("operator", "operpass")
VIEWER = ("viewer", "viewpass")
READY_TIMEOUT = 60.0
REQUEST_TIMEOUT = 30.0


# --------------------------------------------------------------------------------------------------
# Emulator processes
# --------------------------------------------------------------------------------------------------


# Processes are started by the emulator package's own launcher (shared with the integration
# harness, the benchmarks and the demo); stderr logs go to one temporary folder per session.
_LOG_DIR = Path(tempfile.mkdtemp(prefix="vapix-emulator-tests-"))


def start_emulator(
    devices: int,
    *extra_args: str,
    https: bool = True,
    state_dir: Optional[Path] = None,
    base_address: Optional[str] = None,
    port: Optional[int] = None,
) -> EmulatorProcess:
    """Start ``python -m vapix_emulator serve``; retry on another address/port when binding fails
    (unless the address or port is given: then a failed bind raises, with returncode 2)."""
    return launch_emulator(devices, _LOG_DIR, https=https, extra_args=list(extra_args), state_dir=state_dir,
                           base_address=base_address, port=port, ready_timeout=READY_TIMEOUT)


# --------------------------------------------------------------------------------------------------
# One device, as a client sees it
# --------------------------------------------------------------------------------------------------


class Device:
    """A client's view of one emulated device plus the emulator-only hooks."""

    def __init__(self, info: dict) -> None:
        self.info = info
        self.host: str = info["host"]
        self.port: int = int(info["port"])
        self.https_port: Optional[int] = info.get("https_port")
        self.serial_number: str = info["serial_number"]
        self.ca_file: Optional[str] = info.get("ca_file")
        self.base_url = "http://{0}:{1}".format(self.host, self.port)
        self.https_url = "https://{0}:{1}".format(self.host, self.https_port) if self.https_port else None
        self.hooks = requests.Session()

    # ---- emulator hooks ----------------------------------------------------------------------

    def hook(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        response = self.hooks.request(method, self.base_url + "/emulator/" + path, timeout=REQUEST_TIMEOUT, **kwargs)
        assert response.status_code < 300, "hook {0} {1}: HTTP {2} {3}".format(method, path, response.status_code, response.text[:500])
        return response

    def reset(self, **profile: Any) -> dict:
        response = self.hook("POST", "reset", json=profile)
        self.clear_faults()
        self.clear_log()
        return response.json() if response.content else {}

    def log(self) -> list[dict]:
        return self.hook("GET", "log").json()["entries"]

    def clear_log(self) -> None:
        self.hook("DELETE", "log")

    def state(self) -> dict:
        return self.hook("GET", "state").json()

    def patch_state(self, changes: dict) -> dict:
        response = self.hook("PATCH", "state", json=changes)
        return response.json() if response.content else {}

    def inject_fault(self, kind: str, count: int = 1, match: Optional[dict] = None, **extra: Any) -> None:
        body: dict = {"kind": kind, "count": count}
        if match is not None:
            body["match"] = match
        body.update(extra)
        self.hook("POST", "faults", json=body)

    def clear_faults(self) -> None:
        self.hook("DELETE", "faults")

    def app_state(self, name: str) -> Optional[dict]:
        for application in self.state()["applications"]:
            if application["name"] == name:
                return application
        return None

    # ---- VAPIX as a client would use it --------------------------------------------------------

    def auth(self, scheme: str = "digest", user: tuple[str, str] = ADMIN) -> requests.auth.AuthBase:
        return HTTPDigestAuth(*user) if scheme == "digest" else HTTPBasicAuth(*user)

    def request(self, method: str, path: str, *, scheme: str = "digest", user: tuple[str, str] = ADMIN,
                https: bool = False, verify: Any = None, auth: Any = "default", **kwargs: Any) -> requests.Response:
        base = self.https_url if https else self.base_url
        if https and verify is None:
            verify = self.ca_file
        if auth == "default":
            auth = self.auth(scheme, user)
        kwargs.setdefault("timeout", REQUEST_TIMEOUT)
        return requests.request(method, base + path, auth=auth, verify=verify if verify is not None else True, **kwargs)

    def cgi(self, name: str, method: str = "POST", **kwargs: Any) -> requests.Response:
        return self.request(method, APP_PATH + name, **kwargs)

    def upload(self, data: bytes, filename: str = "app.eap", field: str = "packfil", **kwargs: Any) -> requests.Response:
        return self.cgi("upload.cgi", files={field: (filename, data, "application/octet-stream")}, **kwargs)

    def control(self, action: str, package: str, **kwargs: Any) -> requests.Response:
        return self.cgi("control.cgi", params={"action": action, "package": package}, **kwargs)

    def upload_license(self, package: str, data: bytes, **kwargs: Any) -> requests.Response:
        return self.cgi("license.cgi", params={"action": "uploadlicensekey", "package": package},
                        files={"licenseKey": ("key.xml", data, "application/octet-stream")}, **kwargs)

    def remove_license(self, package: str, **kwargs: Any) -> requests.Response:
        return self.cgi("license.cgi", params={"action": "removelicensekey", "package": package}, **kwargs)

    def config(self, action: str, name: str, value: Optional[str] = None, **kwargs: Any) -> requests.Response:
        params = {"action": action, "name": name}
        if value is not None:
            params["value"] = value
        return self.cgi("config.cgi", params=params, **kwargs)

    def list_xml(self, **kwargs: Any) -> etree._Element:
        """list.cgi, checked against the API page's schema on every call the suite makes."""
        response = self.cgi("list.cgi", **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers.get("Content-Type", "").startswith("text/xml"), response.headers.get("Content-Type")
        root = etree.fromstring(response.content)
        LIST_SCHEMA.assertValid(root)
        return root

    def applications(self) -> dict[str, dict]:
        """list.cgi as {Name: attributes}."""
        return {element.get("Name"): dict(element.attrib) for element in self.list_xml().findall("application")}

    def install(self, data: bytes, *, allow_unsigned: bool = True) -> None:
        """Set-up helper: install a package the way a user would (config.cgi, then upload.cgi)."""
        if allow_unsigned:
            assert self.config("set", "AllowUnsigned", "true").status_code == 200
        response = self.upload(data)
        assert response.text.strip() == "OK", response.text


def text_reply(response: requests.Response) -> str:
    """The text/plain body (``OK`` / ``Error: N``) after checking the documented framing."""
    assert response.status_code == 200, "HTTP {0}: {1}".format(response.status_code, response.text[:300])
    assert response.headers.get("Content-Type", "").startswith("text/plain"), response.headers.get("Content-Type")
    return response.text.strip()


# --------------------------------------------------------------------------------------------------
# Schemas
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def list_schema() -> etree.XMLSchema:
    return LIST_SCHEMA


@pytest.fixture(scope="session")
def config_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "config_cgi.xsd")))


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------

SESSION_DEVICES = 8


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    started = start_emulator(SESSION_DEVICES, state_dir=tmp_path_factory.mktemp("emulator-state"))
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def all_devices(emulator: EmulatorProcess) -> list[Device]:
    return [Device(info) for info in emulator.devices]


_device_counter = itertools.count()


@pytest.fixture
def device(all_devices: list[Device]) -> Device:
    """The next device round-robin, reset to the default profile with log and faults cleared."""
    chosen = all_devices[next(_device_counter) % len(all_devices)]
    chosen.reset()
    return chosen


@pytest.fixture
def other_device(all_devices: list[Device], device: Device) -> Device:
    """A second reset device, different from ``device``."""
    chosen = all_devices[(all_devices.index(device) + 1) % len(all_devices)]
    chosen.reset()
    return chosen


@pytest.fixture
def emulator_factory() -> Iterator[Any]:
    """Start extra emulator processes; all are stopped at the end of the test."""
    started: list[EmulatorProcess] = []

    def factory(devices: int = 1, *extra_args: str, **kwargs: Any) -> EmulatorProcess:
        process = start_emulator(devices, *extra_args, **kwargs)
        started.append(process)
        return process

    yield factory
    for process in started:
        if process.process.poll() is None:
            process.stop()
