# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only place that builds module results.

``axis_argument_spec`` merges the shared connection options into a module's
own options. A ``ModuleSpec`` (defined next to each module's logic) says what
the module takes, which of its options name local files, and what it runs.

Two ways to run a spec, one result:

- ``run_module``: as an Ansible module (AnsiballZ on the host that runs it).
- ``run_in_process``: in the calling Python process; the action plugins use it
  on the controller, so a fleet pays no module start-up per task and camera.

Both go through ``module_result``, which turns every ``AcapError`` into a
failed result with ``msg``, ``error_code``, ``http_status``, ``endpoint`` and
what had already been done; nothing else builds a failure.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.module_utils.common.parameters import _list_no_log_values
from ansible.module_utils.errors import UnsupportedError

from ansible_collections.vapix.acap.plugins.module_utils._auth import AUTH_METHODS
from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._results import diff_headers
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import HAS_LXML, LXML_IMPORT_ERROR
from ansible_collections.vapix.acap.plugins.module_utils._secrets import Secrets
from ansible_collections.vapix.acap.plugins.module_utils._transport import HAS_REQUESTS, REQUESTS_IMPORT_ERROR

Logic = Callable[[VapixClient, Dict[str, Any], bool], Dict[str, Any]]

CONNECTION_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    "hostname": {"type": "str", "required": True, "fallback": (env_fallback, ["AXIS_HOSTNAME"])},
    "port": {"type": "int"},
    "use_https": {"type": "bool", "default": True},
    "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["AXIS_VALIDATE_CERTS"])},
    # Empty from the environment means none: the AWX credential type sets it only with a CA (docs/awx.md).
    "ca_path": {"type": "path", "fallback": (env_fallback, ["AXIS_CA_PATH"])},
    "username": {"type": "str", "required": True, "fallback": (env_fallback, ["AXIS_USERNAME"])},
    "password": {"type": "str", "required": True, "no_log": True, "fallback": (env_fallback, ["AXIS_PASSWORD"])},
    "auth_method": {"type": "str", "default": "auto", "choices": list(AUTH_METHODS)},
    "timeout": {"type": "float", "default": 30.0},
    "connect_timeout": {"type": "float", "default": 5.0},
}


def axis_argument_spec(**module_options: Dict[str, Any]) -> Dict[str, Dict[str, Any]]:
    """The connection options plus ``module_options`` (a module option may not reuse a connection name)."""
    clash = sorted(set(module_options) & set(CONNECTION_ARGUMENT_SPEC))
    if clash:
        raise ValueError("module options %s clash with the connection options" % ", ".join(clash))
    spec = {name: dict(option) for name, option in CONNECTION_ARGUMENT_SPEC.items()}
    spec.update(module_options)
    return spec


@dataclass(frozen=True)
class ModuleSpec:
    """A module's own options, their constraints, the options that name local files, and its logic."""

    options: Dict[str, Dict[str, Any]]
    logic: Logic
    # AnsibleModule / ArgumentSpecValidator keywords: required_one_of, mutually_exclusive, required_if...
    constraints: Dict[str, List[Any]] = field(default_factory=dict)
    # Options whose values are paths on the machine that runs the logic, as "option" or
    # "list_option[].suboption" (the connection's ca_path is added). The action plugin looks relative
    # ones up (plugin_utils/_local_paths.py), and copies them to the remote host when the module runs there.
    local_files: Tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The connection's ca_path is a local file of every module: one rule for every path option.
        if "ca_path" not in self.local_files:
            object.__setattr__(self, "local_files", ("ca_path",) + tuple(self.local_files))

    def argument_spec(self) -> Dict[str, Dict[str, Any]]:
        return axis_argument_spec(**self.options)


def validate_params(spec: ModuleSpec, params: Mapping[str, Any], names: Optional[Mapping[str, str]] = None) -> Dict[str, Any]:
    """Validate ``params`` as Ansible would (types, defaults, environment fallbacks, constraints).

    Raises ``ParameterError``; unknown options, at any depth, are named first with the known name they
    most resemble, since a misspelled option is the likely cause of the other complaints (a required
    option "missing" because it was misspelled). ``names`` shows top-level options under the names the
    user wrote (a role's variables)."""
    unknown = unknown_options(spec.argument_spec(), params)
    validated = ArgumentSpecValidator(spec.argument_spec(), **spec.constraints).validate(dict(params))
    if unknown or validated.error_messages:
        # Ansible's own message for unknown options names them without the list index; ours replace it.
        messages = [unknown_option_message(option, where, known, names) for option, where, known in unknown]
        messages += [str(error) for error in validated.errors.errors
                     if not (unknown and isinstance(error, UnsupportedError))]
        raise ParameterError("Invalid parameters: %s" % "; ".join(messages))
    return validated.validated_parameters


