"""``python -m vapix_emulator serve|build-eap|build-license [options]``."""

from __future__ import annotations

import sys
from typing import Optional, Sequence

USAGE = """usage: python -m vapix_emulator COMMAND [options]

commands:
  serve           start virtual devices (see --help)
  build-eap       build an .eap package for tests
  build-license   build a license key file for tests
"""


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        sys.stdout.write(USAGE)
        return 0 if args else 2
    command, rest = args[0], args[1:]
    if command == "serve":
        from .cli import main_serve

        return main_serve(rest)
    if command == "build-eap":
        # Imported lazily: the builders are a colleague's module and serving must not depend on them.
        from .builders import main_build_eap

        return main_build_eap(rest)
    if command == "build-license":
        from .builders import main_build_license

        return main_build_license(rest)
    sys.stderr.write("unknown command {0!r}\n{1}".format(command, USAGE))
    return 2


if __name__ == "__main__":
    sys.exit(main())
