# shellcheck shell=bash
# The client ships in the collection, in scripts/. A link in the project keeps the commands short; the
# client follows the link back to its collection. ansible-core passes --vault-id only to a script whose
# name ends in -client (before the extension), so a link must keep such a name.
collections="${ANSIBLE_COLLECTIONS_PATH:-$HOME/.ansible/collections}"
ln -sf "${collections%%:*}/ansible_collections/scwkms/key_manager/scripts/scwkms-vault-client.py" .

# A new random vault password for the label prod, sealed with Key Manager in vault-passwords/prod.scwkms
# (the directory comes from ansible.cfg). The password is never printed; the file can be committed.
./scwkms-vault-client.py create prod --key vault-passwords-2026

# Which key protects the label: read from the file, no request.
./scwkms-vault-client.py show prod
grep -q '^key: scw-kms://regions/fr-par/keys/' vault-passwords/prod.scwkms
