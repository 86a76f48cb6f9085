# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Peak memory while uploading a package. Prints numbers; asserts nothing.

    .venv/bin/python tests/benchmarks/bench_upload_memory.py [--sizes 10,300] [--paths in-process,playbook]

For each package size (MB) it builds a signed package with the emulator's builders (in a child
process, into a temporary folder removed at the end), starts a fresh emulator (one device, upload
limit raised above the package size) and installs the package with ``axis_acap``:

- in-process: ``_module.run_in_process`` in a fresh Python process, as an action plugin would on the
  controller; prints that process's peak RSS (``ru_maxrss``) and its RSS before the upload;
- playbook: ``ansible-playbook`` with the module (``connection: local``); prints the peak RSS of the
  largest process of the run (``RUSAGE_CHILDREN`` of a wrapper that runs it) and, from polling
  ``/proc``, the peak of each kind of process (ansible-playbook, its workers, the module).

It also prints the emulator's peak RSS (``VmHWM``) after each upload: the emulator is a test
tool, but a figure that grows with the package means it holds the upload in memory. Target on the
client side: < 100 MB for a 300 MB package. Everything is bounded (each upload or playbook run
has a timeout) and stopped at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

REPO_ROOT = Path(__file__).resolve().parents[2]
EMULATOR_DIR = REPO_ROOT / "tests" / "emulator"
sys.path.insert(0, str(EMULATOR_DIR))

# pylint: disable=wrong-import-position
from vapix_emulator.launcher import emulator_env, start_emulator  # noqa: E402

RUN_TIMEOUT = 1800.0  # seconds, per upload or playbook run
BUILDER_MAX_SIZE = 250 * 1024 * 1024

# Runs in a fresh interpreter: imports, then one axis_acap run in this process, then its peak RSS.
IN_PROCESS_SCRIPT = r"""
import json, resource, sys
sys.path.insert(0, sys.argv[1])
from ansible_collections.vapix.acap.plugins.module_utils import _acap, _module
params = json.loads(sys.argv[2])
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    result = _module.run_in_process(_acap.MODULE_SPEC, params)
    outcome = {"changed": result.get("changed"), "actions": result.get("actions")}
except Exception as exc:  # the benchmark reports it
    outcome = {"failed": True, "msg": str(exc)}
outcome["rss_before_kib"] = before
outcome["peak_rss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps(outcome))
"""

# Runs a command and prints the peak RSS of the largest process among its descendants.
WRAPPER_SCRIPT = r"""
import json, resource, subprocess, sys
process = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
print(json.dumps({"rc": process.returncode, "output": process.stdout[-3000:],
                  "largest_rss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""

PLAYBOOK = """\
- name: Upload one package
  hosts: all
  gather_facts: false
  tasks:
    - name: Install the package
      vapix.acap.axis_acap:
        hostname: "{{ axis_hostname }}"
        port: "{{ axis_port }}"
        use_https: false
        username: root
        password: pass
        timeout: 600
        src: "{{ package }}"
