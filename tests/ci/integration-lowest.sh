#!/usr/bin/env bash
# The integration suite with the lowest ansible-core the collection claims and the lowest versions of
# requirements.txt (matrix.sh on lib.sh's LOWEST_CORE_VERSION); integration.sh runs the highest.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
VAPIX_OLDER_CORE_VERSIONS="$LOWEST_CORE_VERSION" exec "$REPO_ROOT/tests/ci/matrix.sh" "$@"
