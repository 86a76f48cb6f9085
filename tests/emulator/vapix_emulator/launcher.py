"""Start the emulator as a child process and talk to its test hooks.

One place for what the test harnesses, the benchmarks and the demo all need:
pick free loopback addresses and ports, start ``python -m vapix_emulator
serve``, wait for its ready line, and stop it for sure at the end.
"""

from __future__ import annotations

import json
import os
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

EMULATOR_DIR = Path(__file__).resolve().parent.parent  # tests/emulator, the PYTHONPATH entry
BIND_FAILED_EXIT_CODE = 2


class EmulatorStartError(RuntimeError):
    """The emulator did not come up; the message carries its stderr."""

    def __init__(self, message: str, returncode: Optional[int] = None) -> None:
        super().__init__(message)
        self.returncode = returncode


@dataclass
class EmulatorProcess:
    """A running emulator: its devices as announced on stdout, and the process."""

    process: "subprocess.Popen[str]"
    command: List[str]
    stderr_path: Path
    devices: List[Dict[str, Any]] = field(default_factory=list)
    ready: Dict[str, Any] = field(default_factory=dict)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        """Send ``sig`` and wait; returns the exit code. An emulator that does not stop within
        ``timeout`` is killed, and that is an error: it must end cleanly on SIGTERM and SIGINT."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
                raise RuntimeError("the emulator did not stop within %.0f s of signal %d" % (timeout, sig)) from None
        if self.process.stdout:
            self.process.stdout.close()
        return self.process.returncode

    def stderr_tail(self, limit: int = 4000) -> str:
        try:
            return self.stderr_path.read_text(encoding="utf-8", errors="replace")[-limit:]
        except OSError:
            return ""

    def __enter__(self) -> "EmulatorProcess":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()


def emulator_env() -> Dict[str, str]:
    """The environment in which ``python -m vapix_emulator`` finds its package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(EMULATOR_DIR), env.get("PYTHONPATH", "")]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the parent dies, even by SIGKILL (Linux; elsewhere a no-op),
    so that a killed test run leaves no emulator behind."""
    try:
        import ctypes  # pylint: disable=import-outside-toplevel

        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _pump(stream: Iterable[str], lines: "queue.Queue[Optional[str]]") -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def random_base_address() -> str:
    """A loopback /24 unlikely to be in use (not 127.0.x.x, where 127.0.0.1 services and the
    emulator's documented default 127.0.10.1 live)."""
    rng = random.SystemRandom()
    return "127.%d.%d.1" % (rng.randint(20, 254), rng.randint(0, 255))


def random_port(low: int = 20000, high: int = 60000) -> int:
    return random.SystemRandom().randint(low, high)


def _launch(
    devices: int,
    work_dir: Path,
    attempt: int,
    https: bool,
    extra_args: List[str],
    ready_timeout: float,
    python: str,
    base_address: Optional[str],
    port: Optional[int],
) -> Optional[EmulatorProcess]:
    """One try; None when a bind failed on addresses and ports chosen at random."""
    command = [
        python, "-m", "vapix_emulator", "serve",
        "--devices", str(devices),
        "--base-address", base_address or random_base_address(),
        "--port", str(port or random_port(20000, 40000)),
    ]
    if https:
        command += ["--https-port", str(random_port(40001, 60000))]
    command += extra_args
    stderr_path = work_dir / ("emulator-stderr-%d.log" % attempt)
    with open(stderr_path, "w", encoding="utf-8") as stderr_file:
        process = subprocess.Popen(  # pylint: disable=consider-using-with
            command, cwd=str(work_dir), env=emulator_env(), stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE, stderr=stderr_file, text=True, start_new_session=True,
            preexec_fn=_die_with_parent,  # pylint: disable=subprocess-popen-preexec-fn
        )
    emulator = EmulatorProcess(process=process, command=command, stderr_path=stderr_path)
    lines: "queue.Queue[Optional[str]]" = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()

    deadline = time.monotonic() + ready_timeout
    while not emulator.ready:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            emulator.stop()
            raise EmulatorStartError(
                "the emulator printed no ready line within %.0f s (%s); stderr:\n%s"
                % (ready_timeout, " ".join(command), emulator.stderr_tail()))
        try:
            line = lines.get(timeout=min(remaining, 1.0))
        except queue.Empty:
            continue
        if line is None:  # stdout closed: the process is ending
            code = process.wait(timeout=10)
            if code == BIND_FAILED_EXIT_CODE and base_address is None and port is None:
                return None
            raise EmulatorStartError(
                "the emulator exited with code %s before it was ready (%s); stderr:\n%s"
                % (code, " ".join(command), emulator.stderr_tail()), code)
        line = line.strip()
        if not line.startswith("{"):
            continue
        message = json.loads(line)
        if message.get("ready"):
            emulator.ready = message
        else:
            emulator.devices.append(message)

    if len(emulator.devices) != devices:
        emulator.stop()
        raise EmulatorStartError("the emulator announced %d devices, %d were asked for"
                                 % (len(emulator.devices), devices))
    return emulator


def start_emulator(
    devices: int,
    work_dir: Path,
    https: bool = True,
    extra_args: Optional[List[str]] = None,
    attempts: int = 10,
    ready_timeout: float = 60.0,
    python: Optional[str] = None,
    state_dir: Optional[Path] = None,
    base_address: Optional[str] = None,
    port: Optional[int] = None,
) -> EmulatorProcess:
    """Start an emulator with ``devices`` devices.

    Without ``base_address`` and ``port`` it picks loopback addresses and ports
    at random and tries others when a bind fails (exit code 2), so that several
    test sessions can run on one machine at once. With them, a failed bind is
    an ``EmulatorStartError`` whose ``returncode`` is 2.
    """
    work_dir.mkdir(parents=True, exist_ok=True)
    arguments = list(extra_args or [])
    if state_dir is not None:
        arguments += ["--state-dir", str(state_dir)]
    for attempt in range(1, attempts + 1):
        emulator = _launch(devices, work_dir, attempt, https, arguments, ready_timeout,
                           python or sys.executable, base_address, port)
        if emulator is not None:
            return emulator
    raise EmulatorStartError("the emulator could not bind its addresses in %d attempts" % attempts)


class DeviceHooks:
    """The emulator's test hooks (``/emulator/...``) of one device, over HTTP."""

    def __init__(self, host: str, port: int, timeout: float = 30.0) -> None:
        import requests  # the emulator itself needs no requests; its clients do

        self.base_url = "http://%s:%d/emulator" % (host, port)
        self.timeout = timeout
        self._session = requests.Session()

    def call(self, method: str, path: str, payload: Any = None) -> Any:
        response = self._session.request(method, self.base_url + path, json=payload, timeout=self.timeout)
        response.raise_for_status()
        return response.json() if response.content else None

    def reset(self, **profile: Any) -> Any:
        return self.call("POST", "/reset", profile)

    def log(self) -> List[Dict[str, Any]]:
        return self.call("GET", "/log")["entries"]

    def clear_log(self) -> None:
        self.call("DELETE", "/log")

    def state(self) -> Dict[str, Any]:
        return self.call("GET", "/state")

    def patch_state(self, changes: Dict[str, Any]) -> Any:
        return self.call("PATCH", "/state", changes)

    def inject_fault(self, kind: str, count: int = 1, match: Optional[Dict[str, str]] = None,
                     **options: Any) -> Any:
        fault: Dict[str, Any] = {"kind": kind, "count": count}
        if match:
            fault["match"] = match
        fault.update(options)
        return self.call("POST", "/faults", fault)

    def clear_faults(self) -> None:
        self.call("DELETE", "/faults")


class FleetHooks:
    """The emulator's fleet-wide hooks (``/emulator/fleet/...``): one request for all devices, or the
    serial numbers named, through the address of any one device."""

    def __init__(self, host: str, port: int, timeout: float = 120.0) -> None:
        import requests

        self.base_url = "http://%s:%d/emulator/fleet" % (host, port)
        self.timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # loopback only: never through a proxy from the environment

    def call(self, method: str, path: str, payload: Any = None) -> Any:
        response = self._session.request(method, self.base_url + path, json=payload, timeout=self.timeout)
        response.raise_for_status()
        return response.json()

    def reset(self, serial_numbers: Optional[List[str]] = None, **profile: Any) -> int:
        """Reset the devices (all without ``serial_numbers``); returns how many."""
        payload: Dict[str, Any] = {"profile": profile}
        if serial_numbers is not None:
            payload["serial_numbers"] = list(serial_numbers)
        return self.call("POST", "/reset", payload)["reset"]

    def requests(self, serial_numbers: Optional[List[str]] = None, clear: bool = False) -> Dict[str, Any]:
        """``{"requests": N, "challenges": N, "cameras": {serial: {"requests", "challenges"}}}``: VAPIX
        requests logged other than 401 answers, and the 401 answers; ``clear`` empties the logs read."""
        payload: Dict[str, Any] = {"clear": clear}
        if serial_numbers is not None:
            payload["serial_numbers"] = list(serial_numbers)
        return self.call("POST", "/requests", payload)

    def patch_states(self, cameras: Dict[str, Dict[str, Any]]) -> int:
        """``{serial: body of PATCH /emulator/state}`` for many devices in one request; returns how many."""
        return self.call("PATCH", "/state", {"cameras": cameras})["patched"]
