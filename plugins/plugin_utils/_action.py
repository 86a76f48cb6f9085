# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one action plugin of the collection: run a module's logic where the task runs.

Every ``plugins/action/<module>.py`` is a subclass that names its ``MODULE_SPEC``.

- When the task runs on the controller (connection ``local``: ``delegate_to: localhost`` or a host
  with ``ansible_connection: local``), the logic runs in this worker process
  (``_module.run_validated``): no module process per task and camera.
- Otherwise (a jump host in the camera network, ``async``, or ``vapix_acap_in_process: false``) it
  runs the module there: the options named by ``ModuleSpec.local_files`` are copied to the remote
  temporary directory and the module gets their remote paths.

Both paths validate on the controller first (``_module.validate_params``), look relative files up
like ``ansible.builtin.copy`` (the role's and the playbook's ``files/``), and shape failures in
``_module.module_result``, so they return the same result. No secret reaches the output: the
in-process result is masked with the module's ``no_log`` values as ``AnsibleModule`` masks its own.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from contextlib import contextmanager
from functools import partial
from typing import Any, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from ansible import constants as C
from ansible import context
from ansible.errors import AnsibleError, AnsibleFileNotFound
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.common.parameters import _list_no_log_values, remove_values
from ansible.module_utils.parsing.convert_bool import boolean
from ansible.plugins.loader import filter_loader, test_loader
from ansible.utils.display import Display

from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._key_index import STATS as KEY_INDEX_STATS
from ansible_collections.vapix.acap.plugins.module_utils._package_cache import STATS as PACKAGE_STATS
from ansible_collections.vapix.acap.plugins.module_utils._module import (
    ModuleSpec,
    module_result,
    run_validated,
    validate_params,
)
from ansible_collections.vapix.acap.plugins.module_utils._run_cache import set_run_directory
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import HAS_LXML, LXML_IMPORT_ERROR
from ansible_collections.vapix.acap.plugins.module_utils._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR
from ansible_collections.vapix.acap.plugins.plugin_utils import _role_variables as role_variables
from ansible_collections.vapix.acap.plugins.plugin_utils._local_paths import find_local, user_folders
from ansible_collections.vapix.acap.plugins.plugin_utils._refused_logins import (
    REMEMBER_REFUSED_VARIABLE,
    refusal_marker,
    refuse_if_refused_earlier,
    remember_refusal,
)
from ansible_collections.vapix.acap.plugins.plugin_utils._remote_files import RemoteFilesAction, file_slots, set_slot

display = Display()
# What the workers of a run share (_run_cache), and the counts of the work each task did: -vvv shows them.
_SHARED_WORK = (("key folder index", KEY_INDEX_STATS), ("package facts", PACKAGE_STATS))

# Host or task variable: false runs the module even when the task runs on the controller.
IN_PROCESS_VARIABLE = "vapix_acap_in_process"


