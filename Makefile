# The two commands: `make demo` and `make test`. Everything runs from a fresh clone: the first target
# builds .venv (tools/venv.py, again only when requirements-dev.txt changes), then tools/run.py does
# the work. See README.md and docs/developing.md.

PYTHON ?= python3
RUN := .venv/bin/python -m tools.run

.DEFAULT_GOAL := help
.PHONY: help venv demo test sanity units integration lint vermin test-matrix ee bench docs changelog clean distclean

help:
	@echo "make demo                    run playbooks/demo.yml against a local Key Manager emulator"
	@echo "make test                    sanity, integration, lint, vermin, matrix, then unit and emulator tests (pytest)"
	@echo "make sanity                  ansible-test sanity (ARGS= extra ansible-test options, e.g. --test pep8)"
	@echo "make units                   pytest over tests/unit and tests/emulator/tests (ARGS= pytest options)"
	@echo "make integration [TARGET=x]  ansible-test integration against an emulator"
	@echo "make lint                    ansible-lint --offline on roles/ and playbooks/"
	@echo "make vermin                  plugins/modules and module_utils parse on the oldest managed-node Python"
	@echo "make test-matrix [CORE=x]    unit tests and some integration targets under ansible-core 2.16-2.18"
	@echo "make ee                      an ansible-builder context for an EE with this checkout (ARGS= its options)"
	@echo "make bench                   tools/bench.py (ARGS= its options)"
	@echo "make docs                    the documentation site, offline, in .build/docs/build/html"
	@echo "make changelog               regenerate CHANGELOG.rst from changelogs/ (after adding a fragment)"
	@echo "make clean | distclean       remove build output | and .venv"

venv:
	@$(PYTHON) -m tools.venv

demo: venv
	@$(RUN) demo

test: venv
	@$(RUN) test

sanity: venv
	@$(RUN) sanity $(ARGS)

units: venv
	@$(RUN) units $(ARGS)

integration: venv
	@$(RUN) integration $(TARGET) $(ARGS)

lint: venv
	@$(RUN) lint $(ARGS)

vermin: venv
	@$(RUN) vermin $(ARGS)

test-matrix: venv
	@$(RUN) matrix $(CORE)

ee: venv
	@$(RUN) ee $(ARGS)

bench: venv
	@$(RUN) bench $(ARGS)

docs: venv
	@$(RUN) docs

changelog: venv
	@$(RUN) changelog

clean:
	rm -rf .build tests/output .pytest_cache .hypothesis tests/emulator/.pytest_cache scwkms-key_manager-*.tar.gz
	find . -path ./.venv -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf .venv
