#!/usr/bin/env bash
# Create .venv with the pinned development requirements. Idempotent: when the requirement files
# have not changed since the last successful run, it only checks and returns (well under a second).
# tools-setup.sh makes .venv-tools with it: VAPIX_VENV, SETUP_REQUIREMENTS, SETUP_CONSTRAINTS, SETUP_IMPORTS.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"

find_python() {
    local candidate
    for candidate in "${PYTHON:-}" python3.11 python3 python; do
        [ -n "$candidate" ] || continue
        command -v "$candidate" >/dev/null 2>&1 || continue
        if "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
            command -v "$candidate"
            return 0
        fi
    done
    return 1
}

setup_start=$(date +%s)
requirements="${SETUP_REQUIREMENTS:-requirements-dev.txt}"
constraints="${SETUP_CONSTRAINTS:-tests/ci/constraints.txt}"
imports="${SETUP_IMPORTS:-ansible, requests, lxml, pytest}"
requirement_files=(requirements.txt "$requirements" "$constraints")
stamp_file="$VENV/.vapix-acap-setup"
fingerprint="$(cd "$REPO_ROOT" && cat "${requirement_files[@]}" | cksum | cut -d' ' -f1)"

if [ -x "$VENV_PYTHON" ] && [ "$(cat "$stamp_file" 2>/dev/null)" = "$fingerprint" ]; then
    log "setup: $VENV is up to date"
    exit 0
fi

if [ ! -x "$VENV_PYTHON" ]; then
    python="$(find_python)" || die "Python 3.11 or later is needed (set PYTHON=/path/to/python3.11)"
    log "setup: creating $VENV with $python"
    "$python" -m venv "$VENV" || die "could not create a virtual environment: on Debian/Ubuntu install python3-venv (or python3.11-venv)"
fi

log "setup: installing pinned requirements into $VENV"
(cd "$REPO_ROOT" && "$VENV_PYTHON" -m pip install --disable-pip-version-check --quiet \
    -r "$requirements" -c "$constraints")
"$VENV_PYTHON" -c "import $imports" || die "the virtual environment at $VENV is incomplete"
printf '%s\n' "$fingerprint" > "$stamp_file"
log "setup: done in $(( $(date +%s) - setup_start )) s ($("$VENV/bin/ansible" --version | head -n 1))"
