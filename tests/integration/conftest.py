# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Integration harness: the bundled emulator, its devices, playbooks and in-process logic runs.

The fixture API is the contract written in docs/testing.md. Everything here talks
to the emulator over real HTTP on loopback; nothing is mocked.
"""

from __future__ import annotations

import atexit
import io
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Deque, Dict, Iterable, Iterator, List, Optional, Sequence, Union

import pytest
import requests
from requests.auth import HTTPBasicAuth, HTTPDigestAuth

REPO_ROOT = Path(__file__).resolve().parents[2]
INTEGRATION_DIR = Path(__file__).resolve().parent
PLAYBOOK_DIR = INTEGRATION_DIR / "playbooks"
CALLBACK_DIR = INTEGRATION_DIR / "callback_plugins"
# Overridable to run the suite against another build of the emulator.
EMULATOR_DIR = Path(os.environ.get("VAPIX_EMULATOR_DIR") or REPO_ROOT / "tests" / "emulator")

RECORDER_CALLBACK = "vapix_recorder"
RECORDER_FILE_ENV = "VAPIX_RECORDER_FILE"

EMULATOR_DEVICE_COUNT = int(os.environ.get("VAPIX_EMULATOR_DEVICES", "64"))
EMULATOR_READY_TIMEOUT = 60.0  # seconds; the emulator creates a CA and 64 certificates at start
EMULATOR_BIND_ATTEMPTS = 10  # exit code 2 means a bind failed: pick other ports and try again
HOOK_TIMEOUT = 15.0
PLAYBOOK_TIMEOUT = float(os.environ.get("VAPIX_PLAYBOOK_TIMEOUT", "900"))

DEFAULT_USERNAME = "root"
DEFAULT_PASSWORD = "pass"

# The logic module (plugins/module_utils) behind each module, see docs/architecture.md.
LOGIC_MODULES = {
    "axis_acap": "_acap",
    "axis_acap_license": "_license",
    "axis_acap_config": "_config",
    "axis_acap_info": "_info",
    "axis_acap_parameters": "_parameters",
    "axis_acap_state": "_state",
}

# A developer's shell may point the collection at a real camera through these; tests must not.
for _name in [name for name in os.environ if name.startswith("AXIS_")]:
    del os.environ[_name]


# --------------------------------------------------------------------------------------------
# The collection on sys.path and on ANSIBLE_COLLECTIONS_PATH
# --------------------------------------------------------------------------------------------

def _make_collection_root() -> Path:
    """A temporary ``ansible_collections/vapix/acap`` that points at this checkout.

    Done at import time (not in a fixture) so that test modules can import
    ``ansible_collections.vapix.acap...`` at module level.
    """
    root = Path(tempfile.mkdtemp(prefix="vapix-acap-collections-"))
    namespace_dir = root / "ansible_collections" / "vapix"
    namespace_dir.mkdir(parents=True)
    (namespace_dir / "acap").symlink_to(REPO_ROOT, target_is_directory=True)
    atexit.register(shutil.rmtree, str(root), True)
    return root


COLLECTIONS_ROOT = _make_collection_root()
# The collection, and the emulator package (its builders make test inputs), are importable in tests.
for _path in (str(COLLECTIONS_ROOT), str(EMULATOR_DIR)):
    if _path not in sys.path:
        sys.path.insert(0, _path)


# --------------------------------------------------------------------------------------------
# The emulator process
# --------------------------------------------------------------------------------------------

# The launcher is the emulator package's own (shared with its tests, the benchmarks and the demo).
from vapix_emulator.launcher import (  # noqa: E402  pylint: disable=wrong-import-position
    EmulatorProcess,
    EmulatorStartError,
    start_emulator as launch_emulator,
)


def start_emulator(work_dir: Path) -> EmulatorProcess:
    if not (EMULATOR_DIR / "vapix_emulator").is_dir():
        raise EmulatorStartError("the emulator is missing: %s/vapix_emulator does not exist" % EMULATOR_DIR)
    return launch_emulator(EMULATOR_DEVICE_COUNT, work_dir, https=True, attempts=EMULATOR_BIND_ATTEMPTS,
                           ready_timeout=EMULATOR_READY_TIMEOUT)


# --------------------------------------------------------------------------------------------
# One emulated device
# --------------------------------------------------------------------------------------------

class EmulatorDevice:
    """One device of the emulator, with its test hooks (no auth, not logged)."""

    def __init__(self, description: Dict[str, Any], hooks: requests.Session,
                 emulator: Optional[EmulatorProcess] = None) -> None:
        self._hooks = hooks
        self._emulator = emulator
        self.description: Dict[str, Any] = {}
        self.host = ""
        self.port = 0
        self.https_port = 0
        self.serial_number = ""
        self.ca_file = ""
        self.profile: Dict[str, Any] = {}
        self._describe(description)
        self.inventory_name = "cam-%s" % self.serial_number

    def __repr__(self) -> str:
        return "<EmulatorDevice %s %s:%s>" % (self.serial_number, self.host, self.port)

    def _describe(self, description: Dict[str, Any]) -> None:
        self.description.update(description)
        self.host = self.description.get("host", self.host)
        self.port = int(self.description.get("port", self.port))
        self.https_port = int(self.description.get("https_port", self.https_port))
        self.serial_number = self.description.get("serial_number", self.serial_number)
        self.ca_file = self.description.get("ca_file", self.ca_file)

    # -- hooks -------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return "http://%s:%d" % (self.host, self.port)

    @property
    def https_base_url(self) -> str:
        return "https://%s:%d" % (self.host, self.https_port)

    def _hook(self, method: str, path: str, payload: Any = None) -> Any:
        try:
            response = self._hooks.request(method, self.base_url + "/emulator/" + path,
                                           json=payload, timeout=HOOK_TIMEOUT)
        except requests.RequestException as error:
            raise RuntimeError("emulator hook %s /emulator/%s on %s failed: %s%s"
                               % (method, path, self.host, error, self._emulator_status())) from None
        if response.status_code >= 400:
            raise RuntimeError("emulator hook %s /emulator/%s on %s answered %d: %s"
                               % (method, path, self.host, response.status_code, response.text[:500]))
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def _emulator_status(self) -> str:
        """Why a hook may fail: the emulator process ended (with its stderr), or nothing known."""
        if self._emulator is None:
            return ""
        code = self._emulator.process.poll()
        if code is None:
            return " (the emulator process is running)"
        return " (the emulator process exited with code %s; stderr:\n%s)" % (code, self._emulator.stderr_tail())

    def reset(self, **profile: Any) -> Dict[str, Any]:
        """Back to a fresh device with these profile overrides; log and faults cleared."""
        description = self._hook("POST", "reset", profile)
        if isinstance(description, dict):
            self._describe(description)
        self.profile = dict(profile)
        self.clear_faults()
        self.clear_log()
        return self.description

    def log(self) -> List[Dict[str, Any]]:
        return list(self._hook("GET", "log").get("entries", []))

    def authenticated_log(self) -> List[Dict[str, Any]]:
        """Log entries that are operations: 401 answers are Digest challenges, not operations."""
        return [entry for entry in self.log() if entry.get("status") != 401]

    def clear_log(self) -> None:
        self._hook("DELETE", "log")

    def state(self) -> Dict[str, Any]:
        return self._hook("GET", "state")

    def patch_state(self, changes: Dict[str, Any]) -> Dict[str, Any]:
        return self._hook("PATCH", "state", changes)

    def inject_fault(self, kind: str, count: int = 1, match: Optional[str] = None, **kw: Any) -> Any:
        payload: Dict[str, Any] = {"kind": kind, "count": count, "match": match}
        payload.update(kw)
        return self._hook("POST", "faults", payload)

    def clear_faults(self) -> None:
        self._hook("DELETE", "faults")

    # -- for modules and set-up -------------------------------------------------------------

    def conn_params(self, **overrides: Any) -> Dict[str, Any]:
        """Module connection parameters for this device: plain HTTP, root/pass, unless overridden.

        ``use_https=True`` without an explicit ``port`` selects the HTTPS port.
        """
        params: Dict[str, Any] = {
            "hostname": self.host,
            "port": self.port,
            "use_https": False,
            "validate_certs": True,
            "username": DEFAULT_USERNAME,
            "password": DEFAULT_PASSWORD,
            "auth_method": "auto",
            "timeout": 10,
        }
        if overrides.get("use_https") and "port" not in overrides:
            params["port"] = self.https_port
        params.update(overrides)
        return params

    def inventory_vars(self) -> Dict[str, Any]:
        return {
            "axis_hostname": self.host,
            "axis_port": self.port,
            "axis_https_port": self.https_port,
            "axis_username": DEFAULT_USERNAME,
            "axis_password": DEFAULT_PASSWORD,
            "axis_use_https": False,
            "axis_validate_certs": True,
            "axis_ca_file": self.ca_file,
            "axis_serial_number": self.serial_number,
            "ansible_connection": "local",
            "ansible_python_interpreter": sys.executable,
        }

    def admin_post(self, path: str, **kwargs: Any) -> requests.Response:
        """POST ``path`` as the default admin (another client than the module under test): Digest,
        or Basic when the device offers only Basic. ``kwargs`` go to ``requests.post``."""
        url = self.base_url + path
        response = requests.post(url, auth=HTTPDigestAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD),
                                 timeout=60, **kwargs)
        if response.status_code == 401 and "basic" in response.headers.get("WWW-Authenticate", "").lower():
            response = requests.post(url, auth=HTTPBasicAuth(DEFAULT_USERNAME, DEFAULT_PASSWORD),
                                     timeout=60, **kwargs)
        return response

    _admin_post = admin_post  # the first name of admin_post; kept for tests that use it

    def install(self, eap_bytes: bytes, start: bool = False, filename: Optional[str] = None,
                name: Optional[str] = None) -> str:
        """Upload a package as a user would (upload.cgi) and optionally start it.

        Returns the application's short name (read from the package unless given).
        """
        app_name = name or package_app_name(eap_bytes)
        response = self.admin_post(
            "/axis-cgi/applications/upload.cgi",
            files={"packfil": (filename or "%s.eap" % app_name, eap_bytes, "application/octet-stream")},
        )
        if response.status_code != 200 or response.text.strip() != "OK":
            raise RuntimeError("set-up upload of %s to %s failed: HTTP %d %r"
                               % (app_name, self.host, response.status_code, response.text[:300]))
        if start:
            response = self.admin_post("/axis-cgi/applications/control.cgi",
                                       params={"action": "start", "package": app_name})
            if response.status_code != 200 or response.text.strip() != "OK":
                raise RuntimeError("set-up start of %s on %s failed: HTTP %d %r"
                                   % (app_name, self.host, response.status_code, response.text[:300]))
        return app_name


def package_app_name(eap_bytes: bytes) -> str:
    """The short name (appName / APPNAME) inside an .eap, for set-up calls that need it."""
    with tarfile.open(fileobj=io.BytesIO(eap_bytes), mode="r:*") as archive:
        members = {member.name.lstrip("./"): member for member in archive.getmembers()}
        if "manifest.json" in members:
            manifest = json.load(archive.extractfile(members["manifest.json"]))
            return manifest["acapPackageConf"]["setup"]["appName"]
        if "package.conf" in members:
            text = archive.extractfile(members["package.conf"]).read().decode("utf-8", "replace")
            for line in text.splitlines():
                key, separator, value = line.partition("=")
                if separator and key.strip() == "APPNAME":
                    return value.strip().strip("\"'")
    raise ValueError("the package has neither manifest.json appName nor package.conf APPNAME; pass name=")


class DevicePool:
    """Hands out distinct devices; a released device goes to the back of the line."""

    def __init__(self, devices: Iterable[EmulatorDevice]) -> None:
        self._free: Deque[EmulatorDevice] = deque(devices)
        self._size = len(self._free)

    def take(self, count: int = 1) -> List[EmulatorDevice]:
        if count > len(self._free):
            raise RuntimeError("asked for %d emulator devices, %d of %d are free"
                               % (count, len(self._free), self._size))
        return [self._free.popleft() for dummy in range(count)]

    def release(self, devices: Iterable[EmulatorDevice]) -> None:
        self._free.extend(devices)


# --------------------------------------------------------------------------------------------
# Playbook runs
# --------------------------------------------------------------------------------------------

class RecordedResult(dict):
    """A task result as the module returned it, plus where and how it ended.

    ``status`` is one of ok, changed, failed, skipped, unreachable; it is also
    the ``"status"`` key unless the module itself returned a ``status`` key.
    """

    def __init__(self, record: Dict[str, Any]) -> None:
        super().__init__(record.get("result") or {})
        self.status: str = record["status"]
        self.host: str = record["host"]
        self.task_name: str = record["task"]
        self.ignored: bool = bool(record.get("ignored"))
        self.setdefault("status", self.status)


@dataclass(repr=False)
class PlaybookResult:
    rc: int
    stdout: str
    stderr: str
    results: List[Dict[str, Any]]
    command: List[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "ansible-playbook rc=%d\n--- stdout ---\n%s\n--- stderr ---\n%s" % (
            self.rc, self.stdout[-8000:], self.stderr[-4000:])

    __repr__ = __str__  # pytest shows repr() of an assertion message: make it the readable summary

    def tasks(self, name: str, host: Union[None, str, EmulatorDevice] = None) -> List[RecordedResult]:
        """Every recorded (non-item) result of the task ``name``, for one host or all."""
        host_name = host.inventory_name if isinstance(host, EmulatorDevice) else host
        return [RecordedResult(record) for record in self.results
                if record["task"] == name and not record.get("item")
                and (host_name is None or record["host"] == host_name)]

    def task(self, name: str, host: Union[None, str, EmulatorDevice] = None) -> RecordedResult:
        """The result of task ``name`` on ``host`` (may be omitted when one host ran it)."""
        found = self.tasks(name, host)
        if not found:
            known = sorted({record["task"] for record in self.results})
            raise KeyError("no recorded result for task %r%s; recorded tasks: %s\n%s"
                           % (name, "" if host is None else " on %s" % host, known, self))
        hosts = {result.host for result in found}
        if len(hosts) > 1:
            raise KeyError("task %r ran on %d hosts (%s); pass host=" % (name, len(hosts), sorted(hosts)))
        return found[-1]

    def items(self, name: str, host: Union[None, str, EmulatorDevice] = None) -> List[RecordedResult]:
        """Per-item results of a looped task."""
        host_name = host.inventory_name if isinstance(host, EmulatorDevice) else host
        return [RecordedResult(record) for record in self.results
                if record["task"] == name and record.get("item")
                and (host_name is None or record["host"] == host_name)]


_playbook_counter = itertools.count(1)


def _as_devices(hosts: Union[EmulatorDevice, Sequence[EmulatorDevice]]) -> List[EmulatorDevice]:
    if isinstance(hosts, EmulatorDevice):
        return [hosts]
    return list(hosts)


def _resolve_playbook(playbook: Union[str, Path], run_dir: Path) -> Path:
    """A path (relative: under tests/integration/playbooks/) or YAML text."""
    if isinstance(playbook, str) and ("\n" in playbook or playbook.lstrip().startswith("-")):
        path = run_dir / "playbook.yml"
        path.write_text(playbook, encoding="utf-8")
        return path
    path = Path(playbook)
    if not path.is_absolute():
        path = PLAYBOOK_DIR / path
    if not path.is_file():
        raise FileNotFoundError("playbook not found: %s" % path)
    return path


def ansible_env(extra: Optional[Dict[str, str]] = None) -> Dict[str, str]:
    """Environment for ansible-* subprocesses: this collection only, no colour, no retry files."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AXIS_", "ANSIBLE_"))}
    env.update({
        "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT),
        "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "ANSIBLE_RETRY_FILES_ENABLED": "False",
        "ANSIBLE_HOST_KEY_CHECKING": "False",
        "ANSIBLE_DEPRECATION_WARNINGS": "True",
        "PYTHONDONTWRITEBYTECODE": "1",
    })
    env.update(extra or {})
    return env


