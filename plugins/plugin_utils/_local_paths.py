# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rule for every path option (``src``, ``license_src``, key folders, ``ca_path``), on the controller.

A relative path is looked up, first found wins (docs/fleet_guide.md, "Relative paths"):

1. the folder of the playbook the user runs: each playbook file named on the ``ansible-playbook``
   command line, and ``playbook_dir``, unless it is inside this collection (``vapix.acap.drift`` run by
   name, or brought in with ``import_playbook``: Ansible then sets ``playbook_dir`` to the collection's
   ``playbooks/`` folder, which holds none of the user's files);
2. the folder of the inventory file that defines the host (``inventory_dir``);
3. Ansible's own search, as ``ansible.builtin.copy`` does for ``src``: the role's ``files/`` and folder,
   then the ``files/`` and folder of the playbook that holds the task.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError

# plugins/plugin_utils/_local_paths.py -> the collection's own playbooks (vapix.acap.drift, converge).
COLLECTION_PLAYBOOKS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.realpath(__file__)))),
                                    "playbooks")

# Ansible's own search: (path found or None, the places it looked).
Fallback = Callable[[str], Tuple[Optional[str], List[str]]]


def user_folders(task_vars: Mapping[str, Any], command_line_playbooks: Iterable[Any],
                 collection_playbooks: str = COLLECTION_PLAYBOOKS) -> List[str]:
    """The folders of steps 1 and 2, in order, without repeats."""
    folders: List[str] = []
    playbooks = [os.path.abspath(str(path)) for path in command_line_playbooks if os.path.isfile(str(path))]
    candidates = [os.path.dirname(path) for path in playbooks]
    candidates += [task_vars.get("playbook_dir"), task_vars.get("inventory_dir")]
    for folder in candidates:
        if not folder or not isinstance(folder, str):
            continue
        folder = os.path.abspath(folder)
        if _inside(folder, collection_playbooks) or folder in folders:
            continue
        folders.append(folder)
    return folders


def find_local(value: Any, folders: Sequence[str], fallback: Fallback) -> Any:
    """``value`` (a path or a list of paths) with each relative path replaced by the file or folder the
    rule finds; raises ``AcapError`` naming every place it looked."""
    if isinstance(value, list):
        return [find_local(each, folders, fallback) for each in value]
    path = os.path.expanduser(str(value))
    if os.path.isabs(path):
        if os.path.exists(path):
            return path
        raise AcapError("Local file or folder %s not found on the controller." % path)
    looked = []
    for folder in folders:
        candidate = os.path.join(folder, path)
        if os.path.exists(candidate):
            return candidate
        looked.append(candidate)
    found, searched = fallback(path)
    if found:
        return found
    for place in searched:  # Ansible's own list repeats a folder that is both the role's and the playbook's
        if place not in looked:
            looked.append(place)
    raise AcapError(
        "Local file or folder %r not found on the controller. A relative path is looked up in the folder of the "
        "playbook you run, the folder of the host's inventory file, then the role's and the playbook's files/ "
        "folders; looked in: %s. Give an absolute path, or put it in one of these places." % (value, ", ".join(looked)))


def _inside(folder: str, root: str) -> bool:
    folder, root = os.path.realpath(folder), os.path.realpath(root)
    return folder == root or folder.startswith(root.rstrip(os.sep) + os.sep)