class AxisAction(RemoteFilesAction):
    """Runs ``module_spec`` in the worker process on the controller, or as the module elsewhere."""

    module_spec: ModuleSpec
    # The task's arguments as _prepare read them (the role's variables included), for masking.
    _arguments: Dict[str, Any] = {}
    _supports_check_mode = True
    _supports_async = True  # async tasks run as the module (see _runs_in_process)
    _refusal_marker: Optional[str] = None  # this task's marker of refused credentials (_rejection_marker)

    def run(self, tmp: Optional[str] = None, task_vars: Optional[Dict[str, Any]] = None) -> Dict[str, Any]:
        # Files that the workers of this run share (a key folder's index, package facts): _run_cache.
        set_run_directory(getattr(C, "DEFAULT_LOCAL_TMP", None))
        _freeze_inherited_objects()
        before = [dict(stats) for _label, stats in _SHARED_WORK]
        result = self._run_task(tmp, task_vars)
        for (label, stats), earlier in zip(_SHARED_WORK, before):
            if stats != earlier:
                display.vvv("vapix.acap %s: %s" % (label, ", ".join(
                    "%s %d" % (name.replace("_", " "), stats[name] - earlier[name]) for name in sorted(stats))),
                    host=self._task_host_name())
        return result

    def _task_host_name(self) -> Optional[str]:
        host = getattr(self._play_context, "remote_addr", None)
        return str(host) if host else None

    def _run_task(self, tmp: Optional[str], task_vars: Optional[Dict[str, Any]]) -> Dict[str, Any]:
        super().run(tmp, task_vars)
        del tmp  # unused, as in ActionBase
        task_vars = task_vars or {}
        diff = bool(self._task.diff)
        try:
            params, module_args = self._prepare(task_vars)
        except AcapError as exc:  # invalid options, a missing file: nothing was sent, no module started
            if isinstance(exc, ParameterError):
                exc = exc.restated(exc.message + self._role_note())
            return self._with_role_warnings(_masked(module_result(partial(_raise, exc), diff),
                                                    self._no_log_values(self._arguments)), task_vars)
        device = params.get("hostname")
        self._refusal_marker = self._rejection_marker(params, task_vars)
        if self._runs_in_process(task_vars):
            result = module_result(partial(self._run_here, params), diff, device=device)
            if display.verbosity >= 3:
                # Only where Ansible shows it: the linear strategy keeps every host's result until the
                # task has run on all of them, and this doubled a result's size (docs/performance.md).
                result.setdefault("invocation", {"module_args": params})
        else:
            try:
                self._refuse_rejected_credentials()
                result = self._run_module(params, self.module_spec.local_files, module_args, task_vars)
            except AcapError as exc:
                result = module_result(partial(_raise, exc), diff, device=device)
        if result.get("failed") and result.get("http_status") == 401 and result.get("endpoint"):
            remember_refusal(self._refusal_marker, result)
        return self._with_role_warnings(_masked(result, self._no_log_values(params)), task_vars)

    def _role_note(self) -> str:
        """In a role, the options come from the role's variables, and those are the names the user wrote
        (the check of the role's argument spec can be off: ``rolespec_validate: false``)."""
        role = getattr(self._task, "_role", None)
        if role is None:
            return ""
        name = role.get_name()
        return " (task %r of role %s: it sets these options from the role's variables, see ansible-doc -t role %s)" % (
            self._task.name or self._task.action, name, name)

    def _no_log_values(self, params: Mapping[str, Any]) -> Set[str]:
        """The values of the spec's no_log options (and sub-options) in ``params``."""
        try:
            return _list_no_log_values(self.module_spec.argument_spec(), params)
        except (TypeError, ValueError, AttributeError):  # arguments of the wrong shape: nothing to mask
            return set()

    def _run_here(self, params: Dict[str, Any]) -> Dict[str, Any]:
        self._refuse_rejected_credentials()
        _require_controller_libraries()
        return run_validated(self.module_spec, params, self._task.check_mode)

    # -- where the logic runs -------------------------------------------------------------------

    def _runs_in_process(self, task_vars: Mapping[str, Any]) -> bool:
        """On the controller (connection local) unless forced to the module or asynchronous."""
        wanted = self._boolean_variable(task_vars, IN_PROCESS_VARIABLE)
        return wanted and not self._task.async_val and self._connection.transport == "local"

    # -- parameters and local files --------------------------------------------------------------

    def _prepare(self, task_vars: Mapping[str, Any]) -> Tuple[Dict[str, Any], Dict[str, Any]]:
        """Validated parameters with local files found, and the module arguments for the module path.

        Environment fallbacks (``AXIS_PASSWORD``...) are read here, on the controller, with the task's
        ``environment`` applied, whichever path runs; the module gets the values they gave."""
        args = self._arguments = dict(self._task.args)
        names = None
        if self._is_role_task():
            args.update(self._role_arguments(task_vars))
            names = role_variables.NAMES
        with _environment(self._task_environment()):
            params = validate_params(self.module_spec, args, names=names)
        if names:
            role_variables.refuse_actions_as_states(params)
        module_args = dict(args)
        for name, option in self.module_spec.argument_spec().items():
            if name not in args and option.get("fallback") and params.get(name) is not None:
                module_args[name] = params[name]
        folders = user_folders(task_vars, _command_line_playbooks())
        for slot, value in file_slots(params, self.module_spec.local_files):
            set_slot(params, slot, find_local(value, folders, self._ansible_search))
        return params, module_args

    # -- the camera role's variables -------------------------------------------------------------

    def _is_role_task(self) -> bool:
        """The camera role's task: it has no arguments of its own, the action reads the role's variables
        (plugin_utils/_role_variables.py); module_defaults still fill what they leave unset."""
        role = getattr(self._task, "_role", None)
        action = getattr(self._task, "resolved_action", None) or self._task.action
        if role is None or action != role_variables.ACTION:
            return False
        try:
            return role.get_name(include_role_fqcn=True) == role_variables.ROLE
        except TypeError:  # older signatures
            return role.get_name() == role_variables.ROLE

    def _role_arguments(self, task_vars: Mapping[str, Any]) -> Dict[str, Any]:
        arguments = role_variables.role_arguments(task_vars, self._templar.template)
        if arguments.get("applications") is None and boolean(arguments.get("exclusive", False), strict=False):
            arguments["missing_applications_hint"] = role_variables.missing_applications_hint(task_vars)
        return arguments

    def _with_role_warnings(self, result: Dict[str, Any], task_vars: Mapping[str, Any]) -> Dict[str, Any]:
        """The role's task warns of each ``axis_camera_*`` variable the role does not know (a misspelling
        manages nothing; the drift report shows the warning on the camera)."""
        if self._is_role_task():
            warnings = role_variables.unknown_variable_warnings(task_vars, str(task_vars.get("inventory_hostname", "")))
            if warnings:
                result["warnings"] = list(result.get("warnings") or []) + warnings
        return result

    def _ansible_search(self, path: str) -> Tuple[Optional[str], List[str]]:
        """Ansible's own search for ``files/`` (as ansible.builtin.copy's ``src``): found path, places."""
        try:
            return self._find_needle("files", path), []
        except AnsibleFileNotFound as exc:
            return None, [to_text(place) for place in getattr(exc, "paths", None) or []]
        except AnsibleError:
            return None, []

    def _task_environment(self) -> Dict[str, str]:
        environment: Dict[str, Any] = {}
        self._compute_environment_string(environment)
        return {str(name): str(value) for name, value in environment.items()}

    # -- rejected credentials ------------------------------------------------------------------

    def _rejection_marker(self, params: Mapping[str, Any], task_vars: Mapping[str, Any]) -> Optional[str]:
        """This task's marker of refused credentials (_refused_logins): the route is the connection and the
        host it goes through, the device's address and port, the user and the password. None when the user
        opted out, or without a per-run directory."""
        if not self._boolean_variable(task_vars, REMEMBER_REFUSED_VARIABLE):
            return None
        context = self._play_context
        return refusal_marker(getattr(C, "DEFAULT_LOCAL_TMP", None), (
            self._connection.transport, context.remote_addr, context.port, context.remote_user,
            self._task.delegate_to, params.get("hostname"), params.get("port"), params.get("use_https"),
            params.get("username"), params.get("password")))

    def _refuse_rejected_credentials(self) -> None:
        refuse_if_refused_earlier(self._refusal_marker, bool(self._task.until))

    def _boolean_variable(self, task_vars: Mapping[str, Any], name: str) -> bool:
        """A host, group, play or extra variable that is true unless set false."""
        value = task_vars.get(name, True)
        try:
            return boolean(self._templar.template(value), strict=True)
        except TypeError:
            raise AnsibleError("%s must be a boolean, not %r" % (name, value)) from None


