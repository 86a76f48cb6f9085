# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""async tasks: Ansible polls the job (poll > 0), or the playbook waits for it with async_status (poll 0).

An async task runs as the module (the action plugin cannot outlive its worker), in Ansible's async
wrapper, with the package copied to the target's temporary directory for the job's lifetime."""

from __future__ import annotations

import pytest

from acap_helpers import applications, make_eap

PLAYBOOK = "acap_async.yml"


@pytest.mark.parametrize("poll", [1, 0])
def test_async_task_installs_and_reports_like_a_synchronous_one(device, run_playbook, tmp_path, poll):
    extra = {"acap_src": make_eap(tmp_path, version="1.1.0"), "acap_poll": poll}

    run = run_playbook(PLAYBOOK, device, extra_vars=extra)
    assert run.rc == 0, run
    started = run.task("Converge application", device)
    if poll:
        assert started.status == "changed", started
        assert started["actions"] == ["upload", "start"], started
    else:
        # Fired and left: the task returns the job id at once, the playbook waits with async_status.
        assert started.get("ansible_job_id") and started.get("started") == 1, started
        job = run.task("Wait for the job", device)
        assert job["finished"] == 1 and job["changed"] is True, job
        assert job["actions"] == ["upload", "start"], job
    assert applications(device)["hello_world"]["status"] == "Running"

    again = run_playbook(PLAYBOOK, device, extra_vars=extra)
    assert again.rc == 0, again
    result = again.task("Wait for the job" if not poll else "Converge application", device)
    assert result["changed"] is False and result["actions"] == [], result
