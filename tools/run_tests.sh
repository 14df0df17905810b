#!/usr/bin/env bash
# Set up (or reuse) the environment, then run the test suite.
# Usage: bash tools/run_tests.sh [pytest args...]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=$(bash tools/setup_env.sh --tests | tail -n 1)
set +e
"$py" -m pytest -q --timeout=600 "$@"
rc=$?
set -e
# pytest's 5 means "no tests collected": a failure for us, say so plainly.
[ "$rc" -eq 5 ] && echo "run_tests: pytest collected no tests" >&2
exit "$rc"
