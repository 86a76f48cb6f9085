# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import gc

import pytest

from ansible_collections.vapix.acap.plugins.plugin_utils._action import _collector_paused


@pytest.mark.parametrize("enabled_before", [True, False])
def test_the_collector_is_paused_while_a_task_runs_and_left_as_it_was(enabled_before):
    was = gc.isenabled()
    try:
        (gc.enable if enabled_before else gc.disable)()
        with _collector_paused():
            assert not gc.isenabled()
        assert gc.isenabled() is enabled_before
        with pytest.raises(RuntimeError):
            with _collector_paused():
                raise RuntimeError("the task failed")
        assert gc.isenabled() is enabled_before
    finally:
        (gc.enable if was else gc.disable)()
