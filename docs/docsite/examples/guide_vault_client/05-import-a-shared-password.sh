# shellcheck shell=bash
# Moving off a shared password: files encrypted with it so far...
printf '%s\n' 'the-old-shared-password' > old-vault-pass.txt
printf 'legacy_token: t0ken-from-before\n' > legacy.yml
ansible-vault encrypt --vault-password-file old-vault-pass.txt legacy.yml

# ...keep working once that password is sealed under a label (read from stdin, surrounding whitespace
# removed as ansible-core does; on a terminal the client asks for it twice). Then delete the plain copy.
./scwkms-vault-client.py import legacy --key vault-passwords-2026 < old-vault-pass.txt
rm old-vault-pass.txt
ansible-vault view --vault-id legacy@./scwkms-vault-client.py legacy.yml | grep -q 't0ken-from-before'

# Then move the files to a label of the new scheme: one decrypt request per label.
ansible-vault rekey --vault-id legacy@./scwkms-vault-client.py --new-vault-id prod@./scwkms-vault-client.py legacy.yml
test "$(head -n 1 legacy.yml)" = "\$ANSIBLE_VAULT;1.2;AES256;prod"
