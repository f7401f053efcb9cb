# shellcheck shell=bash
# ansible-vault runs the client as `./scwkms-vault-client.py --vault-id prod` and reads the password from
# its output: one decrypt request. The file's header names the label.
ansible-vault encrypt --vault-id prod@./scwkms-vault-client.py secrets.yml
test "$(head -n 1 secrets.yml)" = "\$ANSIBLE_VAULT;1.2;AES256;prod"
