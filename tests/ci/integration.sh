#!/usr/bin/env bash
# Integration tests: pytest + playbooks against the bundled emulator (tests/integration).
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
run_pytest_suite integration "$REPO_ROOT/tests/integration" "$@"
