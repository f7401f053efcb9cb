#!/usr/bin/env bash
# Chaos: ten hosts and ten forks converge keys and a keyring while the emulator misbehaves in every
# way it can at once (chaos.yml, with -vvvv into a file that must hold no secret), then redirects and
# malformed answers make tasks fail cleanly, sending nothing anywhere and creating nothing
# (fail_cleanly.yml).
set -eu

# ansible-test keeps the integration config two levels up from the target's working directory.
CONFIG="$(cd ../.. && pwd)/integration_config.yml"
WORK="${OUTPUT_DIR:-$(mktemp -d)}/chaos"
PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
rm -rf "${WORK}"
mkdir -p "${WORK}"
chmod 0700 "${WORK}"
# The temporary directories, hence the key locks, of the two simulated controllers (see chaos.yml).
mkdir -m 0700 "${WORK}/controller-a" "${WORK}/controller-b"

# A token the emulator has never seen (so IAM propagation fires), a project of our own (so the end
# state is the whole project), key material and content to sign. Random, so a leak is unmistakable.
SECRETS="${WORK}/secrets.json"
"${PYTHON}" - "${SECRETS}" <<'EOF'
import base64, json, secrets, sys, uuid
material = 'chaos-material-%s!' % secrets.token_hex(8)  # 32 printable bytes: readable if leaked
content = 'chaos-signed-content-%s' % secrets.token_hex(8)
values = {'chaos_secret_key': str(uuid.uuid4()), 'chaos_project_id': str(uuid.uuid4()),
          'chaos_material': material, 'chaos_material_b64': base64.b64encode(material.encode()).decode(),
          'chaos_content': content, 'chaos_content_b64': base64.b64encode(content.encode()).decode()}
with open(sys.argv[1], 'w') as handle:
    json.dump(values, handle)
EOF
chmod 0600 "${SECRETS}"

export ANSIBLE_NOCOLOR=1 ANSIBLE_HOST_KEY_CHECKING=false ANSIBLE_LOCALHOST_WARNING=false

# shellcheck source=emulator.sh
source emulator.sh

run() {  # run LOG PLAYBOOK ARGS...: the whole output into LOG, its tail on the terminal if it fails
    local log="$1"; shift
    if ! ansible-playbook "$@" -e "@${CONFIG}" -e "@${SECRETS}" -e "chaos_work=${WORK}" > "${log}" 2>&1; then
        tail -n 150 "${log}"
        echo "FAILED: ansible-playbook $*; whole output in ${log}" >&2
        return 1
    fi
    grep -E '^(PLAY RECAP|chaos-|localhost)' "${log}" | tail -n 12
}

# Every phase runs and every output is searched, so that one failure does not hide the others.
failed=0
run "${WORK}/chaos-vvvv.log" -vvvv -i inventory.ini -f 10 chaos.yml || failed=1
run "${WORK}/fail_cleanly-vvvv.log" -vvvv -i inventory.ini fail_cleanly.yml || failed=1

# No secret in any output: the secret key, the key material (raw and base64), the signed content (raw
# and base64). The outputs must be the real thing: masked module arguments and the hosts' tasks.
"${PYTHON}" - "${SECRETS}" "${WORK}"/*.log <<'EOF' || failed=1
import json, sys
values = json.load(open(sys.argv[1]))
needles = {name: values[name] for name in ('chaos_secret_key', 'chaos_material', 'chaos_material_b64',
                                           'chaos_content', 'chaos_content_b64')}
for path in sys.argv[2:]:
    text = open(path, encoding='utf-8', errors='replace').read()
    assert 'TASK [' in text and 'PLAY RECAP' in text, '%s does not look like a playbook run' % path
    leaked = [name for name, needle in needles.items() if needle in text]
    assert not leaked, '%s leaks %s' % (path, ', '.join(leaked))
    print('%s: %d bytes, no secret' % (path, len(text)))
text = open(sys.argv[2], encoding='utf-8').read()
assert 'VALUE_SPECIFIED_IN_NO_LOG_PARAMETER' in text and '<chaos-10>' in text, 'chaos -vvvv output is not verbose'
EOF
exit "${failed}"
