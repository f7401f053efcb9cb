# -*- coding: utf-8 -*-
# Copyright (c) scwkms.key_manager contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment(object):
    # The algorithm option's type and choices, from module_utils/_algorithms.py (a unit test checks they
    # agree); each module that extends a variant describes the option in its own words.
    DOCUMENTATION = r'''
options:
  algorithm:
    type: str
    choices:
      - aes_256_gcm
      - rsa_oaep_2048_sha256
      - rsa_oaep_3072_sha256
      - rsa_oaep_4096_sha256
      - ml_kem_768
      - ml_kem_1024
      - ec_p256_sha256
      - ec_p384_sha384
      - rsa_pss_2048_sha256
      - rsa_pss_3072_sha256
      - rsa_pss_4096_sha256
      - rsa_pkcs1_2048_sha256
      - rsa_pkcs1_3072_sha256
      - rsa_pkcs1_4096_sha256
      - ml_dsa_44
      - ml_dsa_65
      - ml_dsa_87
'''

    # Signing algorithms only (scwkms_sign, scwkms_verify): SIGNING_ALGORITHMS.
    SIGNING = r'''
options:
  algorithm:
    type: str
    choices: [ec_p256_sha256, ec_p384_sha384, rsa_pss_2048_sha256, rsa_pss_3072_sha256, rsa_pss_4096_sha256,
              rsa_pkcs1_2048_sha256, rsa_pkcs1_3072_sha256, rsa_pkcs1_4096_sha256, ml_dsa_44, ml_dsa_65, ml_dsa_87]
'''
