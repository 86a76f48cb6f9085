# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every plugin's version_added agrees with the changelog (tests/ci/changelog_release_check.py runs the release)."""

from __future__ import annotations

from pathlib import Path

import yaml
from packaging.version import Version

from version_added import last_release, plugin_versions, released_in

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_every_plugin_says_the_release_that_brought_it() -> None:
    versions = plugin_versions(REPO_ROOT)
    assert ("inventory", "cameras") in versions and ("filter", "eap_facts") in versions
    released = released_in(REPO_ROOT)
    last = Version(last_release(REPO_ROOT))
    upcoming = Version(str(yaml.safe_load((REPO_ROOT / "galaxy.yml").read_text(encoding="utf-8"))["version"]))
    assert upcoming > last, "galaxy.yml's version %s must be the next release, after %s" % (upcoming, last)
    wrong = []
    for (kind, name), added in sorted(versions.items()):
        if added is None:
            wrong.append("%s %s has no version_added" % (kind, name))
        elif (kind, name) in released:
            if added != released[(kind, name)]:
                wrong.append("%s %s: version_added %s, but release %s listed it as new"
                             % (kind, name, added, released[(kind, name)]))
        elif not last < Version(added) <= upcoming:
            wrong.append("%s %s: version_added %s, but it is not in a release: it must be after %s and at most %s"
                         % (kind, name, added, last, upcoming))
    assert not wrong, wrong
