# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs vapix.acap.axis_acap_info in the worker process on the controller, or as the module elsewhere."""

from __future__ import annotations

from ansible_collections.vapix.acap.plugins.module_utils._info import MODULE_SPEC
from ansible_collections.vapix.acap.plugins.plugin_utils._action import AxisAction


class ActionModule(AxisAction):
    module_spec = MODULE_SPEC
