#!/usr/bin/env bash
# The collection as users get it: the tarball that `ansible-galaxy collection build` makes, checked by
# galaxy-importer (flake8 and ansible-lint on; any warning fails) and by ansible-builder (the execution
# environment requirements it reads from the installed collection, and the build context of the EE
# definition in docs/awx.md). Tools from .venv-tools (tools-setup.sh).
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
"$REPO_ROOT/tests/ci/tools-setup.sh"
export PATH="$TOOLS_VENV/bin:$PATH"
work="$(mktemp -d -t vapix-acap-package.XXXXXX)"
trap 'rm -rf "$work"' EXIT
cd "$REPO_ROOT"

log "package: ansible-galaxy collection build"
ansible-galaxy collection build --output-path "$work/dist" . >/dev/null
tarball="$(ls "$work"/dist/vapix-acap-*.tar.gz)"
log "package: $(basename "$tarball"), $(( $(stat -c %s "$tarball") / 1024 )) KiB"

log "package: galaxy-importer (flake8 and ansible-lint on)"
printf '[galaxy-importer]\nRUN_FLAKE8 = True\nRUN_ANSIBLE_LINT = True\nRUN_ANSIBLE_TEST = False\nLOG_LEVEL_MAIN = INFO\n' \
    > "$work/importer.cfg"
# It writes importer_result.json into its working directory: run it in $work.
if ! (cd "$work" && GALAXY_IMPORTER_CONFIG="$work/importer.cfg" python -m galaxy_importer.main "$tarball" \
        > "$work/importer.log" 2>&1); then
    cat "$work/importer.log" >&2
    die "package: galaxy-importer failed"
fi
if grep -E '^(WARNING|ERROR)' "$work/importer.log" >&2; then
    die "package: galaxy-importer is not clean (the lines above)"
fi

log "package: ansible-builder introspect and create"
exec python "$REPO_ROOT/tests/ci/ee_check.py" "$tarball" "$work/ee"
