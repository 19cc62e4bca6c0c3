#!/usr/bin/env bash
# Run the whole pytest suite on SQLite and, at the same time, on PostgreSQL (scripts/test-postgres.sh).
# Many tests wait (browsers, mail servers, worker processes, the database server), so the two runs
# side by side keep two cores busier than one after the other. The PostgreSQL run's output is
# printed after the SQLite run's; the exit code is non-zero when either run failed.
set -uo pipefail
cd "$(dirname "$0")/.."
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
scripts/test-postgres.sh "$@" >"$log" 2>&1 &
postgres_pid=$!
echo "== pytest on SQLite (PostgreSQL runs alongside; its output follows) =="
.venv/bin/pytest "$@"
sqlite_rc=$?
wait "$postgres_pid"
postgres_rc=$?
cat "$log"
echo "SQLite run: exit ${sqlite_rc}; PostgreSQL run: exit ${postgres_rc}"
[ "$sqlite_rc" -eq 0 ] && [ "$postgres_rc" -eq 0 ]
