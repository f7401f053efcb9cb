#!/usr/bin/env bash
# Reproductions of issue 8 ("Done when"): malformed key references make no request (key_refs.yml); a
# secret key with a trailing newline, from SCW_SECRET_KEY or from the option, works and shows in no
# output, default or -vvvv (secret_newline.yml); 10 hosts with 10 forks converge to one key per name
# and one rotation (fleet.yml); the emulator's clock makes rotate_if_older_than due (clock.yml); two
# controllers whose create answers are lost end with one key (lost_create.yml).
# Redirects, {} and [] list answers and {"valid": "false"} are reproduced by the chaos target.
set -eu

CONFIG="$(cd ../.. && pwd)/integration_config.yml"
WORK="${OUTPUT_DIR:-$(mktemp -d)}/reproduce_trust"
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
rm -rf "${WORK}"
mkdir -p "${WORK}"
chmod 0700 "${WORK}"
export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_LOCALHOST_WARNING=false

# shellcheck source=../chaos/emulator.sh
source ../chaos/emulator.sh

play() {  # play LOG ARGS...: the output into LOG; its tail shown on failure; returns the exit status
    local log="$1"; shift
    local status=0
    ansible-playbook "$@" -e "@${CONFIG}" > "${log}" 2>&1 || status=$?
    if [ "${status}" != 0 ]; then
        tail -n 80 "${log}"
        echo "FAILED (${status}): ansible-playbook $*; whole output in ${log}" >&2
    fi
    return "${status}"
}

# Every reproduction runs, so that one failure does not hide the others.
failed=0
play "${WORK}/key_refs.log" -i localhost.ini key_refs.yml || failed=1
play "${WORK}/clock.log" -i localhost.ini clock.yml || failed=1

# The secret is random and never on a command line: a vars file for the option, the environment of
# ansible-playbook (as AWX and Kubernetes set it) for SCW_SECRET_KEY.
SECRET="$("${PYTHON}" -c 'import uuid; print(uuid.uuid4())')"
printf '{"newline_secret": "%s"}\n' "${SECRET}" > "${WORK}/secret.json"
chmod 0600 "${WORK}/secret.json"
for from in environment option; do
    for verbosity in default -vvvv; do
        log="${WORK}/secret-${from}-${verbosity#-}.log"
        args=(-i localhost.ini secret_newline.yml -e "@${WORK}/secret.json" -e "newline_from=${from}")
        [ "${verbosity}" = default ] || args+=("${verbosity}")
        if [ "${from}" = environment ]; then
            SCW_SECRET_KEY="${SECRET}"$'\n' play "${log}" "${args[@]}" || failed=1
        else
            play "${log}" "${args[@]}" || failed=1
        fi
        if grep -qF -- "${SECRET}" "${log}"; then
            echo "LEAK: the secret key (from ${from}, with a trailing newline) is in the ${verbosity} output ${log}" >&2
            failed=1
        fi
    done
done

play "${WORK}/fleet.log" -i inventory.ini -f 10 fleet.yml || failed=1
play "${WORK}/lost_create.log" -i localhost.ini lost_create.yml || failed=1
exit "${failed}"
