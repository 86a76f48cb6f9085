#!/usr/bin/env bash
# The integration suite with the lowest ansible-core the collection claims and the lowest versions of
# requirements.txt (matrix.sh on lib.sh's LOWEST_CORE_VERSION); integration.sh runs the highest.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
# The in-process suites (the fault matrix, reliability, the state module's logic) and the browser test
# do not depend on ansible-core: 2.19's run covers them, and they are a third of the suite's time.
# Everything that goes through ansible-playbook, the action plugins, the callback and the client (with
# the lowest requests and lxml) runs here.
VAPIX_OLDER_CORE_VERSIONS="$LOWEST_CORE_VERSION" exec "$REPO_ROOT/tests/ci/matrix.sh" \
    --ignore="$REPO_ROOT/tests/integration/test_fault_matrix.py" \
    --ignore="$REPO_ROOT/tests/integration/test_reliability.py" \
    --ignore="$REPO_ROOT/tests/integration/test_state.py" \
    --ignore="$REPO_ROOT/tests/integration/test_drift_html.py" "$@"
