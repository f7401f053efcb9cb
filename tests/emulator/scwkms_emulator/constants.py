"""Every fixed value of the emulator, and every choice the reference marks [INF].

The reference (``key-manager-api.md``) leaves some behaviours of the real service unknown.
Each such choice lives here, once, with the reason, so it is easy to find and to change.
The README lists them too.
"""

API_PREFIX = "/key-manager/v1alpha1/regions/"
CONTROL_PREFIX = "/_emulator/"

# [INF] Unknown region in the path: 400 invalid_arguments (argument "region", reason "constraint")
# rather than 404, so that a client mapping 404 to "the key is absent" cannot mistake a typo for a
# missing key.
REGIONS = ("fr-par", "nl-ams", "pl-waw")

# [INF] A key id that is not a UUID: 400 invalid_arguments, argument "key_id", reason "format"
# (the usual Scaleway answer for a malformed path id).
KEY_ID_HELP = "must be a valid UUID"

# Pagination. [INF] Default page size 20 (a recorded list returned 12 keys in one page, so the
# default is at least 12; 20 is the common Scaleway default). Bounds 1..100, page >= 1.
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100

ORDER_BY_VALUES = (
    "name_asc", "name_desc", "created_at_asc", "created_at_desc", "updated_at_asc", "updated_at_desc",
)
DEFAULT_ORDER_BY = "name_asc"

# Key states and origins.
STATE_ENABLED = "enabled"
STATE_DISABLED = "disabled"
STATE_PENDING = "pending_key_material"
STATE_SCHEDULED = "scheduled_for_deletion"
ORIGIN_SCALEWAY = "scaleway_kms"
ORIGIN_EXTERNAL = "external"
PROTECTION_LEVEL = "software"

# Usages and their algorithms (Python SDK 2.12.0 enums).
SYMMETRIC = "symmetric_encryption"
ASYMMETRIC_ENCRYPTION = "asymmetric_encryption"
ASYMMETRIC_SIGNING = "asymmetric_signing"
USAGES = (SYMMETRIC, ASYMMETRIC_ENCRYPTION, ASYMMETRIC_SIGNING)

ALGORITHMS = {
    SYMMETRIC: ("aes_256_gcm",),
    ASYMMETRIC_ENCRYPTION: (
        "rsa_oaep_2048_sha256", "rsa_oaep_3072_sha256", "rsa_oaep_4096_sha256", "ml_kem_768", "ml_kem_1024",
    ),
    ASYMMETRIC_SIGNING: (
        "ec_p256_sha256", "ec_p384_sha384",
        "rsa_pss_2048_sha256", "rsa_pss_3072_sha256", "rsa_pss_4096_sha256",
        "rsa_pkcs1_2048_sha256", "rsa_pkcs1_3072_sha256", "rsa_pkcs1_4096_sha256",
        "ml_dsa_44", "ml_dsa_65", "ml_dsa_87",
    ),
}
RECOMMENDED_ALGORITHMS = ("aes_256_gcm", "rsa_oaep_3072_sha256", "ec_p256_sha256")
DATA_KEY_ALGORITHM = "aes_256_gcm"

# Limits documented by the SDK and the docs.
MAX_PLAINTEXT = 65535
MAX_CIPHERTEXT = 131071
MAX_WRAP_PLAINTEXT = 2048
MAX_WRAP_CIPHERTEXT = 4096
DATA_KEY_BYTES = 32

# [INF] Imported key material length: the real service accepted 31 and 32 bytes (recorded). The
# emulator accepts 16..1024 bytes (at least 128 bits before HKDF).
MIN_KEY_MATERIAL = 16
MAX_KEY_MATERIAL = 1024

# Rotation period bounds, inclusive: 24 h .. 876000 h (100 years, accepted by the real API).
MIN_ROTATION_PERIOD = 24 * 3600
MAX_ROTATION_PERIOD = 876000 * 3600

# Scheduled deletion window before the purge.
DELETION_WINDOW_SECONDS = 7 * 24 * 3600

# [INF] The `locked` flag is settable only through the control endpoint. A locked key refuses every
# mutation with this status and a {"type": "locked", "resource": "key", ...} body. 423 rather than 403
# so that a client retrying IAM-propagation 403s never retries a lock.
LOCKED_STATUS = 423

# [INF] Precondition failures other than "protected_resource" (state, usage, origin) use the generic
# precondition value the Go SDK knows, with a help_message saying what is wrong.
GENERIC_PRECONDITION = "unknown_precondition"

# [INF] ML-DSA signs the submitted "digest" bytes as the message (pure ML-DSA, empty context); the
# digest must have one of these lengths (SHA-256, SHA-384, SHA-512 outputs).
ML_DSA_DIGEST_LENGTHS = (32, 48, 64)

# Rate limiting answer of the gateway: empty body and this header.
RATE_LIMIT_HEADER = ("X-Envoy-Ratelimited", "true")

# HKDF info string for imported key material (the real derivation parameters are not public).
HKDF_INFO = b"scwkms-emulator key material"
