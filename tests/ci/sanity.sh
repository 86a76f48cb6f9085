#!/usr/bin/env bash
# ansible-test sanity on the whole collection, offline except for PyPI.
# Extra arguments go to ansible-test (e.g. --test pylint).
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
"$VENV_PYTHON" "$REPO_ROOT/tests/ci/get_pip_standin.py"
cd "$(collection_copy)"
exec "$VENV/bin/ansible-test" sanity --venv --python "$TEST_PYTHON_VERSION" --color no "$@"
