# shellcheck shell=bash
# A new vault password: a new label, sealed under the new key, then rekey the files to it.
./scwkms-vault-client.py create prod-2027 --key vault-passwords-2027
ansible-vault rekey --vault-id prod@./scwkms-vault-client.py --new-vault-id prod-2027@./scwkms-vault-client.py \
  secrets.yml legacy.yml
ansible-playbook --vault-id prod-2027@./scwkms-vault-client.py site.yml

# The same password under another key (the files stay as they are): rewrap. Without --key, rewrap
# re-encrypts under the newest rotation of the label's key.
./scwkms-vault-client.py rewrap prod --key vault-passwords-2027
test "$(./scwkms-vault-client.py show prod | cut -f2)" = "$(./scwkms-vault-client.py show prod-2027 | cut -f2)"
