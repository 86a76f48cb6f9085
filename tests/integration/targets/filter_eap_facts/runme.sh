#!/usr/bin/env bash
# ansible-test integration target: test.yml against 0 emulated camera(s) on loopback, started and stopped
# by ../setup_vapix_emulator/with_emulator.py (aliases: needs/target/setup_vapix_emulator).
set -eux
"${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}" ../setup_vapix_emulator/with_emulator.py --devices 0 -- \
    ansible-playbook -i emulator-inventory.json test.yml "$@"
