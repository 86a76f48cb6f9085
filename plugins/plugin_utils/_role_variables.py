# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The camera role's variables, read by its one task's action plugin instead of templated task arguments.

Ansible templates every argument of a task for every host: the role's task named all 14 of its
variables, 27.5 ms of CPU per camera (docs/performance.md). The action plugin reads the variables a
camera sets from its task variables and templates only those. The same table names them in messages
(``unknown option licence_src in axis_camera_applications[2]``) and finds the misspelled ones.
"""

from __future__ import annotations

import difflib
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._module import CONNECTION_ARGUMENT_SPEC

ROLE = "vapix.acap.camera"
# The role's one task, whose action plugin reads the variables.
ACTION = "vapix.acap.axis_acap_state"
PREFIX = "axis_camera_"
# The role's declaration: the module option of the same name, from the role's variable only.
DECLARED_OPTIONS = ("settings", "applications", "exclusive", "protected")
# The variable the role registers its result in; known, but not an option.
RESULT_VARIABLE = "axis_camera_result"


def role_variable(option: str) -> str:
    return PREFIX + option


def inventory_variable(option: str) -> str:
    """A connection option's inventory variable, shared with the modules' examples: ``axis_hostname``."""
    return "axis_" + option


# module option -> the variables that set it, first defined wins.
SOURCES: Dict[str, Tuple[str, ...]] = {option: (role_variable(option), inventory_variable(option))
                                       for option in CONNECTION_ARGUMENT_SPEC}
SOURCES.update({option: (role_variable(option),) for option in DECLARED_OPTIONS})
KNOWN_VARIABLES = tuple(sorted({role_variable(option) for option in SOURCES} | {RESULT_VARIABLE}))
# What axis_acap_state takes but the role does not declare (its argument spec leaves it out): a restart is an
# action, never reached, so every run would restart the camera's application and every drift check report it.
ACTIONS_NOT_STATES = ("restarted",)
# Module option -> the role's name for it, for messages.
NAMES = {option: role_variable(option) for option in SOURCES}


def role_arguments(task_vars: Mapping[str, Any], template: Callable[[Any], Any]) -> Dict[str, Any]:
    """The module arguments the role's variables give, each templated once; a variable set nowhere is
    left out (the module's default, or its environment variable, applies). Null counts as not set, as
    an omitted argument: ansible-core before 2.19 templated it as the string "None"."""
    arguments: Dict[str, Any] = {}
    for option, variables in SOURCES.items():
        for variable in variables:
            if variable in task_vars:
                value = template(task_vars[variable])
                if value is not None:
                    arguments[option] = value
                break
    return arguments


def refuse_actions_as_states(params: Mapping[str, Any]) -> None:
    """The role's argument check, also where the drift and converge playbooks skip it: an application's
    ``state`` is a state, never an action."""
    for index, application in enumerate(params.get("applications") or []):
        if application.get("state") in ACTIONS_NOT_STATES:
            raise ParameterError(
                "%s[%d].state: %s is an action, not a state the role declares (every run would restart %s and "
                "every drift check report it); the states are present, started, stopped and absent. Restart "
                "once with vapix.acap.axis_acap state=restarted."
                % (role_variable("applications"), index, application["state"], application.get("name")))


def missing_applications_hint(task_vars: Mapping[str, Any]) -> str:
    """Why ``axis_camera_applications`` is missing, for exclusive mode's refusal: null, or not defined and
    these variables look like a misspelling of it."""
    variable = role_variable("applications")
    if variable in task_vars:
        return "%s is null (a line with nothing after the colon?)" % variable
    lookalikes = difflib.get_close_matches(
        variable, [name for name in task_vars if isinstance(name, str) and name.startswith("axis_")
                   and name not in KNOWN_VARIABLES], n=5, cutoff=0.75)
    return "%s is not defined%s" % (variable, ", and these variables look like a misspelling of it: %s"
                                    % ", ".join(sorted(lookalikes)) if lookalikes else "")


def unknown_variables(task_vars: Mapping[str, Any]) -> List[Tuple[str, Optional[str]]]:
    """(variable, the known name it most resembles or None) for each ``axis_camera_*`` variable the role
    does not know."""
    found = []
    for name in sorted(name for name in task_vars if isinstance(name, str) and name.startswith(PREFIX)):
        if name not in KNOWN_VARIABLES:
            # Compared without the shared prefix, which would make every name look close.
            close = difflib.get_close_matches(name[len(PREFIX):], [known[len(PREFIX):] for known in KNOWN_VARIABLES],
                                              n=1, cutoff=0.6)
            found.append((name, PREFIX + close[0] if close else None))
    return found


def unknown_variable_warnings(task_vars: Mapping[str, Any], host: str) -> List[str]:
    """One warning per unknown variable, naming the camera (Ansible shows identical warnings once)."""
    return ["unknown role variable %s on %s: the role %s does not read it%s" % (
        name, host, ROLE, "; did you mean %s?" % close if close else " (its variables: %s)" % ", ".join(KNOWN_VARIABLES))
        for name, close in unknown_variables(task_vars)]
