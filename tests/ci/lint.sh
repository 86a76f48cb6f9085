#!/usr/bin/env bash
# ansible-lint (production profile, .ansible-lint) and antsibull-docs lint-collection-docs --plugin-docs
# (plugin docs, docs/docsite/extra-docs.yml and links.yml, the RST guides, which must be those
# tests/ci/docsite.py makes from docs/*.md). Tools from .venv-tools.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
"$REPO_ROOT/tests/ci/tools-setup.sh"
export PATH="$TOOLS_VENV/bin:$PATH"
cd "$REPO_ROOT"
log "lint: ansible-lint (profile production)"
ansible-lint --nocolor
log "lint: docs/docsite/rst is made from the current guides"
"$TOOLS_VENV/bin/python" "$REPO_ROOT/tests/ci/docsite.py" --check
log "lint: antsibull-docs lint-collection-docs --plugin-docs"
# It lints the collection that ansible-core finds: this checkout, through a link at a collections path.
collections="$(mktemp -d -t vapix-acap-lint.XXXXXX)"
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/vapix"
ln -s "$REPO_ROOT" "$collections/ansible_collections/vapix/acap"
ANSIBLE_COLLECTIONS_PATH="$collections" antsibull-docs lint-collection-docs --plugin-docs \
    "$collections/ansible_collections/vapix/acap"
