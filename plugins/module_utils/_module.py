# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The only place that builds AnsibleModule results.

``axis_argument_spec`` merges the shared connection options into a module's
own options. A ``ModuleSpec`` (defined next to each module's logic) says what
the module takes and what it runs; ``run_module`` runs it as an Ansible module,
turning every ``AcapError`` into ``fail_json`` with ``error_code`` and
``http_status``, and ``run_in_process`` runs the very same validation and logic
in the calling Python process (a controller-side caller, the tests), without
a module round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List

from ansible.module_utils.basic import AnsibleModule, env_fallback, missing_required_lib
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.vapix.acap.plugins.module_utils._client import (
    AUTH_METHODS,
    HAS_REQUESTS,
    REQUESTS_IMPORT_ERROR,
    VapixClient,
)
from ansible_collections.vapix.acap.plugins.module_utils._errors import AcapError, ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._safe_xml import HAS_LXML, LXML_IMPORT_ERROR

Logic = Callable[[VapixClient, Dict[str, Any], bool], Dict[str, Any]]

CONNECTION_ARGUMENT_SPEC: Dict[str, Dict[str, Any]] = {
    "hostname": {"type": "str", "required": True, "fallback": (env_fallback, ["AXIS_HOSTNAME"])},
    "port": {"type": "int"},
    "use_https": {"type": "bool", "default": True},
    "validate_certs": {"type": "bool", "default": True, "fallback": (env_fallback, ["AXIS_VALIDATE_CERTS"])},
    "ca_path": {"type": "path"},
    "username": {"type": "str", "required": True, "fallback": (env_fallback, ["AXIS_USERNAME"])},
    "password": {"type": "str", "required": True, "no_log": True, "fallback": (env_fallback, ["AXIS_PASSWORD"])},
    "auth_method": {"type": "str", "default": "auto", "choices": list(AUTH_METHODS)},
    "timeout": {"type": "float", "default": 30.0},
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
    """A module's own options, their constraints, and its logic."""

    options: Dict[str, Dict[str, Any]]
    logic: Logic
    # AnsibleModule / ArgumentSpecValidator keywords: required_one_of, mutually_exclusive, required_if...
    constraints: Dict[str, List[Any]] = field(default_factory=dict)

    def argument_spec(self) -> Dict[str, Dict[str, Any]]:
        return axis_argument_spec(**self.options)


def run_module(spec: ModuleSpec) -> None:
    """Run ``spec`` as an Ansible module: validate, run the logic, exit with its result."""
    module = AnsibleModule(argument_spec=spec.argument_spec(), supports_check_mode=True, **spec.constraints)
    _run_logic(module, spec.logic)


def run_in_process(spec: ModuleSpec, params: Dict[str, Any], check_mode: bool = False) -> Dict[str, Any]:
    """Validate ``params`` as Ansible would (types, defaults, environment fallbacks, constraints),
    then run the logic with a client of its own. Returns the module's result; raises ``AcapError``
    where the module would fail."""
    validated = ArgumentSpecValidator(spec.argument_spec(), **spec.constraints).validate(dict(params))
    if validated.error_messages:
        raise ParameterError("Invalid parameters: %s" % "; ".join(validated.error_messages))
    params = validated.validated_parameters
    client = VapixClient.from_params(params)
    try:
        return spec.logic(client, params, check_mode)
    finally:
        client.close()


def _run_logic(module: AnsibleModule, logic: Logic) -> None:
    """Run ``logic(client, params, check_mode)`` and exit the module with its result."""
    if not HAS_REQUESTS:
        module.fail_json(msg=missing_required_lib("requests"), exception=REQUESTS_IMPORT_ERROR)
    if not HAS_LXML:
        module.fail_json(msg=missing_required_lib("lxml"), exception=LXML_IMPORT_ERROR)

    client = None
    try:
        client = VapixClient.from_params(module.params)
        result = logic(client, module.params, module.check_mode)
    except AcapError as exc:
        failure = _prepare_result(module, exc.to_result())
        module.fail_json(msg=exc.message, **failure)
    finally:
        if client is not None:
            client.close()

    module.exit_json(**_prepare_result(module, result))


def _prepare_result(module: AnsibleModule, result: Dict[str, Any]) -> Dict[str, Any]:
    """The logic's result as Ansible wants it: ``changed`` always there, ``diff``
    only in diff mode, and warnings through ``module.warn`` (passing them to
    ``exit_json`` is deprecated in ansible-core 2.19)."""
    prepared = dict(result)
    prepared.setdefault("changed", False)
    if not module._diff:
        prepared.pop("diff", None)
    for warning in prepared.pop("warnings", None) or []:
        module.warn(warning)
    return prepared