def ansible_command(tool: str) -> List[str]:
    """The ansible-* entry point of the interpreter running the tests."""
    script = Path(sys.executable).parent / tool
    if script.is_file():
        return [str(script)]
    found = shutil.which(tool)
    if found:
        return [found]
    raise FileNotFoundError("%s not found next to %s nor on PATH" % (tool, sys.executable))


def run_ansible_playbook(
    playbook: Union[str, Path],
    hosts: Union[EmulatorDevice, Sequence[EmulatorDevice]],
    work_dir: Path,
    extra_vars: Optional[Dict[str, Any]] = None,
    check: bool = False,
    diff: bool = False,
    verbosity: int = 0,
    forks: int = 10,
    env: Optional[Dict[str, str]] = None,
    timeout: float = PLAYBOOK_TIMEOUT,
) -> PlaybookResult:
    run_dir = work_dir / ("playbook-%03d" % next(_playbook_counter))
    run_dir.mkdir(parents=True)
    devices = _as_devices(hosts)
    inventory = {"all": {"hosts": {device.inventory_name: device.inventory_vars() for device in devices}}}
    inventory_path = run_dir / "inventory.yml"
    inventory_path.write_text(json.dumps(inventory, indent=2), encoding="utf-8")  # JSON is YAML
    playbook_path = _resolve_playbook(playbook, run_dir)
    recorder_path = run_dir / "results.jsonl"

    command = ansible_command("ansible-playbook") + ["-i", str(inventory_path), "--forks", str(forks)]
    if extra_vars:
        extra_vars_path = run_dir / "extra_vars.json"
        extra_vars_path.write_text(json.dumps(extra_vars), encoding="utf-8")
        command += ["-e", "@%s" % extra_vars_path]
    if check:
        command.append("--check")
    if diff:
        command.append("--diff")
    if verbosity:
        command.append("-" + "v" * verbosity)
    command.append(str(playbook_path))

    recorder_env = {
        "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
        "ANSIBLE_CALLBACKS_ENABLED": RECORDER_CALLBACK,
        RECORDER_FILE_ENV: str(recorder_path),
        "ANSIBLE_LOCAL_TEMP": str(run_dir / "ansible-tmp"),
    }
    recorder_env.update(env or {})
    # Own process group, so that a run past its timeout is stopped with all its forks.
    with subprocess.Popen(command, cwd=str(run_dir), env=ansible_env(recorder_env), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            raise TimeoutError("ansible-playbook ran longer than %.0f s and was killed: %s\n%s\n%s"
                               % (timeout, " ".join(command), stdout[-4000:], stderr[-4000:])) from None
    results: List[Dict[str, Any]] = []
    if recorder_path.exists():
        with open(recorder_path, encoding="utf-8") as handle:
            results = [json.loads(line) for line in handle if line.strip()]
    return PlaybookResult(rc=process.returncode, stdout=stdout, stderr=stderr, results=results, command=command)


# --------------------------------------------------------------------------------------------
# In-process logic runs
# --------------------------------------------------------------------------------------------

def run_module_logic(module: str, params: Dict[str, Any], check_mode: bool = False) -> Dict[str, Any]:
    """The module's own validation and logic, in this process (``_module.run_in_process``)."""
    import importlib  # pylint: disable=import-outside-toplevel

    if module not in LOGIC_MODULES:
        raise ValueError("unknown module %r; known: %s" % (module, sorted(LOGIC_MODULES)))
    logic = importlib.import_module("ansible_collections.vapix.acap.plugins.module_utils.%s" % LOGIC_MODULES[module])
    runner = importlib.import_module("ansible_collections.vapix.acap.plugins.module_utils._module")
    return runner.run_in_process(logic.MODULE_SPEC, params, check_mode)


# --------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def collections_root() -> Path:
    """Directory that holds ansible_collections/vapix/acap (-> this checkout)."""
    return COLLECTIONS_ROOT


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatorProcess]:
    work_dir = tmp_path_factory.mktemp("emulator")
    try:
        process = start_emulator(work_dir)
    except EmulatorStartError as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def _hook_session() -> Iterator[requests.Session]:
    session = requests.Session()
    session.trust_env = False  # no proxy for loopback hooks
    yield session
    session.close()


