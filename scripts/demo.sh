#!/usr/bin/env bash
# The demo: error-budget-gate against a real local Prometheus holding 40 days of generated
# history for three services, evaluated with the SLOs in examples/slos/demo.yaml.
#
#   npm run demo        (or: bash scripts/demo.sh)
#
# On a fresh Debian 12 machine with Node >= 20.19 and npm, run as root: it installs what is
# missing (Debian's `prometheus` package, which brings promtool; `npm ci`; `npm run build`),
# and reaches nothing but Debian's package mirrors and the npm registry. Re-runnable: each run
# builds the history ending at the current minute (a few seconds, cached under .cache/), starts
# its own Prometheus on 127.0.0.1 on a free port, and stops it by pid on the way out, also on
# failure or Ctrl-C.
#
# The gate itself exits 1 here (FROZEN): that is the expected result. The demo exits 0 when
# everything ran as expected, and non-zero when something did not.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -t 1 ]; then BOLD=$'\033[1m'; DIM=$'\033[2m'; RESET=$'\033[0m'; else BOLD=''; DIM=''; RESET=''; fi
step() { printf '\n%s== %s%s\n' "$BOLD" "$*" "$RESET"; }
show() { printf '%s$ %s%s\n' "$DIM" "$*" "$RESET"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 2; }

# --- 1. Prerequisites -------------------------------------------------------------------------

command -v node >/dev/null || die "Node.js >= 20.19 is required (node not found)"
command -v npm >/dev/null || die "npm is required (npm not found)"
node -e '
  const [major, minor] = process.versions.node.split(".").map(Number)
  process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)
' || die "Node.js >= 20.19 is required (found $(node --version))"

step "Checking prerequisites"
# victoria-metrics is not used by the demo, but `npm test` (the second quick-start command)
# runs the VictoriaMetrics tests with it: install both in one go.
if command -v prometheus >/dev/null && command -v promtool >/dev/null && command -v victoria-metrics >/dev/null; then
  echo "prometheus and promtool: $(prometheus --version 2>&1 | head -n 1)"
else
  [ "$(id -u)" -eq 0 ] || die "prometheus/promtool are missing: run as root (the demo installs Debian's package), or run: sudo apt-get install -y prometheus victoria-metrics"
  command -v apt-get >/dev/null || die "prometheus/promtool are missing and there is no apt-get: install Prometheus (with promtool) and re-run"
  echo "prometheus/promtool or victoria-metrics not found: installing Debian's packages"
  show "apt-get update && apt-get install -y --no-install-recommends prometheus victoria-metrics"
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus victoria-metrics
  if [ -d /run/systemd/system ]; then
    echo "note: the Debian package also enabled its own prometheus.service (port 9090); the demo does not use it."
    echo "      To turn it off: systemctl disable --now prometheus"
  fi
fi

if [ ! -d node_modules ]; then
  echo "node_modules is missing: installing the locked dependencies"
  show "npm ci"
  if ! npm ci --no-audit --no-fund; then
    # Some npm 11 releases reject a lockfile whose other-platform optional packages (native
    # bindings for macOS, Windows, ...) are left out (npm/cli#9846). `npm install` still
    # installs the locked versions; --no-save keeps package.json and the lockfile untouched.
    echo "npm ci refused the lockfile; installing the locked versions with npm install --no-save instead"
    show "npm install --no-save"
    npm install --no-save --no-audit --no-fund
  fi
fi

if [ ! -f dist/cli.js ]; then
  echo "dist/cli.js is missing: building it"
  show "npm run build"
  npm run build
fi

# --- 2. A local Prometheus with history ------------------------------------------------------

WORK="$(mktemp -d "${TMPDIR:-/tmp}/ebg-demo.XXXXXX")"
PID_FILE="$WORK/prometheus.pid"

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -s "$PID_FILE" ]; then
    local pid
    pid="$(cat "$PID_FILE")"
    # Stops that pid (after checking it is a Prometheus) and removes its run directory; if the
    # helper cannot run, a plain kill of that pid, still only if it is a Prometheus.
    if ! node scripts/start-prometheus.mjs --stop --pid-file "$PID_FILE" 2>/dev/null; then
      if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = prometheus ]; then kill "$pid" 2>/dev/null || true; fi
    fi
    echo "Stopped the demo Prometheus (pid $pid)."
  fi
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# History ends now (rounded down to 5 minutes); the gate evaluates at that same instant. The
# history older than 2 days has a sample every 5 minutes on a grid anchored at END: rounding END
# to 5 minutes puts the backtest's hourly steps on that grid, so their 5m windows hold samples.
END=$(( $(date +%s) / 300 * 300 ))
AT="$(date -u -d "@$END" +%Y-%m-%dT%H:%M:%SZ)"

