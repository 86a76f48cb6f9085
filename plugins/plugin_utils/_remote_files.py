# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module path of the action plugin: the task's local files copied to the target's temporary
directory, the module run there, and the remote paths in its result mapped back to the local ones.

Where a file option sits in the parameters is a slot: ``("src",)`` or ``("applications", 2,
"license_src")``; ``file_slots`` finds them from ``ModuleSpec.local_files`` (docs/architecture.md,
Action plugins).
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Tuple

from ansible.plugins.action import ActionBase

from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError
from ansible_collections.vapix.acap.plugins.module_utils._key_collection import index_key_folder, load_keys
from ansible_collections.vapix.acap.plugins.module_utils._key_index import (
    SUMMARY_NAME,
    KeyFilesNeeded,
    list_key_files,
    summary_document,
)

# Where a file option sits in the parameters: ("src",) or ("applications", 2, "license_src").
Slot = Tuple[Any, ...]


class RemoteFilesAction(ActionBase):
    """An action that runs its module on the target, with the local files the task names copied there."""

    def _run_module(self, params: Dict[str, Any], local_files: Tuple[str, ...], module_args: Dict[str, Any],
                    task_vars: Dict[str, Any]) -> Dict[str, Any]:
        """Copy the local files the task needs to the remote temporary directory, run the module, clean up.

        Each file keeps its name (the device sees it) in a folder of its own; the module's result
        names the local paths again, so both paths report the same thing. A key folder is sent as a
        summary of its index (no key content): when the module needs a key it answers with the device's
        serial number, and runs again with that serial number's key files only."""
        remote_names: Dict[str, str] = {}
        # An async task runs in Ansible's async wrapper, which answers with the job id at once and removes
        # the temporary directory (with the copied files) when the job ends; Ansible polls it (poll > 0),
        # or the playbook does with async_status (poll 0). Such a job cannot ask for key files: it gets
        # them all (_send_local_files).
        wrap_async = bool(self._task.async_val) and not self._connection.has_native_async
        job_started = False
        key_folders: List[Tuple[str, str]] = []  # (local folder, remote folder)
        try:
            slots = file_slots(params, local_files)
            if slots:
                self._send_local_files(slots, module_args, remote_names, key_folders)
            result = self._execute_module(module_args=module_args, task_vars=task_vars, wrap_async=wrap_async)
            if wrap_async:
                job_started = not result.get("failed")
                return result
            serial = result.get(KeyFilesNeeded.RESULT_FIELD)
            if isinstance(serial, str) and key_folders:
                self._send_key_files(serial, key_folders)
                result = self._execute_module(module_args=module_args, task_vars=task_vars)
            result.pop(KeyFilesNeeded.RESULT_FIELD, None)
            return _replace_paths(result, remote_names)
        finally:
            if not job_started and self._connection._shell.tmpdir:  # pylint: disable=protected-access
                self._remove_tmp_path(self._connection._shell.tmpdir)  # pylint: disable=protected-access

    def _send_local_files(self, slots: List[Tuple[Slot, Any]], module_args: Dict[str, Any],
                          remote_names: Dict[str, str], key_folders: List[Tuple[str, str]]) -> None:
        shell = self._connection._shell  # pylint: disable=protected-access
        if not shell.tmpdir:
            self._make_tmp_path()
        folders: List[str] = []
        transfers: List[Tuple[str, str]] = []  # (local, remote)
        summaries: List[Tuple[str, bytes]] = []  # (remote, data)

        def place(local: str) -> str:
            folder = shell.join_path(shell.tmpdir, "vapix-file-%d" % len(folders))
            folders.append(folder)
            remote = shell.join_path(folder, os.path.basename(local.rstrip("/")))
            remote_names[remote] = local
            if os.path.isdir(local):
                folders.append(remote)
                if self._task.async_val:
                    # An asynchronous module cannot ask for its key: it gets the key files (never other files).
                    transfers.extend((os.path.join(local, name), shell.join_path(remote, name))
                                     for name, _identity in list_key_files(local))
                else:
                    key_folders.append((local, remote))
                    summaries.append((shell.join_path(remote, SUMMARY_NAME), summary_document(index_key_folder(local), None)))
            else:
                transfers.append((local, remote))
            return remote

        for slot, value in slots:
            remote_value = [place(each) for each in value] if isinstance(value, list) else place(value)
            set_slot(module_args, _args_slot(module_args, slot), remote_value)
        # One command for every folder: a round trip each would cost on a jump host.
        made = self._low_level_execute_command("mkdir %s" % " ".join(shell.quote(folder) for folder in folders),
                                               sudoable=False)
        if made.get("rc", 0) != 0:
            raise AcapError("Cannot create folders in %s on the target: %s" % (shell.tmpdir, made.get("stderr") or made.get("stdout")))
        for remote, data in summaries:
            self._transfer_data(remote, data)
        for local, remote in transfers:
            self._transfer_file(local, remote)
        self._fixup_perms2(folders)
        self._readable([remote for remote, _data in summaries] + [remote for _local, remote in transfers])

    def _send_key_files(self, serial: str, key_folders: List[Tuple[str, str]]) -> None:
        """The key files of ``serial`` from each key folder (found through the index), and a summary
        that says they came."""
        shell = self._connection._shell  # pylint: disable=protected-access
        sent: List[str] = []
        for local, remote in key_folders:
            keys = load_keys(local)
            for key in keys.for_serial(serial):
                sent.append(shell.join_path(remote, os.path.basename(key.source)))
                self._transfer_file(key.source, sent[-1])
            sent.append(shell.join_path(remote, SUMMARY_NAME))
            self._transfer_data(sent[-1], summary_document(index_key_folder(local), serial))
        self._readable(sent)

    def _readable(self, paths: List[str]) -> None:
        """Files the module reads (not runs), in batches: a command line must not grow with a folder."""
        for start in range(0, len(paths), 200):
            self._fixup_perms2(paths[start:start + 200], execute=False)


def file_slots(params: Mapping[str, Any], local_files: Tuple[str, ...]) -> List[Tuple[Slot, Any]]:
    """Every (slot, value) of an option that names local files and has a value."""
    found: List[Tuple[Slot, Any]] = []
    for option in local_files:
        if "[]." in option:
            outer, inner = option.split("[].", 1)
            for position, item in enumerate(params.get(outer) or []):
                if isinstance(item, Mapping) and item.get(inner):
                    found.append(((outer, position, inner), item[inner]))
        elif params.get(option):
            found.append(((option,), params[option]))
    return found


def set_slot(params: Any, slot: Slot, value: Any) -> None:
    target = params
    for key in slot[:-1]:
        target = target[key]
    target[slot[-1]] = value


def _args_slot(module_args: Dict[str, Any], slot: Slot) -> Slot:
    """The slot in the task's own arguments, copied so that the task's args are not changed."""
    if len(slot) > 1:
        module_args[slot[0]] = [dict(item) if isinstance(item, Mapping) else item for item in module_args[slot[0]]]
    return slot


def _replace_paths(value: Any, names: Mapping[str, str]) -> Any:
    """The module's result with the remote copies named by their local paths."""
    if not names:
        return value
    if isinstance(value, str):
        for remote, local in names.items():
            value = value.replace(remote, local)
        return value
    if isinstance(value, dict):
        return {key: _replace_paths(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_replace_paths(item, names) for item in value]
    return value
