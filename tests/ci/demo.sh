#!/usr/bin/env bash
# `make demo`: the README's demo against the bundled emulator.
# docs/demo/run_demo.py starts and stops its own emulator. Without it, this script starts one
# (default addresses: 127.0.10.1 and up, HTTP 8080, HTTPS 8443) and runs docs/demo/site.yml on
# docs/demo/inventory.yml, stopping the emulator whatever happens.
set -euo pipefail
# shellcheck source=tests/ci/lib.sh
. "$(dirname "$0")/lib.sh"
require_venv
cd "$REPO_ROOT"

if [ -f docs/demo/run_demo.py ]; then
    exec "$VENV_PYTHON" docs/demo/run_demo.py "$@"
fi

missing=()
for file in docs/demo/site.yml docs/demo/inventory.yml; do
    [ -f "$file" ] || missing+=("$file")
done
[ "${#missing[@]}" -eq 0 ] || die "the demo is not there yet: missing ${missing[*]}"

emulator_log="$(mktemp -t vapix-demo-emulator.XXXXXX)"
PYTHONPATH="$REPO_ROOT/tests/emulator" "$VENV_PYTHON" -m vapix_emulator serve \
    --devices "${DEMO_DEVICES:-3}" --port "${DEMO_PORT:-8080}" --https-port "${DEMO_HTTPS_PORT:-8443}" \
    > "$emulator_log" 2>&1 &
emulator_pid=$!
trap 'kill -TERM "$emulator_pid" 2>/dev/null; wait "$emulator_pid" 2>/dev/null; rm -f "$emulator_log"' EXIT
for _ in $(seq 1 120); do
    grep -q '"ready": *true' "$emulator_log" && break
    kill -0 "$emulator_pid" 2>/dev/null || { cat "$emulator_log" >&2; die "the emulator stopped before it was ready"; }
    sleep 0.5
done
grep -q '"ready": *true' "$emulator_log" || { cat "$emulator_log" >&2; die "the emulator was not ready within 60 s"; }

key="$(printf '%s' "$REPO_ROOT" | cksum | cut -d' ' -f1)"
collections="${TMPDIR:-/tmp}/vapix-acap-demo-$key"
mkdir -p "$collections/ansible_collections/vapix"
ln -sfn "$REPO_ROOT" "$collections/ansible_collections/vapix/acap"
ANSIBLE_COLLECTIONS_PATH="$collections" "$VENV/bin/ansible-playbook" \
    -i docs/demo/inventory.yml -e "ansible_python_interpreter=$VENV_PYTHON" docs/demo/site.yml "$@"
