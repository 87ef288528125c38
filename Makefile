# Mentora's commands. The Makefile only names them: each one's logic, and why, is in scripts/.
#
#   make demo      the demo site on http://127.0.0.1:8000/ (PORT=8001 make demo for another port)
#   make test      everything CI checks: quality, SQLite, browser, MariaDB and packaging suites (what .ci/run runs)
#
# Both set up what they need from nothing (Debian packages, a Python 3.12 venv in .venv, the locked requirements)
# and are quick to run again when nothing changed.

.DEFAULT_GOAL := help
SHELL := /bin/bash
PORT ?= 8000
# The venv the scripts create (scripts/common.sh: MENTORA_VENV overrides it).
VENV := $(or $(MENTORA_VENV),.venv)
# Extra pytest arguments for `make test`, e.g. make test PYTEST_ARGS="-x -k enrollment".
PYTEST_ARGS ?=

.PHONY: help demo test quality assets compile_translations extract_translations requirements \
        compile_requirements upgrade tox benchmarks mariadb-start mariadb-stop system-packages clean

help: ## list the commands
	@awk -F ':.*## ' '/^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-22s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

demo: ## set up and serve the demo on 127.0.0.1:$(PORT)
	PORT=$(PORT) scripts/demo.sh

test: ## set up and run every check and test suite (what CI runs)
	scripts/test.sh $(PYTEST_ARGS)

quality: ## ruff, missing migrations, PII annotations
	scripts/bootstrap.sh test
	scripts/quality.sh

assets: ## compile locale/ and copy static/ into the packages (done by demo and test too)
	scripts/bootstrap.sh demo
	$(VENV)/bin/python scripts/assemble_assets.py

compile_translations: assets ## compile the catalogs (the same as make assets)

extract_translations: ## refresh locale/{en,fr} (and devsite/locale) from the code
	scripts/system_packages.sh i18n
	scripts/bootstrap.sh demo
	scripts/extract_translations.sh

requirements: ## the developer's venv: requirements/dev.txt (pip-tools, tox) + Mentora editable
	scripts/bootstrap.sh dev

compile_requirements: ## re-lock requirements/*.txt after editing a .in file, keeping other pins
	scripts/compile_requirements.sh

upgrade: ## re-lock requirements/*.txt with the newest releases the constraints allow
	scripts/compile_requirements.sh --upgrade

tox: requirements ## the platform matrix: py311-django42, py312-django52, quality
	$(VENV)/bin/tox

benchmarks: ## run the benchmarks (their figures: benchmarks/README.md)
	scripts/bootstrap.sh benchmarks
	$(VENV)/bin/python benchmarks/bench_events.py
	$(VENV)/bin/python benchmarks/bench_sync.py
	$(VENV)/bin/python benchmarks/bench_slots.py
	$(VENV)/bin/python benchmarks/bench_booking_load.py

mariadb-start: ## start the private MariaDB server of the MariaDB suite (127.0.0.1:3307)
	scripts/system_packages.sh test
	scripts/mariadb.sh start

mariadb-stop: ## stop it
	scripts/mariadb.sh stop

system-packages: ## install the Debian packages the tests need (as root, or with sudo)
	scripts/system_packages.sh test

clean: ## remove the venv, caches, build output and assembled files
	scripts/clean.sh