"""


def mib(kib: float) -> str:
    return "%7.1f MiB" % (kib / 1024.0)


def vm_hwm_kib(pid: int) -> Optional[int]:
    try:
        with open("/proc/%d/status" % pid, encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class TreeWatcher:
    """Polls /proc for the descendants of a process and keeps each one's peak RSS (VmHWM) by kind."""

    def __init__(self, root_pid: int) -> None:
        self.root_pid = root_pid
        self.peaks: Dict[str, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeWatcher":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _children(self) -> Dict[int, int]:
        parents = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open("/proc/%s/stat" % entry, encoding="ascii", errors="replace") as stat:
                        fields = stat.read().rsplit(")", 1)[1].split()
                    parents[int(entry)] = int(fields[1])
                except (OSError, IndexError, ValueError):
                    continue
        return parents

    def _descendants(self) -> List[int]:
        parents = self._children()
        found, frontier = [], [self.root_pid]
        while frontier:
            pid = frontier.pop()
            for child, parent in parents.items():
                if parent == pid:
                    found.append(child)
                    frontier.append(child)
        return found

    @staticmethod
    def _kind(pid: int) -> str:
        try:
            with open("/proc/%d/cmdline" % pid, "rb") as cmdline:
                words = [word.decode("utf-8", "replace") for word in cmdline.read().split(b"\0") if word]
        except OSError:
            return "?"
        text = " ".join(words)
        if "AnsiballZ" in text or "ansible_module" in text:
            return "module process (AnsiballZ)"
        if "ansible-playbook" in text:
            return "ansible-playbook (controller and its workers)"
        return os.path.basename(words[0]) if words else "?"

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            for pid in self._descendants():
                peak = vm_hwm_kib(pid)
                if peak:
                    kind = self._kind(pid)
                    self.peaks[kind] = max(self.peaks.get(kind, 0), peak)


def build_package(path: Path, size_mb: int) -> str:
    """A signed package of ``size_mb`` MB; returns how it was made.

    ``build_eap`` cannot pad beyond about 256 MB (``random.randbytes`` overflows), so a bigger package
    is the largest one it builds plus a longer signature trailer (bytes after the gzip stream, which
    both the device and the collection treat as the signature)."""
    size = size_mb * 1024 * 1024
    built = min(size, BUILDER_MAX_SIZE)
    subprocess.run(
        [sys.executable, "-m", "vapix_emulator", "build-eap", "--signed", "--name", "big_app",
         "--size", str(built), "-o", str(path)],
        env=emulator_env(), check=True, timeout=RUN_TIMEOUT, stdout=subprocess.DEVNULL)
    if size <= built:
        return "build_eap"
    with open(path, "ab") as package:
        while package.tell() < size:
            package.write(os.urandom(min(1024 * 1024, size - package.tell())))
    return "build_eap (%d MB) + %d MB more signature trailer" % (built // (1024 * 1024), (size - built) // (1024 * 1024))


def collections_root(work: Path) -> Path:
    root = work / "collections"
    (root / "ansible_collections" / "vapix").mkdir(parents=True)
    (root / "ansible_collections" / "vapix" / "acap").symlink_to(REPO_ROOT)
    return root


def run_in_process(collections: Path, device: dict, package: Path) -> dict:
    params = {"hostname": device["host"], "port": device["port"], "use_https": False, "username": "root",
              "password": "pass", "timeout": 600, "src": [str(package)]}
    process = subprocess.run([sys.executable, "-c", IN_PROCESS_SCRIPT, str(collections), json.dumps(params)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=RUN_TIMEOUT,
                             check=False)
    if process.returncode != 0:
        return {"failed": True, "msg": process.stderr[-2000:]}
    return json.loads(process.stdout.strip().splitlines()[-1])


def run_playbook(collections: Path, work: Path, device: dict, package: Path) -> dict:
    inventory = {"all": {"hosts": {"cam": {
        "axis_hostname": device["host"], "axis_port": device["port"], "package": str(package),
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable}}}}
    (work / "inventory.json").write_text(json.dumps(inventory), encoding="utf-8")
    (work / "upload.yml").write_text(PLAYBOOK, encoding="utf-8")
    ansible_playbook = str(Path(sys.executable).parent / "ansible-playbook")
    env = {name: value for name, value in os.environ.items() if not name.startswith(("AXIS_", "ANSIBLE_"))}
    env.update({"ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_COLLECTIONS_SCAN_SYS_PATH": "False",
                "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "False",
                "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"), "ANSIBLE_HOME": str(work / "ansible-home")})
    command = [sys.executable, "-c", WRAPPER_SCRIPT, ansible_playbook, "-i", str(work / "inventory.json"),
               str(work / "upload.yml")]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                          cwd=str(work), start_new_session=True) as process:
        with TreeWatcher(process.pid) as watcher:
            try:
                stdout, stderr = process.communicate(timeout=RUN_TIMEOUT)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.communicate()
                return {"failed": True, "msg": "ansible-playbook ran longer than %.0f s" % RUN_TIMEOUT}
    try:
        outcome = json.loads(stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {"failed": True, "msg": stderr[-2000:]}
    outcome["peaks"] = watcher.peaks
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,300", help="package sizes in MB, comma-separated")
    parser.add_argument("--paths", default="in-process,playbook", help="in-process, playbook or both")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    paths = [path.strip() for path in args.paths.split(",") if path.strip()]
    work = Path(tempfile.mkdtemp(prefix="vapix-bench-upload-"))
    print("python %s, %d CPUs; sizes %s MB; paths %s" % (sys.version.split()[0], os.cpu_count() or 0, sizes, paths))
    try:
        collections = collections_root(work)
        for size_mb in sizes:
            package = work / ("big_app_%d.eap" % size_mb)
            start = time.monotonic()
            how = build_package(package, size_mb)
            print("\n%d MB package: %d bytes, %s, built in %.1f s"
                  % (size_mb, package.stat().st_size, how, time.monotonic() - start))
            for path in paths:
                emulator = start_emulator(1, work / ("emulator-%d-%s" % (size_mb, path)), https=False,
                                          extra_args=["--max-upload-size", str(package.stat().st_size + 1024 * 1024),
                                                      "--firmware", "11.11.73"])
                try:
                    device = emulator.devices[0]
                    ready_hwm = vm_hwm_kib(emulator.process.pid) or 0
                    start = time.monotonic()
                    if path == "in-process":
                        outcome = run_in_process(collections, device, package)
                    else:
                        outcome = run_playbook(collections, work, device, package)
                    elapsed = time.monotonic() - start
                    emulator_hwm = vm_hwm_kib(emulator.process.pid) or 0
                finally:
                    emulator.stop()
                if outcome.get("failed") or outcome.get("rc"):
                    print("  %-10s FAILED after %.1f s: %s" % (path, elapsed, outcome.get("msg") or outcome.get("output")))
                    continue
                if path == "in-process":
                    print("  in-process: uploading process peak RSS %s (%s after imports, before the upload); "
                          "%.1f s; %s" % (mib(outcome["peak_rss_kib"]), mib(outcome["rss_before_kib"]), elapsed,
                                          outcome.get("actions")))
                else:
                    print("  playbook:   largest process peak RSS %s; %.1f s" % (mib(outcome["largest_rss_kib"]), elapsed))
                    for kind, peak in sorted(outcome["peaks"].items(), key=lambda item: -item[1]):
                        print("              %-48s %s" % (kind, mib(peak)))
                print("  emulator:   peak RSS %s (%s when ready)" % (mib(emulator_hwm), mib(ready_hwm)))
            package.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
