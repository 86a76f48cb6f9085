#!/usr/bin/env bash
# The emulator's own tests (tests/emulator/tests), with pytest.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
export PYTHONPATH="$REPO_ROOT/tests/emulator${PYTHONPATH:+:$PYTHONPATH}"
run_pytest_suite emulator "$REPO_ROOT/tests/emulator/tests" "$@"
