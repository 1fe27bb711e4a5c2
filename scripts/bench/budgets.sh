#!/usr/bin/env bash
# The hand-rolled alternative: the budgets and burn rates the gate computes, one query at a time
# with curl and jq, the way such scripts are usually written.
#
#   bash scripts/bench/budgets.sh <prometheus-url> <unix-time> <slos.tsv>
# slos.tsv: service, name, objective (fraction), errors query, total query ({{.window}} templates).
# Prints one line per SLO: service/name remaining=<budget left> burn=<w>:<rate> ...
set -euo pipefail

URL=$1
TIME=$2
LIST=$3
WINDOWS="30d 5m 30m 1h 2h 6h 1d 3d"

value() {
  curl -sfG "$URL/api/v1/query" --data-urlencode "query=$1" --data-urlencode "time=$TIME" \
    | jq -r '.data.result[0].value[1] // "0"'
}

while IFS=$'\t' read -r service name objective errors_tpl total_tpl; do
  line="$service/$name"
  for window in $WINDOWS; do
    errors=$(value "${errors_tpl//\{\{.window\}\}/$window}")
    total=$(value "${total_tpl//\{\{.window\}\}/$window}")
    burn=$(awk -v e="$errors" -v t="$total" -v o="$objective" 'BEGIN { if (t + 0 == 0) print "none"; else printf "%.6g", (e / t) / (1 - o) }')
    if [ "$window" = 30d ]; then
      line+=" remaining=$(awk -v b="$burn" 'BEGIN { if (b == "none") print "none"; else printf "%.6g", 1 - b }')"
    else
      line+=" $window:$burn"
    fi
  done
  echo "$line"
done < "$LIST"
