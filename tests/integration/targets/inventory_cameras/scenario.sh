#!/usr/bin/env bash
# vapix.acap.cameras: the emulated cameras (and one address where nothing listens) from a CSV list, grouped;
# then vapix.acap.converge on that inventory.
set -eux
python_bin="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
"$python_bin" - <<'PY'
import json
hosts = json.load(open("emulator-inventory.json"))["all"]["children"]["cameras"]["hosts"]
with open("cameras.csv", "w") as handle:
    handle.write("Name,Address,Port,Credentials\n")
    for name, host in sorted(hosts.items()):
        handle.write("%s,%s,%d,lab\n" % (name, host["axis_hostname"], host["axis_port"]))
    handle.write("gone,127.1.2.3,%d,lab\n" % host["axis_port"])
PY
cat > lab.cameras.vapix.yml <<'YML'
plugin: vapix.acap.cameras
source: cameras.csv
use_https: false
credentials:
  lab: {username: root, password: pass}
YML
mkdir -p group_vars
printf 'axis_username: root\naxis_password: pass\naxis_camera_settings: {allow_unsigned: true}\naxis_camera_applications: []\n' \
    > group_vars/credentials_lab.yml
ansible-inventory -i lab.cameras.vapix.yml --graph | tee graph.txt
grep -A2 '@arch_aarch64:' graph.txt | grep -q cam1
grep -A2 '@firmware_12_6:' graph.txt | grep -q cam2
grep -A1 '@vapix_probe_unreachable:' graph.txt | grep -q gone
ansible-playbook -i lab.cameras.vapix.yml -e axis_converge_hosts='all:!vapix_probe_unreachable' vapix.acap.converge "$@" \
    | tee converge.log
grep -E '^cam1 .* changed=1 .*failed=0' converge.log
grep -E '^cam2 .* changed=1 .*failed=0' converge.log
