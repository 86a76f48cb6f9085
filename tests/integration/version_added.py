# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The plugins' ``version_added`` and the changelog, read from the files (no ansible-doc).

Shared by test_version_added.py and tests/ci/changelog_release_check.py.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Optional, Set, Tuple

import yaml
from packaging.version import Version

# plugins/<folder> -> the plugin type antsibull-changelog uses.
PLUGIN_FOLDERS = {"modules": "module", "inventory": "inventory", "filter": "filter", "callback": "callback",
                  "lookup": "lookup", "test": "test", "connection": "connection"}


def documentation(path: Path) -> Optional[Dict]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "DOCUMENTATION" for target in node.targets):
            return yaml.safe_load(node.value.value)
    return None


def plugin_versions(repo: Path) -> Dict[Tuple[str, str], Optional[str]]:
    """{(type, name): version_added} of every documented plugin."""
    found = {}
    for folder, kind in PLUGIN_FOLDERS.items():
        for path in sorted((repo / "plugins" / folder).glob("*.py")):
            doc = documentation(path)
            if doc is not None:
                found[(kind, path.stem)] = str(doc["version_added"]) if doc.get("version_added") else None
    return found


def releases(repo: Path) -> Dict[str, Dict]:
    changes = yaml.safe_load((repo / "changelogs" / "changelog.yaml").read_text(encoding="utf-8"))
    return {str(version): release or {} for version, release in (changes.get("releases") or {}).items()}


def released_in(repo: Path) -> Dict[Tuple[str, str], str]:
    """{(type, name): the release that listed it as new}."""
    found = {}
    for version, release in releases(repo).items():
        for entry in release.get("modules", []):
            found[("module", entry["name"])] = version
        for kind, entries in release.get("plugins", {}).items():
            for entry in entries:
                found[(kind, entry["name"])] = version
    return found


def last_release(repo: Path) -> Optional[str]:
    versions = sorted(releases(repo), key=Version)
    return versions[-1] if versions else None


def expected_new_plugins(repo: Path, version: str) -> Dict[str, Set[str]]:
    """What a release of ``version`` must list as new: version_added after the last release, at most ``version``."""
    last = last_release(repo)
    expected: Dict[str, Set[str]] = {}
    for (kind, name), added in plugin_versions(repo).items():
        if added and (last is None or Version(added) > Version(last)) and Version(added) <= Version(version):
            expected.setdefault(kind, set()).add(name)
    return expected


def fragment_objects(repo: Path) -> Dict[str, Set[str]]:
    """{object type: names} of the fragments' ``add object.<type>`` sections."""
    found: Dict[str, Set[str]] = {}
    for path in (repo / "changelogs" / "fragments").glob("*.y*ml"):
        for section, entries in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).items():
            if section.startswith("add object."):
                found.setdefault(section.split(".", 1)[1], set()).update(entry["name"] for entry in entries)
    return found
