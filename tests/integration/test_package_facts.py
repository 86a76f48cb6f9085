# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A package is read (and hashed) once per run, not once per camera (plugins/module_utils/_package_cache.py);
fails on d438431, where every camera's worker read it."""

from __future__ import annotations

import re

from acap_helpers import make_eap

PLAYBOOK = """
- name: Packages
  hosts: all
  gather_facts: false
  tasks:
    - name: The application runs
      vapix.acap.axis_acap:
        hostname: "{{ axis_hostname }}"
        port: "{{ axis_port }}"
        use_https: false
        username: "{{ axis_username }}"
        password: "{{ axis_password }}"
        src: "{{ package }}"
        state: started
"""

STATS_LINE = re.compile(r"vapix\.acap package facts: packages read (\d+), packages reused (\d+)")


def test_a_package_is_read_once_per_run_and_each_camera_gets_its_facts(devices, tmp_path, run_playbook):
    fleet = devices(6)
    package = make_eap(tmp_path, name="hello_world", version="1.2.0", architecture="all")
    playbook = tmp_path / "packages.yml"
    playbook.write_text(PLAYBOOK, encoding="utf-8")
    for attempt in range(2):  # the second run reads it again: nothing is kept across runs
        run = run_playbook(playbook, fleet, extra_vars={"package": package}, check=True, forks=3, verbosity=3)
        assert run.rc == 0, run
        counts = [(int(read), int(reused)) for read, reused in STATS_LINE.findall(run.stdout)]
        assert len(counts) == len(fleet), run.stdout[-3000:]
        assert sum(read for read, _reused in counts) == 1, counts
        assert sum(reused for _read, reused in counts) == len(fleet) - 1, counts
        for device in fleet:
            result = run.task("The application runs", device)
            assert result["changed"] is True and result["package"]["version"] == "1.2.0", result
