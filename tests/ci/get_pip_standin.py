# -*- coding: utf-8 -*-
# Copyright: vapix.acap contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Put an offline stand-in for ansible-test's pip bootstrap script in place.

ansible-test (``--venv``) bootstraps pip in each virtual environment it makes
with ``get-pip-<version>.py``, downloaded from a host that is unreachable here.
It looks in ``~/.ansible/test/cache/get_pip_<version>.py`` first, so this
script writes a stand-in there that installs pip with ``ensurepip`` and then
pip installs the packages ansible-test asked for (from PyPI, which is reachable).

Usage: python tests/ci/get_pip_standin.py   (with the ansible-core that will run ansible-test)
"""

from __future__ import annotations

import os
import sys
from types import SimpleNamespace

MARKER = "# vapix.acap offline get-pip stand-in"

STANDIN = MARKER + '''
"""Installs pip without downloading get-pip: ensurepip, then pip install <args>."""
import subprocess
import sys

DROPPED = {"--no-setuptools", "--no-wheel"}  # get-pip options that pip install does not know


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
    arguments = [argument for argument in sys.argv[1:] if argument not in DROPPED]
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    main()
'''


def bootstrap_pip_version() -> str:
    """The pip version ansible-test asks for (24.2 on ansible-core 2.18/2.19, 23.1.2 on 2.16/2.17)."""
    from ansible_test._internal.python_requirements import get_venv_packages  # pylint: disable=import-outside-toplevel

    python = SimpleNamespace(version="%d.%d" % sys.version_info[:2])
    return get_venv_packages(python)["pip"]  # type: ignore[arg-type]


def main() -> int:
    version = bootstrap_pip_version()
    cache_dir = os.path.expanduser("~/.ansible/test/cache")
    path = os.path.join(cache_dir, "get_pip_%s.py" % version.replace(".", "_"))
    if os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            if not handle.read().startswith(MARKER):
                print("get-pip %s: a real bootstrap script is cached at %s; keeping it" % (version, path))
                return 0
    os.makedirs(cache_dir, exist_ok=True)
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(STANDIN)
    print("get-pip %s: offline stand-in written to %s" % (version, path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
