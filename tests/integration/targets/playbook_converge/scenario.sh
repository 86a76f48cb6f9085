#!/usr/bin/env bash
# vapix.acap.converge on the emulated cameras: converges, then changes nothing; check mode changes nothing.
set -eux
files="$PWD/files"
mkdir -p "$files"
common=(-i emulator-inventory.json -e "vapix_target_files=$files" -e @../setup_vapix_emulator/declared.yml)
ansible-playbook "${common[@]}" ../setup_vapix_emulator/prepare.yml "$@"

ansible-playbook "${common[@]}" -e axis_converge_hosts=cameras --check vapix.acap.converge "$@" | tee check.log
ansible-playbook "${common[@]}" -e applications=0 verify.yml "$@"
ansible-playbook "${common[@]}" -e axis_converge_hosts=cameras vapix.acap.converge "$@" | tee first.log
ansible-playbook "${common[@]}" -e axis_converge_hosts=cameras vapix.acap.converge "$@" | tee second.log
ansible-playbook "${common[@]}" -e applications=1 verify.yml "$@"
grep -E '^cam[12] .* changed=1 ' first.log
grep -E '^cam[12] .* changed=1 ' check.log
[ "$(grep -cE '^cam[12] .* changed=0 .*failed=0' second.log)" = 2 ]
