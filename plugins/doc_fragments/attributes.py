# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment:
    # Standard attributes; modules set the support level of check_mode and diff_mode themselves.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying the device.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in
      diff mode.
  platform:
    description: Target the VAPIX Application API of an Axis device over HTTP(S), from the host the task runs on.
    support: full
    platforms: axis
  action:
    description: Has an action plugin of the same name. On the controller (connection C(local)) the module's
      logic runs in Ansible's worker process, without a module process; elsewhere the module runs on the
      target with the local files it needs copied there. Set the variable C(vapix_acap_in_process=false) to
      run the module on the controller too. An C(async) task always runs as the module, in Ansible's async
      wrapper; with C(poll) above 0 Ansible waits for it, with C(poll=0) wait with M(ansible.builtin.async_status);
      paths in an async task's result are the copies on the target.
    support: full
  action_group:
    description: Use C(group/vapix.acap.axis) in C(module_defaults) to set defaults for this module, for example
      the connection options.
    support: full
    membership:
      - vapix.acap.axis
"""

    # For read-only modules.
    INFO_MODULE = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This action does not modify state.
  diff_mode:
    support: N/A
    details:
      - This action does not modify state.
"""