def unknown_options(spec: Mapping[str, Mapping[str, Any]], params: Any,
                    where: str = "") -> List[Tuple[str, str, List[str]]]:
    """(option, where, known names there) for every key of ``params`` that ``spec`` does not know, at any
    depth: ``where`` is "" at the top, else the path of the dict that holds it (``applications[2]``,
    ``settings``)."""
    if not isinstance(params, Mapping):
        return []
    legal = _legal_names(spec)
    found = [(str(key), where, legal) for key in params if key not in legal]
    for name, option in spec.items():
        sub_spec = option.get("options")
        value = _aliased_value(name, option, params)
        if not sub_spec or value is None:
            continue
        path = "%s.%s" % (where, name) if where else name
        if isinstance(value, Mapping):
            found += unknown_options(sub_spec, value, path)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                found += unknown_options(sub_spec, item, "%s[%d]" % (path, index))
    return found


def unknown_option_message(option: str, where: str, known: List[str],
                           names: Optional[Mapping[str, str]] = None) -> str:
    """``unknown option licence_src in applications[2]; did you mean license_src?``: the suggestion is the
    known name at that place it most resembles; without a close one, the names known there."""
    place = " in %s" % _renamed(where, names) if where else ""
    close = difflib.get_close_matches(option, known, n=1)
    if close:
        return "unknown option %s%s; did you mean %s?" % (option, place, _renamed(close[0], names) if not where else close[0])
    return "unknown option %s%s (the options there are: %s)" % (option, place, ", ".join(sorted(known)))


def _legal_names(spec: Mapping[str, Mapping[str, Any]]) -> List[str]:
    names = list(spec)
    for option in spec.values():
        names += list(option.get("aliases") or [])
    return names


def _aliased_value(name: str, option: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    for key in [name] + list(option.get("aliases") or []):
        if params.get(key) is not None:
            return params[key]
    return None


def _renamed(text: str, names: Optional[Mapping[str, str]]) -> str:
    """``text`` (a path such as ``applications[2]``) with its top-level option shown under the user's name."""
    if not names:
        return text
    for option, shown in names.items():
        if text == option or text.startswith((option + "[", option + ".", option + " ")):
            return shown + text[len(option):]
    return text


def run_validated(spec: ModuleSpec, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    """Run the logic on validated ``params`` with a client of its own; raises ``AcapError``."""
    if not HAS_REQUESTS:
        raise AcapError(missing_required_lib("requests") + " (%s)" % _last_line(REQUESTS_IMPORT_ERROR))
    if not HAS_LXML:
        raise AcapError(missing_required_lib("lxml") + " (%s)" % _last_line(LXML_IMPORT_ERROR))
    client = VapixClient.from_params(params)
    client.secrets.add_all(_list_no_log_values(spec.argument_spec(), params))
    try:
        return client.secrets.redact(spec.logic(client, params, check_mode))
    except AcapError as exc:
        raise _redacted(exc, client.secrets) from None
    finally:
        client.close()


def _redacted(exc: AcapError, secrets: Secrets) -> AcapError:
    """``exc`` with the run's secrets taken out of its message and of what it says was done: the one
    place an error is changed on its way to the result (a device may quote a secret in any answer)."""
    exc.message = secrets.redact(exc.message)
    exc.args = (exc.message,)
    exc.result = secrets.redact(exc.result)
    return exc


def run_in_process(spec: ModuleSpec, params: Mapping[str, Any], check_mode: bool = False) -> Dict[str, Any]:
    """Validate ``params``, then run the logic in this process. Returns the logic's result; raises
    ``AcapError`` where the module would fail."""
    return run_validated(spec, validate_params(spec, params), check_mode)


def module_result(run: Callable[[], Dict[str, Any]], diff: bool, device: Optional[str] = None) -> Dict[str, Any]:
    """The result of ``run()`` as Ansible reports it: ``changed`` always there, ``diff`` only in diff
    mode, ``warnings`` as a list when there are any; an ``AcapError`` becomes ``failed`` with ``msg`` and
    its context.

    ``device`` (the hostname) heads every warning and the diff: Ansible prints identical warnings once
    per run and diffs of parallel hosts interleaved, so each must say which camera it is about."""
    try:
        result = dict(run())
    except AcapError as exc:
        result = exc.to_result()
        result.update(failed=True, msg=exc.message)
    result.setdefault("changed", False)
    if not diff:
        result.pop("diff", None)
    elif isinstance(result.get("diff"), dict) and device:
        result["diff"].update(diff_headers(device, result.get("resources")))
    warnings = [str(warning) for warning in result.pop("warnings", None) or []]
    if warnings:  # no empty list: Ansible's module path reports none, and both paths must agree
        result["warnings"] = ["%s: %s" % (device, warning) for warning in warnings] if device else warnings
    return result


def run_module(spec: ModuleSpec) -> None:
    """Run ``spec`` as an Ansible module: validate, run the logic, exit with its result."""
    module = AnsibleModule(argument_spec=spec.argument_spec(), supports_check_mode=True, **spec.constraints)
    result = module_result(lambda: run_validated(spec, module.params, module.check_mode), module._diff,
                           device=module.params.get("hostname"))
    # Warnings go through module.warn: passing them to exit_json is deprecated in ansible-core 2.19.
    for warning in result.pop("warnings", []):
        module.warn(warning)
    if result.pop("failed", False):
        module.fail_json(**result)
    module.exit_json(**result)


def _last_line(text: Any) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[-1] if lines else "import failed"
