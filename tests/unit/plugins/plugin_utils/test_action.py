# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import gc
import multiprocessing

from ansible_collections.vapix.acap.plugins.plugin_utils._action import _freeze_inherited_objects


def _in_a_forked_worker(results) -> None:
    inherited = gc.get_freeze_count()
    _freeze_inherited_objects()
    results.put((inherited, gc.get_freeze_count(), gc.isenabled()))


def test_a_worker_freezes_what_it_inherited_and_keeps_collecting_its_own_objects():
    """Ansible forks a worker per task and host, as here; its inherited objects leave the collector's reach."""
    context = multiprocessing.get_context("fork")
    results = context.SimpleQueue()
    worker = context.Process(target=_in_a_forked_worker, args=(results,))
    worker.start()
    worker.join(timeout=60)
    inherited, frozen, enabled = results.get()
    assert worker.exitcode == 0
    assert frozen > inherited
    assert enabled is gc.isenabled()


def test_the_main_process_freezes_nothing():
    """Outside a worker (ansible-playbook's main process, a test) frozen objects would never be collected."""
    before = gc.get_freeze_count()
    _freeze_inherited_objects()
    assert gc.get_freeze_count() == before
