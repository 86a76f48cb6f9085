# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Build the collection's docs site the way antsibull-docs documents it, offline, warnings as errors.

1. ``antsibull-docs sphinx-init --use-current`` (the collection on ANSIBLE_COLLECTIONS_PATH: this checkout);
2. ``antsibull-docs collection`` into ``rst/`` (plugin pages and the guides of docs/docsite);
3. ``sphinx-build -W --keep-going``, with intersphinx pointed at a local inventory instead of the
   ansible-core docs on the web (unreachable from CI): it holds only the ansible-core docs targets the
   generated pages refer to, with their URLs under https://docs.ansible.com/projects/ansible/devel/:
   the labels listed in CORE_LABELS, ``ansible.builtin`` plugin pages, and ``ANSIBLE_*`` configuration
   variables the site itself does not define. Any other unresolved reference (a broken link to one of
   this collection's pages, a guide's typo, an unknown code-block language) fails the build.

Usage: python tests/ci/docs_build.py WORK_DIR   (antsibull-docs and sphinx-build on PATH: .venv-tools)
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Dict, List

REPO_ROOT = Path(__file__).resolve().parents[2]
CORE_DOCS = "https://docs.ansible.com/projects/ansible/devel/"
# ansible-core docs labels that antsibull-docs writes into plugin pages, and their pages.
CORE_LABELS = {
    "action_plugins": "plugins/action.html#action-plugins",
    "callback_plugins": "plugins/callback.html#callback-plugins",
    "list_of_callback_plugins": "collections/callback_index.html#list-of-callback-plugins",
    "list_of_collections": "collections/index.html#list-of-collections",
    "common_return_values": "reference_appendices/common_return_values.html#common-return-values",
    "ansible_configuration_settings": "reference_appendices/config.html#ansible-configuration-settings",
}
BUILTIN_LABEL = re.compile(r"^ansible_collections\.ansible\.builtin\.(?P<plugin>\w+?)_(?P<type>module|lookup|filter|test|"
                           r"callback|inventory|cache|become|connection)(?:__(?P<anchor>[\w-]+))?$")
REF = re.compile(r":ref:`(?:[^`<]*<(?P<target>[^>`]+)>|(?P<bare>[^`<]+))`")
ENVVAR = re.compile(r":(?:envvar|ansenvvarref):`(?P<name>[^`]+)`")
# An option of another collection's plugin (semantic markup O(ansible.builtin.copy#module:src)).
FOREIGN_OPTION = re.compile(r":ansopt:`(?P<fqcn>ansible\.builtin\.\w+)#(?P<type>\w+):(?P<option>[\w.]+)`")
ENVVAR_DEFINED = re.compile(r"^\.\. envvar:: (?P<name>\S+)", re.MULTILINE)


def run(command: List[str], cwd: Path, env: Dict[str, str]) -> None:
    print("docs: " + " ".join(command), flush=True)
    if subprocess.run(command, cwd=str(cwd), env=env, stdin=subprocess.DEVNULL, check=False).returncode != 0:
        raise SystemExit("docs: %s failed" % command[0])


def core_inventory(rst: Path) -> bytes:
    """A Sphinx objects.inv (version 2) with the ansible-core docs targets the pages refer to."""
    texts = [path.read_text(encoding="utf-8") for path in rst.rglob("*.rst")]
    defined = {match.group("name") for text in texts for match in ENVVAR_DEFINED.finditer(text)}
    lines = []
    for text in texts:
        for match in REF.finditer(text):
            label = (match.group("target") or match.group("bare")).strip()
            builtin = BUILTIN_LABEL.match(label)
            if label in CORE_LABELS:
                lines.append("%s std:label -1 %s -" % (label, CORE_LABELS[label]))
            elif builtin:
                page = "collections/ansible/builtin/%s_%s.html" % (builtin.group("plugin"), builtin.group("type"))
                anchor = builtin.group("anchor") or label.replace(".", "-").replace("_", "-")
                lines.append("%s std:label -1 %s#%s -" % (label, page, anchor))
        for match in FOREIGN_OPTION.finditer(text):
            label = "ansible_collections.%s_%s__parameter-%s" % (match.group("fqcn"), match.group("type"),
                                                                 match.group("option").replace(".", "/"))
            page = "collections/ansible/builtin/%s_%s.html" % (match.group("fqcn").rsplit(".", 1)[1], match.group("type"))
            lines.append("%s std:label -1 %s#parameter-%s -" % (label, page, match.group("option")))
        for match in ENVVAR.finditer(text):
            name = match.group("name").replace("\\", "")
            if name.startswith("ANSIBLE_") and name not in defined:
                lines.append("%s std:envvar 1 reference_appendices/config.html#envvar-%s -" % (name, name))
    header = "# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n" \
             "# The remainder of this file is compressed using zlib.\n"
    return header.encode() + zlib.compress(("\n".join(sorted(set(lines))) + "\n").encode())


def main(work: Path) -> int:
    started = time.monotonic()
    collections = work / "collections"
    (collections / "ansible_collections" / "vapix").mkdir(parents=True, exist_ok=True)
    link = collections / "ansible_collections" / "vapix" / "acap"
    if not link.exists():
        link.symlink_to(REPO_ROOT)
    site = work / "site"
    site.mkdir(mode=0o700)
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
    run(["antsibull-docs", "sphinx-init", "--use-current", "--fail-on-error", "--dest-dir", str(site), "vapix.acap"],
        work, env)
    rst = site / "rst"
    rst.chmod(0o700)
    run(["antsibull-docs", "--config-file", "antsibull-docs.cfg", "collection", "--cleanup", "everything",
         "--fail-on-error", "--use-current", "--dest-dir", "rst", "vapix.acap"], site, env)
    (site / "ansible_devel.inv").write_bytes(core_inventory(rst))
    with open(site / "conf.py", "a", encoding="utf-8") as conf:
        conf.write("\n# Offline (tests/ci/docs_build.py): ansible-core's docs through a local inventory only.\n"
                   "intersphinx_mapping = {'ansible_devel': (%r, %r)}\n" % (CORE_DOCS, str(site / "ansible_devel.inv")))
    run(["sphinx-build", "-M", "html", "rst", "build", "-c", ".", "-W", "--keep-going", "-q"], site, env)
    pages = len(list((site / "build" / "html").rglob("*.html")))
    print("docs: the site built with warnings as errors: %d HTML pages in %.0f s (%s)"
          % (pages, time.monotonic() - started, site / "build" / "html"))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    sys.exit(main(Path(sys.argv[1]).resolve()))