step "Starting Prometheus with 40 days of history ending at $AT"
echo "checkout: healthy | payments: incident 10 days ago (2 h at 50% errors) | search: 20% errors for the last hour"
START=(node scripts/start-prometheus.mjs --scenario demo --end "$END" --pid-file "$PID_FILE")
show "${START[*]}"
# In a session of its own, so that a Ctrl-C cannot kill it between starting Prometheus and
# writing the pid file: the shell waits for it, then the EXIT trap stops Prometheus by that pid.
if command -v setsid >/dev/null; then START=(setsid -w "${START[@]}"); fi
URL_LINE="$("${START[@]}")"
URL="${URL_LINE#PROMETHEUS_URL=}"
case "$URL" in http://127.0.0.1:*) ;; *) die "unexpected output from start-prometheus: $URL_LINE" ;; esac

GATE=(node dist/cli.js check --config examples/slos/demo.yaml --prometheus-url "$URL" --at "$AT")

# --- 3. The gate ---------------------------------------------------------------------------

step "The gate, text report (SLOs: examples/slos/demo.yaml)"
show "${GATE[*]}"
code=0
"${GATE[@]}" || code=$?
echo "exit code: $code"

step "The same check as JSON (--format json), reduced to decision and budget per SLO"
show "${GATE[*]} --format json | node -e '...'"
json_code=0
json="$("${GATE[@]}" --format json 2>/dev/null)" || json_code=$?
printf '%s\n' "$json" | node -e '
  const report = JSON.parse(require("fs").readFileSync(0, "utf8"))
  const pct = (x) => (x === null ? "unknown" : `${(x * 100).toFixed(1)}%`)
  const burn = (x) => (x === null || x === undefined ? "?" : `${Number(x.toFixed(2))}x`)
  console.log(`decision: ${report.decision}   (lowest budget remaining: ${pct(report.budgetRemaining)})`)
  for (const slo of report.slos) {
    console.log(
      `  ${(slo.service + "/" + slo.name).padEnd(32)} ${slo.decision.padEnd(7)}` +
        ` budget remaining ${pct(slo.budget.remaining).padStart(7)}, burn 1h ${burn(slo.burnRates["1h"])}`
    )
  }
'

step "What the exit code means"
cat <<EOF
The gate exited $code. Exit codes: 0 = allow or warn (ship), 1 = freeze (stop), 2 = error
(invalid configuration, query failure or no data: the gate fails closed).

Exit 1 is the expected result of this demo:
  - payments spent its whole 30-day budget in a 2-hour incident ten days ago, so feature
    deploys stay frozen until that incident leaves the 30-day window;
  - search is burning its budget 200x faster than sustainable right now (page-level fast burn);
  - checkout is healthy (90% of its budget left) and would ship on its own.
In a workflow the gate step fails, so the deploy step after it does not run.
EOF

# --- 3b. After the deploy, and before enforcing: verify and backtest --------------------------

step "A deploy watch replayed over the last hour: search starts burning 5 minutes into it"
SINCE="$(date -u -d "@$(( END - 65 * 60 ))" +%Y-%m-%dT%H:%M:%SZ)"
VERIFY=(node dist/cli.js verify --config examples/slos/demo.yaml --prometheus-url "$URL" --since "$SINCE")
show "${VERIFY[*]}"
echo "(a --since in the past replays the watch at once; exit 1 means: roll back)"
verify_code=0
"${VERIFY[@]}" 2>/dev/null || verify_code=$?
echo "exit code: $verify_code"

mkdir -p .cache
step "Backtest: the policy replayed hourly over the last 14 days (chart: .cache/demo-backtest.svg)"
BACKTEST=(node dist/cli.js backtest --config examples/slos/demo.yaml --prometheus-url "$URL" --to "$AT" --from 14d --step 1h --chart .cache/demo-backtest.svg)
show "${BACKTEST[*]}"
backtest_code=0
"${BACKTEST[@]}" || backtest_code=$?
echo "exit code: $backtest_code"

# --- 4. Fail closed ------------------------------------------------------------------------

step "Fail closed: the same check once Prometheus is gone"
node scripts/start-prometheus.mjs --stop --pid-file "$PID_FILE"
show "${GATE[*]} --format json --retries 0"
down_code=0
down="$("${GATE[@]}" --format json --retries 0 2>/dev/null)" || down_code=$?
printf '%s\n' "$down" | node -e '
  const report = JSON.parse(require("fs").readFileSync(0, "utf8"))
  console.log(`decision: ${report.decision}`)
  console.log(`  ${report.reasons[0]}`)
'
echo "exit code: $down_code (an unreachable Prometheus never reads as a pass)"

# --- 5. Did the demo run as expected? -------------------------------------------------------

expect() { # description, actual, expected
  if [ "$2" != "$3" ]; then
    echo "demo: unexpected result: $1 was $2, expected $3" >&2
    failed=1
  fi
}
failed=0
expect "the gate's exit code" "$code" 1
expect "the JSON run's exit code" "$json_code" 1
expect "the decision" "$(printf '%s' "$json" | node -p 'JSON.parse(require("fs").readFileSync(0, "utf8")).decision')" freeze
expect "the exit code with Prometheus down" "$down_code" 2
expect "the deploy watch's exit code" "$verify_code" 1
expect "the backtest's exit code" "$backtest_code" 0
if [ "$failed" -ne 0 ]; then exit 1; fi

step "Demo finished as expected (the gate said FROZEN, exit 1; with Prometheus down, ERROR, exit 2)"