def _raise(exc: AcapError) -> Dict[str, Any]:
    raise exc


def _require_controller_libraries() -> None:
    """In-process the logic needs requests and lxml in the Python that runs Ansible."""
    import sys  # pylint: disable=import-outside-toplevel

    missing = {name: error for name, present, error in (("requests", HAS_REQUESTS, REQUESTS_IMPORT_ERROR),
                                                        ("lxml", HAS_LXML, LXML_IMPORT_ERROR)) if not present}
    if missing:
        reasons = "; ".join(_last_line(error) for error in missing.values())
        raise AcapError(
            "vapix.acap runs this task on the controller, in the Python that runs Ansible (%s), which cannot "
            "import %s (%s). Install it there: %s -m pip install %s. Or set %s: false to run the module with "
            "ansible_python_interpreter instead (slower)."
            % (sys.executable, " and ".join(missing), reasons, sys.executable, " ".join(missing), IN_PROCESS_VARIABLE))


def _command_line_playbooks() -> Tuple[Any, ...]:
    """The playbooks named on the ansible-playbook command line (the user's project, also when it imports
    a playbook of the collection)."""
    try:
        return tuple(context.CLIARGS.get("args") or ())
    except (AttributeError, TypeError):
        return ()


def _last_line(text: Any) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[-1] if lines else "import failed"


def _masked(result: Dict[str, Any], no_log_values: Any) -> Dict[str, Any]:
    """``no_log`` values out of the result, as AnsibleModule does for a module's result (booleans and
    None kept, so a password such as "true" does not hide ``changed``)."""
    if not no_log_values:
        return result
    preserved = {key: value for key, value in result.items() if value is None or isinstance(value, bool)}
    masked = remove_values(result, no_log_values)
    masked.update(preserved)
    return masked


def _freeze_inherited_objects() -> None:
    """In a worker, every object inherited from ansible-playbook's main process is moved out of the cyclic
    garbage collector's reach (gc.freeze); in any other process nothing changes.

    The worker is a fork of the main process, which holds the inventory and every result of the play so
    far. A full collection in the worker walks every object it inherited and writes to their headers, so
    the kernel copies most of the main process's memory into the worker, at a cost that grows with the
    fleet: on 3,000 cameras one worker in 140 ran one, after the task had returned, 165 ms each
    (docs/performance.md). Frozen, they are never walked; the collector still runs on the task's own
    objects. They stay frozen: the worker ends with its task."""
    if multiprocessing.parent_process() is not None:
        gc.freeze()


@contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    """The task's ``environment`` in os.environ while the options' environment fallbacks are read
    (a worker process runs one task at a time)."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _load_jinja_plugins_before_workers_fork() -> None:
    """Ansible's strategy imports the action plugins in its main process (to read their class) before it
    forks one worker per task and host. A worker whose task templates a filter or a test loads every
    builtin filter and test plugin file (core, mathstuff, encryption, urls...) and loses them when it
    ends. Loaded here, once, every later worker inherits them: about 6 ms less CPU per task and camera
    on a fleet (docs/performance.md)."""
    if multiprocessing.parent_process() is not None:
        return  # imported in a worker: loading them here would only add to its cost
    try:
        for loader in (filter_loader, test_loader):
            for _plugin in loader.all():
                pass
    except Exception:  # pylint: disable=broad-exception-caught  # only saves time; workers load them anyway
        pass


_load_jinja_plugins_before_workers_fork()
