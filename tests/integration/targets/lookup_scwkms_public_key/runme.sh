#!/usr/bin/env bash
# The lookup on the controller: formats and errors on localhost, then a play over 50 hosts that must
# cost one public-key request per distinct key (the controller-side cache, shared by forked workers).
set -eux

# ansible-test keeps the integration config two levels up from the target's working directory.
CONFIG="$(cd ../.. && pwd)/integration_config.yml"
WORK="${OUTPUT_DIR:-$(mktemp -d)}/lookup_scwkms_public_key"
rm -rf "${WORK}"
mkdir -p "${WORK}"

export ANSIBLE_HOST_KEY_CHECKING=false

ansible-playbook -i localhost.ini lookup.yml -e "@${CONFIG}" -e "work_dir=${WORK}" "$@"
ansible-playbook -i fleet.ini -f 20 fleet.yml -e "@${CONFIG}" -e "work_dir=${WORK}" "$@"
ansible-playbook -i localhost.ini repoint.yml -e "@${CONFIG}" -e "work_dir=${WORK}" -e phase=first "$@"
ansible-playbook -i localhost.ini repoint.yml -e "@${CONFIG}" -e "work_dir=${WORK}" -e phase=second "$@"