@pytest.fixture(scope="session")
def device_pool(emulator: EmulatorProcess, _hook_session: requests.Session) -> DevicePool:
    return DevicePool(EmulatorDevice(description, _hook_session, emulator) for description in emulator.devices)


@pytest.fixture
def device(device_pool: DevicePool) -> Iterator[EmulatorDevice]:
    """One emulator device, reset to the default profile, log and faults cleared."""
    (taken,) = device_pool.take(1)
    try:
        taken.reset()
        yield taken
    finally:
        device_pool.release([taken])


@pytest.fixture
def devices(device_pool: DevicePool) -> Iterator[Any]:
    """Factory: ``devices(n)`` -> n distinct reset devices (released after the test)."""
    taken_all: List[EmulatorDevice] = []

    def take(count: int) -> List[EmulatorDevice]:
        taken = device_pool.take(count)
        taken_all.extend(taken)
        for each in taken:
            each.reset()
        return taken

    try:
        yield take
    finally:
        device_pool.release(taken_all)


@pytest.fixture
def run_playbook(tmp_path: Path) -> Any:
    """``run_playbook(playbook, hosts, extra_vars=None, check=False, diff=False, verbosity=0, forks=10)``."""

    def run(playbook: Union[str, Path], hosts: Union[EmulatorDevice, Sequence[EmulatorDevice]],
            extra_vars: Optional[Dict[str, Any]] = None, check: bool = False, diff: bool = False,
            verbosity: int = 0, forks: int = 10, env: Optional[Dict[str, str]] = None,
            timeout: float = PLAYBOOK_TIMEOUT) -> PlaybookResult:
        return run_ansible_playbook(playbook, hosts, tmp_path, extra_vars=extra_vars, check=check, diff=diff,
                                    verbosity=verbosity, forks=forks, env=env, timeout=timeout)

    return run


@pytest.fixture
def run_logic() -> Any:
    """``run_logic(module, params, check_mode=False)`` -> the logic's result dict; AcapError propagates."""
    return run_module_logic
