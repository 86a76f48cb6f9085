# vapix.acap developer entry points. The real steps live in tests/ci/*.sh so that .ci/run runs the
# same thing on machines without make. `make test` is what CI runs.

CI_DIR := tests/ci

.PHONY: help setup tools-setup demo test docs sanity sanity-matrix units emulator-tests integration integration-lowest integration-targets molecule \
	changelog-lint lint package changelog matrix docsite clean

help:
	@echo "make setup           .venv with the pinned versions (requirements-dev.txt + tests/ci/constraints.txt)"
	@echo "make demo            setup, then the demo against the bundled emulator"
	@echo "make test            setup, then every suite (what CI runs; docs/testing.md):"
	@echo "                     changelog-lint lint docs package sanity sanity-matrix units emulator-tests integration integration-lowest"
	@echo "                     integration-targets molecule"
	@echo "make <suite>         one suite of those"
	@echo "make matrix          the integration suite on ansible-core 2.16, 2.17, 2.18 (VAPIX_OLDER_CORE_VERSIONS=...)"
	@echo "make tools-setup     .venv-tools: ansible-lint, antsibull-docs, ansible-builder, galaxy-importer, molecule (pinned)"
	@echo "make changelog       release: build CHANGELOG.md from changelogs/fragments"
	@echo "make docsite         docs/docsite/rst/*.rst from the guides in docs/ (docs/docsite/extra-docs.yml)"

setup:
	@$(CI_DIR)/setup.sh

demo: setup
	@$(CI_DIR)/demo.sh

test: setup
	@$(CI_DIR)/test.sh

sanity: setup
	@$(CI_DIR)/sanity.sh

units: setup
	@$(CI_DIR)/units.sh

emulator-tests: setup
	@$(CI_DIR)/emulator-tests.sh

integration: setup
	@$(CI_DIR)/integration.sh

integration-lowest: setup
	@$(CI_DIR)/integration-lowest.sh

integration-targets: setup
	@$(CI_DIR)/integration-targets.sh

molecule: setup
	@$(CI_DIR)/molecule.sh

sanity-matrix: setup
	@$(CI_DIR)/sanity-matrix.sh

tools-setup:
	@$(CI_DIR)/tools-setup.sh

lint: setup
	@$(CI_DIR)/lint.sh

docs: setup
	@$(CI_DIR)/docs.sh

package: setup
	@$(CI_DIR)/package.sh

changelog-lint: setup
	@$(CI_DIR)/changelog-lint.sh

matrix: setup
	@$(CI_DIR)/matrix.sh

# antsibull-changelog runs ansible-doc to list new plugins: the venv's must be on PATH. Cumulative: every plugin
# added since the last release (0.2.0 was not released on its own; tests/ci/changelog_release_check.py).
changelog: setup
	PATH="$(CURDIR)/.venv/bin:$$PATH" .venv/bin/antsibull-changelog release --cummulative-release

docsite: setup
	.venv/bin/python tests/ci/docsite.py

clean:
	rm -rf tests/output .pytest_cache demo-output .venv-matrix .ansible changelogs/.plugin-cache.yaml
