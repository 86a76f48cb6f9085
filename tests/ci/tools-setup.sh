#!/usr/bin/env bash
# Create .venv-tools: ansible-lint, antsibull-docs, ansible-builder, galaxy-importer (pinned), apart from
# .venv (see tests/ci/tools-requirements.txt). Idempotent like setup.sh, which does the work.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
VAPIX_VENV="$TOOLS_VENV" SETUP_REQUIREMENTS=tests/ci/tools-requirements.txt \
    SETUP_CONSTRAINTS=tests/ci/tools-constraints.txt SETUP_IMPORTS="ansiblelint, antsibull_docs, ansible_builder, galaxy_importer, molecule, sphinx_ansible_theme" \
    exec "$REPO_ROOT/tests/ci/setup.sh"
