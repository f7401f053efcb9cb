# shellcheck shell=bash
# A label with no sealed file: exit code 2, which ansible-core reports as "did not find a secret for
# vault-id=staging", with the client's message naming the file it looked for.
status=0
./scwkms-vault-client.py --vault-id staging 2> error.txt || status=$?
test "$status" -eq 2
grep -q "no vault password for label 'staging'" error.txt

# A sealed file copied to another label does not decrypt: the label is bound to the password.
cp vault-passwords/prod.scwkms vault-passwords/copy.scwkms
status=0
./scwkms-vault-client.py --vault-id copy > /dev/null 2> error.txt || status=$?
test "$status" -eq 1
grep -q "label 'copy'" error.txt
rm vault-passwords/copy.scwkms
