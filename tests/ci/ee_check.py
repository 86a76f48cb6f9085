# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check the collection's execution environment metadata with ansible-builder (from .venv-tools).

1. Install the built tarball into a collections folder; ``ansible-builder introspect`` must find
   exactly requirements.txt and bindep.txt there (through meta/execution-environment.yml).
2. pip must resolve those requirements together with narrower ones another collection of the same
   execution environment may ask for (``lxml<6``, ``requests<2.32``): ranges, not pins.
3. bindep.txt lists no system package because none is needed: pip resolves requirements.txt (the versions
   an EE build picks) for CPython 3.11 on manylinux x86_64 and aarch64, the EE
   base images' platforms, with binary wheels only (``--only-binary=:all:``), so nothing is compiled.
4. ``ansible-builder create`` on the execution environment definition of docs/awx.md (read between
   its ``<!-- example execution-environment.yml -->`` markers; the tarball name is the only thing
   replaced) must give a build context whose galaxy requirements name the tarball it holds.

Usage: python tests/ci/ee_check.py vapix-acap-X.tar.gz WORK_DIR   (tools on PATH)
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import List

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = re.compile(r"^<!-- example execution-environment\.yml[^\n]*-->\n```yaml\n(?P<body>.*?)^```\n<!-- end example -->$",
                     re.MULTILINE | re.DOTALL)
TARBALL_NAME = re.compile(r"vapix-acap-[0-9][0-9A-Za-z.+-]*\.tar\.gz")
# What another collection in the same execution environment might ask for.
NARROWER = ["lxml<6", "requests<2.32"]
# The platforms of the EE base images (docs/awx.md: Python 3.11 on CentOS Stream 9 / UBI 9, x86_64 and aarch64).
EE_PLATFORMS = {"x86_64": ["manylinux_2_28_x86_64", "manylinux2014_x86_64"],
                "aarch64": ["manylinux_2_28_aarch64", "manylinux2014_aarch64"]}


def run(command: List[str], cwd: Path) -> str:
    completed = subprocess.run(command, cwd=str(cwd), stdin=subprocess.DEVNULL, capture_output=True, text=True,
                               check=False)
    if completed.returncode != 0:
        raise SystemExit("ee: %s failed (rc %d):\n%s%s"
                         % (" ".join(command), completed.returncode, completed.stdout, completed.stderr))
    return completed.stdout


def requirement_lines(path: Path) -> List[str]:
    """Non-comment lines, without inline comments (ansible-builder adds '# from collection ...')."""
    lines = [line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line]


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SystemExit("ee: " + message)
    print("ee: ok: " + message, flush=True)


def main(tarball: Path, work: Path) -> int:
    work.mkdir(parents=True, exist_ok=True)
    collections = work / "collections"
    run(["ansible-galaxy", "collection", "install", "--offline", "-p", str(collections), str(tarball)], work)

    run(["ansible-builder", "introspect", "--sanitize", str(collections), "--write-pip", str(work / "pip.txt"),
         "--write-bindep", str(work / "bindep.txt")], work)
    python_needs = requirement_lines(work / "pip.txt")
    check(python_needs == requirement_lines(REPO_ROOT / "requirements.txt"),
          "ansible-builder reads requirements.txt through meta/execution-environment.yml: %s" % python_needs)
    # introspect writes no bindep file when the collection needs no system package.
    system_needs = requirement_lines(work / "bindep.txt") if (work / "bindep.txt").exists() else []
    check(system_needs == requirement_lines(REPO_ROOT / "bindep.txt"),
          "ansible-builder reads bindep.txt through meta/execution-environment.yml: %s" % system_needs)

    run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed", "--disable-pip-version-check",
         "-r", str(work / "pip.txt")] + NARROWER, work)
    check(True, "pip resolves the requirements together with %s" % " ".join(NARROWER))

    check(requirement_lines(REPO_ROOT / "bindep.txt") == [], "bindep.txt lists no system package")
    for machine, platforms in EE_PLATFORMS.items():
        platform_args = [arg for platform in platforms for arg in ("--platform", platform)]
        run([sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--ignore-installed",
             "--disable-pip-version-check", "--only-binary=:all:", "--python-version", "3.11",
             "--target", str(work / "wheels")] + platform_args + python_needs, work)
        check(True, "binary wheels only, CPython 3.11 %s: %s" % (machine, " ".join(python_needs)))

    matches = EXAMPLE.findall((REPO_ROOT / "docs" / "awx.md").read_text(encoding="utf-8"))
    check(len(matches) == 1, "docs/awx.md has one marked execution-environment.yml example")
    definition = TARBALL_NAME.sub(tarball.name, matches[0])
    project = work / "ee-project"
    project.mkdir()
    (project / "execution-environment.yml").write_text(definition, encoding="utf-8")
    shutil.copy2(tarball, project / tarball.name)
    run(["ansible-builder", "create", "-f", "execution-environment.yml", "-c", "context"], project)
    context = project / "context"
    containerfiles = [name for name in ("Containerfile", "Dockerfile") if (context / name).is_file()]
    check(bool(containerfiles), "ansible-builder create wrote %s" % containerfiles)
    requirements = yaml.safe_load((context / "_build" / "requirements.yml").read_text(encoding="utf-8"))
    files = [entry["name"] for entry in requirements.get("collections", []) if entry.get("type") == "file"]
    check(len(files) == 1 and files[0].endswith(tarball.name), "the EE's galaxy requirements name the tarball: %s" % files)
    # The galaxy stage runs in /build, a copy of _build: the relative path must be there.
    check((context / "_build" / files[0]).is_file(), "the build context holds %s" % files[0])
    containerfile = (context / containerfiles[0]).read_text(encoding="utf-8")
    check("COPY _build /build" in containerfile and "WORKDIR /build" in containerfile,
          "the galaxy stage installs from /build, where the tarball is")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    sys.exit(main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()))
