#!/usr/bin/env bash
# Run the whole pytest suite again on PostgreSQL.
# SPONA_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/spona) names the server;
# an unreachable server skips this run, except with CI=true, where it fails.
set -uo pipefail
url="${SPONA_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/spona}"
if ! .venv/bin/python - "$url" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL is not reachable at {sys.argv[1]}: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: PostgreSQL is required; failing." >&2
    exit 1
  fi
  echo "Skipping the PostgreSQL run (set SPONA_TEST_POSTGRES_URL to a reachable server)." >&2
  exit 0
fi
echo "== pytest on PostgreSQL =="
SPONA_DATABASE_URL="$url" exec .venv/bin/pytest "$@"
