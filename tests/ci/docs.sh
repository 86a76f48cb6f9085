#!/usr/bin/env bash
# The docs site (antsibull-docs sphinx-init, antsibull-docs collection, sphinx-build -W), offline:
# tests/ci/docs_build.py. Tools from .venv-tools.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
"$REPO_ROOT/tests/ci/tools-setup.sh"
export PATH="$TOOLS_VENV/bin:$PATH"
work="$(mktemp -d -t vapix-acap-docs.XXXXXX)"
trap 'rm -rf "$work"' EXIT
exec "$TOOLS_VENV/bin/python" "$REPO_ROOT/tests/ci/docs_build.py" "$work"
