# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What one fork costs as the forking process grows: prints numbers, asserts nothing.

    .venv/bin/python tests/benchmarks/bench_fork_cost.py [--sizes 60,120,250,330] [--forks 200]

ansible-playbook forks one worker per task and host, and its main process grows with the inventory
(and with the results it holds). For each size (MiB of Python objects: dicts and strings, as an
inventory is made of), this process grows to about that size, then forks a child that exits at once
(``os._exit``, as Ansible's workers end), ``--forks`` times, and prints per fork the CPU of the parent
(the fork: copying its page tables) and of the child (ending: freeing them), and how much of each is
system time. No collection code runs: this is the part of Ansible's own cost per host that grows with
the fleet (docs/performance.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from typing import List, Tuple


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def usage(who: int) -> Tuple[float, float]:
    used = resource.getrusage(who)
    return used.ru_utime, used.ru_stime


def grow_to(mib: float, held: List[object]) -> None:
    """About ``mib`` MiB of small dicts of strings in ``held``."""
    while rss_mib() < mib:
        held.extend({"name": "host-%d" % index, "address": "127.0.%d.%d" % (index // 250, index % 250)}
                    for index in range(20000))


def forks(count: int) -> Tuple[float, float, float, float, float]:
    """Parent CPU, its system part, child CPU, its system part (ms per fork), and wall ms per fork."""
    parent_before, child_before = usage(resource.RUSAGE_SELF), usage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    for _unused in range(count):
        pid = os.fork()
        if pid == 0:
            os._exit(0)  # pylint: disable=protected-access  # as Ansible's workers end
        os.waitpid(pid, 0)
    wall = time.perf_counter() - started
    parent_after, child_after = usage(resource.RUSAGE_SELF), usage(resource.RUSAGE_CHILDREN)
    per_fork = 1000.0 / count
    return ((sum(parent_after) - sum(parent_before)) * per_fork, (parent_after[1] - parent_before[1]) * per_fork,
            (sum(child_after) - sum(child_before)) * per_fork, (child_after[1] - child_before[1]) * per_fork,
            wall * per_fork)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="60,120,250,330", help="MiB, in growing order")
    parser.add_argument("--forks", type=int, default=200)
    args = parser.parse_args()
    print("machine: %d CPUs, load %.1f; Python %s" % (os.cpu_count() or 0, os.getloadavg()[0], sys.version.split()[0]))
    held: List[object] = []
    for size in (float(size) for size in args.sizes.split(",")):
        grow_to(size, held)
        parent, parent_system, child, child_system, wall = forks(args.forks)
        print("RSS %6.1f MiB: per fork, parent %5.2f ms (system %5.2f), child %5.2f ms (system %5.2f), wall %5.2f ms"
              % (rss_mib(), parent, parent_system, child, child_system, wall), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
