#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
module: drift_report_merge
short_description: Merge the drift.json files of several runs (job slices, sites) into one fleet report
version_added: 0.3.0
description:
  - Reads the C(drift.json) files written by the callback C(vapix.acap.drift_report) in several runs, for example
    the slices of a sliced AWX job or the runs of several sites, and writes one report of all their hosts
    (C(drift.json), C(drift.md), C(drift.html)) into O(dest), each file written atomically.
  - A host found in more than one file keeps the entry of the run that finished last. A file that is not a drift
    report is named in the report's C(sources) as skipped; when none is, the task fails.
  - Runs on the controller (an action plugin); the playbook V(vapix.acap.merge_reports) calls it.
author:
  - vapix.acap contributors (@vapix-acap)
options:
  src:
    description:
      - The C(drift.json) files to merge, or folders holding one, or shell patterns (C(*), C(?)) matching them.
    type: list
    elements: path
    required: true
  dest:
    description:
      - Folder the merged report is written to; created when missing.
    type: path
    required: true
  formats:
    description:
      - Which files to write; the others in O(dest) are left as they are.
    type: list
    elements: str
    choices: [json, md, html]
    default: [json, md, html]
  title:
    description:
      - Title of the Markdown and HTML reports.
    type: str
    default: ACAP fleet drift report
attributes:
  check_mode:
    description: In check mode the files are read and merged, nothing is written.
    support: full
  diff_mode:
    description: Not supported.
    support: none
  platform:
    description: Runs on the controller.
    platforms: posix
    support: full
  action:
    description: An action plugin; the module file holds its documentation.
    support: full
seealso:
  - name: The drift report
    description: docs/drift_report.md in the collection, section "Merging reports".
    link: https://github.com/vapix/acap/blob/main/docs/drift_report.md
"""

EXAMPLES = r"""
- name: One report of the slices' reports
  vapix.acap.drift_report_merge:
    src:
      - /var/lib/acap-drift/slices/*/drift.json
    dest: /var/lib/acap-drift/fleet
"""

RETURN = r"""
summary:
  description: Number of hosts per status in the merged report.
  returned: always
  type: dict
  sample: {"hosts": 4000, "in_sync": 3900, "drift": 90, "changed": 0, "not_declared": 2, "failed": 6, "unreachable": 2}
sources:
  description: Each file read, with its host count, or why it was skipped.
  returned: always
  type: list
  elements: dict
files:
  description: The files written (none in check mode).
  returned: always
  type: list
  elements: str
"""
