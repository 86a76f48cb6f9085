# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One rejected login per camera and run: the marker a refused login leaves for the later tasks.

Many devices lock an account (or the client's address) after a few failed logins. When a task fails
with HTTP 401, a marker file in the run's private temporary directory (removed when ansible-playbook
ends) remembers it; later tasks on the same route with the same credentials fail at once without
sending them (docs/architecture.md, Action plugins).
"""

from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Mapping, Optional, Sequence

from ansible_collections.vapix.acap.plugins.module_utils._errors import AuthenticationError

# Host or task variable: false sends credentials again even after a camera refused them in this run.
REMEMBER_REFUSED_VARIABLE = "vapix_acap_remember_refused_logins"


def refusal_marker(run_dir: Optional[str], route: Sequence[Any]) -> Optional[str]:
    """The marker's path, named by a hash of the run's directory and of ``route``: everything that decides
    which device and account the credentials reach (the password among them, never stored). None without
    a per-run directory."""
    if not run_dir or not os.path.isdir(run_dir):
        return None
    identity = "\0".join(str(part) for part in (run_dir,) + tuple(route))
    return os.path.join(run_dir, "vapix-acap-refused-%s" % hashlib.sha256(identity.encode("utf-8")).hexdigest())


def refuse_if_refused_earlier(marker: Optional[str], retrying: bool) -> None:
    """Once a camera refused these credentials in this run, do not send them again. A task with
    ``until:`` asks for another try (``retrying``), so its retries are not refused."""
    if marker is None or retrying or not os.path.exists(marker):
        return
    try:
        with open(marker, encoding="utf-8") as handle:
            earlier = json.load(handle)
    except (OSError, ValueError):
        return
    raise AuthenticationError(
        "%s (refused earlier in this run; the credentials were not sent again, so that the device does "
        "not lock the account. Fix username/password and run again)" % earlier.get("msg", "Credentials refused"),
        http_status=401,
        endpoint=earlier.get("endpoint"),
    )


def remember_refusal(marker: Optional[str], result: Mapping[str, Any]) -> None:
    """Write the marker with the failure's message and endpoint, unless another fork wrote it first."""
    if marker is None or os.path.exists(marker):
        return
    try:
        descriptor = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError:
        return  # another fork wrote it first, or no per-run directory: nothing to remember
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump({"msg": str(result.get("msg", "")), "endpoint": result.get("endpoint")}, handle)
