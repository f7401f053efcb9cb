# shellcheck shell=bash
# The same from a shell: scripts/scwkms-vars in the installed collection.
scwkms_vars="${ANSIBLE_COLLECTIONS_PATH%%:*}/ansible_collections/scwkms/key_manager/scripts/scwkms-vars"

# Encrypt YAML from stdin into the web group's directory (the key by name).
mkdir -p group_vars/web
printf 'web_api_token: tok-Web-7f3a\n' | "$scwkms_vars" encrypt --key app-secrets group_vars/web/api.scwkms

# Which key decrypts it (no request), and its variables on stdout (one request).
"$scwkms_vars" show group_vars/web/api.scwkms | grep -q '^scw-kms://regions/fr-par/keys/'
"$scwkms_vars" decrypt group_vars/web/api.scwkms | grep -qx 'web_api_token: tok-Web-7f3a'

# Edit in $EDITOR (here a non-interactive one): re-encrypted only when the text changed.
EDITOR="sed -i s/tok-Web-7f3a/tok-Web-8b4c/" "$scwkms_vars" edit group_vars/web/api.scwkms
"$scwkms_vars" decrypt group_vars/web/api.scwkms | grep -qx 'web_api_token: tok-Web-8b4c'
