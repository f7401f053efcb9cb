# shellcheck shell=bash
# Anyone with the public key checks the signatures with openssl alone; Key Manager is not involved.

# ECDSA (ec_p256_sha256): a DER signature of the SHA-256 digest.
openssl dgst -sha256 -verify release-signing.pem -signature release.txt.release-signing.sig release.txt

# RSA-PSS (rsa_pss_*_sha256): openssl verifies PKCS#1 v1.5 unless told the padding is PSS; the salt
# length is read from the signature.
openssl dgst -sha256 -verify firmware-signing.pem \
  -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:auto \
  -signature release.txt.firmware-signing.sig release.txt

# A changed file does not verify.
printf 'release 1.4.1\n' > tampered.txt
if openssl dgst -sha256 -verify release-signing.pem -signature release.txt.release-signing.sig tampered.txt; then
  echo "a tampered file verified" >&2
  exit 1
fi
