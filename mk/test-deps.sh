#!/bin/sh
# Installs the npm packages the tests use (tests/package.json, locked) once.
set -eu
cd "$(dirname "$0")/../tests"
if [ ! -f node_modules/.orchestrator-stamp ] || [ -n "$(find package-lock.json -newer node_modules/.orchestrator-stamp)" ]; then
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p node_modules && touch node_modules/.orchestrator-stamp
fi
