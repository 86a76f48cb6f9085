#!/usr/bin/env bash
# vapix.acap.drift on the emulated cameras: drift before the converge (exit 2), in sync after it (exit 0).
set -eux
files="$PWD/files"
mkdir -p "$files"
common=(-i emulator-inventory.json -e "vapix_target_files=$files" -e @../setup_vapix_emulator/declared.yml)
export ANSIBLE_CALLBACKS_ENABLED="${ANSIBLE_CALLBACKS_ENABLED:+$ANSIBLE_CALLBACKS_ENABLED,}vapix.acap.drift_report"
export ACAP_DRIFT_REPORT_DIR="$PWD/report"
ansible-playbook "${common[@]}" ../setup_vapix_emulator/prepare.yml "$@"

rc=0
ansible-playbook "${common[@]}" -e axis_drift_hosts=cameras vapix.acap.drift "$@" || rc=$?
[ "$rc" = 2 ]
"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" -c '
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
assert sorted(hosts) == ["cam1", "cam2"] and {host["status"] for host in hosts.values()} == {"drift"}, hosts
' report/drift.json

ansible-playbook "${common[@]}" -e axis_converge_hosts=cameras vapix.acap.converge "$@"
ansible-playbook "${common[@]}" -e axis_drift_hosts=cameras vapix.acap.drift "$@"
