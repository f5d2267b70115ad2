#!/usr/bin/env bash
# The floor: the minimal bulk requests that return what a full sync needs, fired one after
# another with curl. Prints the summed request time in seconds and the request count.
# Usage: floor.sh URI PYTHON
set -euo pipefail
URI=$1; PY=$2
T=$(mktemp -d)
total=0; n=0
req() { # METHOD PATH OUT [BODY]
  local t
  if [ "$1" = GET ]; then
    t=$(curl -sS -o "$3" -w '%{time_total}' "$URI/api/2.0/mlflow/$2")
  else
    t=$(curl -sS -o "$3" -w '%{time_total}' -X POST -H 'Content-Type: application/json' -d @"$4" "$URI/api/2.0/mlflow/$2")
  fi
  total=$(echo "$total + $t" | bc -l); n=$((n + 1))
}
PROMPT='filter=tags.%60mlflow.prompt.is_prompt%60%20%3D%20%27true%27'
req GET "registered-models/search?max_results=1000" "$T/rm.json"
req GET "registered-models/search?max_results=1000&$PROMPT" "$T/rmp.json"
req GET "model-versions/search?max_results=10000" "$T/mv.json"
req GET "model-versions/search?max_results=10000&$PROMPT" "$T/mvp.json"
req GET "experiments/search?max_results=1000&view_type=ALL" "$T/exp.json"
"$PY" - "$T" <<'PY'
import json, sys, os
t = sys.argv[1]
mv = json.load(open(f"{t}/mv.json")).get("model_versions", [])
exps = [e["experiment_id"] for e in json.load(open(f"{t}/exp.json")).get("experiments", [])]
ids = sorted({v["run_id"] for v in mv if v.get("run_id")})
for i in range(0, len(ids), 500):
    chunk = ids[i:i + 500]
    body = {"experiment_ids": exps, "filter": "attributes.run_id IN (%s)" % ",".join(f"'{x}'" for x in chunk),
            "run_view_type": "ALL", "max_results": 1000}
    json.dump(body, open(f"{t}/runs-{i // 500:04d}.body", "w"))
PY
for b in "$T"/runs-*.body; do req POST runs/search "$b.out" "$b"; done
echo "$total $n"
rm -rf "$T"
