#!/usr/bin/env bash
# Molecule: the role vapix.acap.camera on two emulated cameras (extensions/molecule/camera: delegated driver,
# create/destroy start and stop the emulator; check, converge, idempotence, verify). molecule comes from
# .venv-tools, ansible-playbook from .venv (the modules need requests and lxml in the Python that runs it).
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
"$REPO_ROOT/tests/ci/tools-setup.sh"
export PATH="$VENV/bin:$TOOLS_VENV/bin:$PATH"
export ANSIBLE_NOCOLOR=1 NO_COLOR=1
# The collection under test is this checkout, through a link at a collections path (nothing installed).
collections="$(mktemp -d -t vapix-acap-molecule.XXXXXX)"
trap 'rm -rf "$collections"' EXIT
mkdir -p "$collections/ansible_collections/vapix"
ln -s "$REPO_ROOT" "$collections/ansible_collections/vapix/acap"
export ANSIBLE_COLLECTIONS_PATH="$collections" ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
cd "$REPO_ROOT"
start=$(date +%s)
"$TOOLS_VENV/bin/molecule" test -s camera "$@"
log "molecule: scenario camera passed in $(( $(date +%s) - start )) s"
