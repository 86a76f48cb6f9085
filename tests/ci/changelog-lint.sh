#!/usr/bin/env bash
# antsibull-changelog lint: changelogs/config.yaml, changelog.yaml and every fragment.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
cd "$REPO_ROOT"
exec "$VENV/bin/antsibull-changelog" lint "$@"
