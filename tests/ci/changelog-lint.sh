#!/usr/bin/env bash
# antsibull-changelog lint: changelogs/config.yaml, changelog.yaml and every fragment; then a dry run of the
# next release in a scratch copy (tests/ci/changelog_release_check.py: every new plugin and object listed).
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
cd "$REPO_ROOT"
"$VENV/bin/antsibull-changelog" lint "$@"
PATH="$VENV/bin:$PATH" "$VENV_PYTHON" "$REPO_ROOT/tests/ci/changelog_release_check.py"
