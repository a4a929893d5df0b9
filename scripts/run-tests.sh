#!/usr/bin/env bash
# The whole test suite: lint, then pytest on SQLite, then on PostgreSQL (AMTSWEG_TEST_POSTGRES_URL).
# With CI=true a missing PostgreSQL or Chromium fails the run instead of skipping those tests.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
CI=${CI:-false}
PG_URL=${AMTSWEG_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/amtsweg}
# Debian packages the tests need: the browser for end-to-end tests, poppler for independent PDF checks,
# Pango/HarfBuzz and fonts for PDF rendering.
SYSTEM_PACKAGES=(chromium poppler-utils libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installiere Debian-Pakete für die Tests: ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "Für alle Tests fehlen Debian-Pakete. Bitte installieren: sudo apt-get install ${missing[*]}" >&2
  fi
fi

status=0
echo "== ruff"
$VENV/bin/ruff check . && $VENV/bin/ruff format --check . || status=1

TMP_DATA=$(mktemp -d)
trap 'rm -rf "$TMP_DATA"' EXIT
export AMTSWEG_TESTING=1 AMTSWEG_DATA_DIR="$TMP_DATA"

echo "== pytest on SQLite"
env -u AMTSWEG_DATABASE_URL $VENV/bin/pytest --cov --cov-report=term:skip-covered -p no:cacheprovider "$@" || status=1

echo "== pytest on PostgreSQL ($PG_URL)"
if $VENV/bin/python - "$PG_URL" <<'PY'
import sys, psycopg
try:
    psycopg.connect(sys.argv[1].rsplit("/", 1)[0] + "/postgres", connect_timeout=5).close()
except Exception as exc:
    print(f"PostgreSQL nicht erreichbar: {exc}", file=sys.stderr)
    sys.exit(1)
PY
then
  AMTSWEG_DATABASE_URL="$PG_URL" $VENV/bin/pytest -p no:cacheprovider "$@" || status=1
elif [ "$CI" = "true" ]; then
  echo "CI: PostgreSQL fehlt, der Lauf schlägt fehl." >&2
  status=1
else
  echo "PostgreSQL-Lauf übersprungen (Server nicht erreichbar). Start: pg_ctlcluster 15 main start" >&2
fi

exit $status
