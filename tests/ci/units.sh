#!/usr/bin/env bash
# ansible-test units (tests/unit) in its own venv, offline except for PyPI.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
if [ -z "$(find "$REPO_ROOT/tests/unit" -name 'test_*.py' 2>/dev/null | head -n 1)" ]; then
    die "units: no test files under tests/unit: FAILED (a suite with no tests is not a pass)"
fi
"$VENV_PYTHON" "$REPO_ROOT/tests/ci/get_pip_standin.py"
cd "$(collection_copy)"
exec "$VENV/bin/ansible-test" units --venv --python "$TEST_PYTHON_VERSION" --color no "$@"
