"""The development harness of scwkms.key_manager: virtualenv, collection copy, emulator, test stages, demo.

Run from the repository root, normally through the Makefile: ``python3 -m tools.venv`` (standard library
only, it builds ``.venv``), then ``.venv/bin/python -m tools.run <command>``.
"""
