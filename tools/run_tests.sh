#!/usr/bin/env bash
# Set up (or reuse) the environment, then run the test suite.
# Usage: bash tools/run_tests.sh [pytest args...]
# The tests run in MMSNN_TEST_PROCS processes (default 2, one per core of
# the 2-core machines CI has; each test runs torch on one thread), a test
# file per process (pytest-xdist's loadfile: a module's fixtures are built
# once). MMSNN_TEST_PROCS=1 runs them in this process.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
py=$(bash tools/setup_env.sh --tests | tail -n 1)
procs="${MMSNN_TEST_PROCS:-2}"
case "$procs" in
  ''|*[!0-9]*|0) echo "run_tests: MMSNN_TEST_PROCS must be a positive integer, got '$procs'" >&2; exit 2 ;;
esac
parallel=()
[ "$procs" -gt 1 ] && parallel=(-n "$procs" --dist loadfile)
set +e
"$py" -m pytest -q --timeout=600 "${parallel[@]}" "$@"
rc=$?
set -e
# pytest's 5 means "no tests collected": a failure for us, say so plainly.
[ "$rc" -eq 5 ] && echo "run_tests: pytest collected no tests" >&2
exit "$rc"
