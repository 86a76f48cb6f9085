# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The facts of an ACAP package (.eap) on the controller: vapix.acap.eap_facts (docs: eap_facts.yml)."""

from __future__ import annotations

from typing import Any, Callable, Dict

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.vapix.acap.plugins.module_utils._errors import PackageError
from ansible_collections.vapix.acap.plugins.module_utils._package import read_package


def eap_facts(path: Any) -> Dict[str, Any]:
    """What the modules read from the package at ``path``, without a device."""
    if not isinstance(path, str) or not path:
        raise AnsibleFilterError(
            "vapix.acap.eap_facts takes the path of an .eap file (a string), not %r" % (path,))
    try:
        return read_package(path).to_dict()
    except PackageError as exc:
        raise AnsibleFilterError(to_native(exc)) from None
    except OSError as exc:  # a folder, a file without read permission
        raise AnsibleFilterError("vapix.acap.eap_facts could not read %s: %s" % (path, to_native(exc))) from None


class FilterModule:
    """vapix.acap filters."""

    def filters(self) -> Dict[str, Callable[..., Any]]:
        return {"eap_facts": eap_facts}
