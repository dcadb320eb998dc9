#!/usr/bin/env bash
# Run every benchmark; each prints JSON and saves it under bench/results/.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
$PY bench/synth_bench.py
DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/pakan_bench} $PY bench/import_bench.py
$PY bench/search_bench.py
$PY bench/rules_bench.py --output bench/results/rules.json
