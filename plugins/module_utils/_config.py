# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Logic of axis_acap_config: the device-wide application settings of config.cgi.

Plan (``plan_settings``): read each given setting (config.cgi ``get``, one request per setting,
through the snapshot) and keep those that differ. Apply (``apply_setting``): ``set`` each through
the act-then-confirm layer; the ``set`` answer echoes the value, which is the
confirmation, and an uncertain answer reads the setting again. The firmware
version is read only to explain a setting the device lacks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Mapping

from ansible_collections.vapix.acap.plugins.module_utils._client import VapixClient
from ansible_collections.vapix.acap.plugins.module_utils._confirm import Journal, Write, act_and_confirm
from ansible_collections.vapix.acap.plugins.module_utils._device import SETTING_OPTIONS
from ansible_collections.vapix.acap.plugins.module_utils._errors import ParameterError
from ansible_collections.vapix.acap.plugins.module_utils._module import ModuleSpec
from ansible_collections.vapix.acap.plugins.module_utils._results import Results
from ansible_collections.vapix.acap.plugins.module_utils._snapshot import DeviceSnapshot


def _word(value: bool) -> str:
    return "true" if value else "false"


@dataclass
class SettingPlan:
    """One declared setting: its option name, config.cgi name, the value wanted and the value found."""

    option: str
    setting: str
    wanted: bool
    before: bool

    @property
    def resource(self) -> str:
        return "setting:%s" % self.option

    @property
    def actions(self) -> List[str]:
        return [] if self.before == self.wanted else ["set %s=%s" % (self.setting, _word(self.wanted))]


def plan_settings(snapshot: DeviceSnapshot, wanted: Mapping[str, bool]) -> List[SettingPlan]:
    """``wanted``: option name (allow_unsigned, allow_root) -> value. Reads each setting once."""
    unknown = sorted(set(wanted) - set(SETTING_OPTIONS))
    if unknown:
        raise ParameterError("Unknown setting %s; the settings are %s" % (", ".join(unknown), ", ".join(SETTING_OPTIONS)))
    return [
        SettingPlan(option, SETTING_OPTIONS[option], bool(value), snapshot.setting(SETTING_OPTIONS[option]))
        for option, value in wanted.items()
    ]


def apply_setting(snapshot: DeviceSnapshot, plan: SettingPlan, journal: Journal) -> bool:
    """Set one setting that differs; returns the value the device has afterwards."""
    client = snapshot.client

    def send() -> bool:
        value = client.set_config(plan.setting, plan.wanted)
        snapshot.remember_setting(plan.setting, value)
        return value

    state = act_and_confirm(Write(
        resource=plan.resource,
        action=plan.actions[0],
        description="config.cgi set %s=%s" % (plan.setting, _word(plan.wanted)),
        send=send,
        answer_is_state=True,
        read=lambda: snapshot.reread_setting(plan.setting),
        achieved=lambda value: value == plan.wanted,
        unchanged=lambda value: value == plan.before,
        describe_state=lambda value: "%s=%s" % (plan.setting, _word(value)),
    ), journal)
    return plan.wanted if state is None else state


def record_setting(results: Results, plan: SettingPlan, **details: Any) -> None:
    """The record of one declared setting (``details``: see ``Results.add``)."""
    results.add(plan.resource, plan.before, plan.wanted, plan.actions, **details)


def run(client: VapixClient, params: Dict[str, Any], check_mode: bool) -> Dict[str, Any]:
    results = Results(check_mode, keyed_diff=True)
    return results.run(lambda: _converge(client, params, results))


def _converge(client: VapixClient, params: Dict[str, Any], results: Results) -> Dict[str, Any]:
    """Plan every given setting, then set those that differ, in order."""
    wanted = {option: bool(params[option]) for option in SETTING_OPTIONS if params.get(option) is not None}
    snapshot = DeviceSnapshot(client)
    plans = plan_settings(snapshot, wanted)
    for plan in plans:
        record_setting(results, plan, key=plan.option)  # this module's diff and config: option -> value
    results.failure_keys = lambda: {"config": results.keyed("after")}
    if not results.check_mode:
        results.begin_writes()
        for plan in plans:
            if plan.actions:
                results.settle(plan.resource, apply_setting(snapshot, plan, results.journal))
    return results.result(config=results.keyed("after"))


# The module's options (besides the connection options) and its logic, for the module file and
# for in-process callers alike.
MODULE_SPEC = ModuleSpec(
    options={
        "allow_unsigned": {"type": "bool"},
        "allow_root": {"type": "bool"},
    },
    logic=run,
    constraints={"required_one_of": [("allow_unsigned", "allow_root")]},
)
