# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A dry run of the next release: ``antsibull-changelog release`` in a scratch copy of the collection.

The release (galaxy.yml's version) must list as new every plugin whose ``version_added`` is after the last
release and at most this one (antsibull-changelog reads them with ansible-doc; ``--cummulative-release``,
antsibull-changelog's spelling, because 0.2.0 was not released on its own and 0.3.0 brings its plugins too), and the objects the
fragments add (the playbooks); nothing else. The checkout is not touched.

Usage: python tests/ci/changelog_release_check.py   (antsibull-changelog and ansible-doc on PATH: .venv)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, Set

import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "integration"))

from version_added import expected_new_plugins, fragment_objects  # noqa: E402  pylint: disable=wrong-import-position,import-error


def scratch_copy(root: Path) -> Path:
    """What git sees of the checkout, at root/ansible_collections/vapix/acap."""
    dest = root / "ansible_collections" / "vapix" / "acap"
    dest.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=str(REPO_ROOT),
                           capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO_ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def listed(release: Dict) -> Dict[str, Set[str]]:
    found: Dict[str, Set[str]] = {"module": {entry["name"] for entry in release.get("modules", [])}}
    for kind, entries in release.get("plugins", {}).items():
        found[kind] = {entry["name"] for entry in entries}
    for kind, entries in release.get("objects", {}).items():
        found["object:" + kind] = {entry["name"] for entry in entries}
    return {kind: names for kind, names in found.items() if names}


def main() -> int:
    version = str(yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"])
    expected = expected_new_plugins(REPO_ROOT, version)
    for kind, names in fragment_objects(REPO_ROOT).items():
        expected.setdefault("object:" + kind, set()).update(names)
    with tempfile.TemporaryDirectory(prefix="vapix-acap-release-") as scratch:
        collection = scratch_copy(Path(scratch))
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=scratch, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
        completed = subprocess.run(["antsibull-changelog", "release", "--version", version, "--date", "2099-01-01",
                                    "--cummulative-release"],
                                   cwd=str(collection), env=env, capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise SystemExit("changelog: antsibull-changelog release failed:\n%s%s" % (completed.stdout, completed.stderr))
        changes = yaml.safe_load((collection / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))
        release = changes["releases"].get(version, {})
        markdown = (collection / "CHANGELOG.md").read_text(encoding="utf-8")
    got = listed(release)
    for kind in sorted(set(got) | set(expected)):
        print("changelog: %s %s new: %s" % (version, kind, ", ".join(sorted(got.get(kind, ()))) or "-"))
    if got != expected:
        raise SystemExit("changelog: the dry run of release %s lists %s; the plugins' version_added and the fragments say %s"
                         % (version, got, expected))
    if "v%s" % version.replace(".", "\\.") not in markdown:
        raise SystemExit("changelog: CHANGELOG.md of the dry run has no section for %s" % version)
    print("changelog: the dry run of release %s lists every new plugin and object (%d)"
          % (version, sum(len(names) for names in got.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
