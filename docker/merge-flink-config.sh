#!/usr/bin/env bash
# merge-flink-config FILE: merges FILE (a Flink config.yaml fragment, nested or flat keys) into the
# Flink installation's conf/config.yaml, FILE's keys winning. Flink's own configuration parser
# flattens both to "key: value" lines first, so nesting and quoting are read exactly as Flink reads
# them, and a key set in both files appears once.
set -euo pipefail

fragment="$1"
conf_dir="${FLINK_HOME}/conf"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

flatten() {
  "${FLINK_HOME}/bin/config-parser-utils.sh" "$1" "${FLINK_HOME}/bin" "${FLINK_HOME}/lib" -flatten >/dev/null
}

cp "$fragment" "$work/config.yaml"
flatten "$work"
flatten "$conf_dir"
awk -F': ' '
  NR == FNR { wins[$1] = $0; order[++n] = $1; next }
  !($1 in wins) { print }
  END { for (i = 1; i <= n; i++) print wins[order[i]] }
' "$work/config.yaml" "$conf_dir/config.yaml" > "$work/merged.yaml"
cp "$work/merged.yaml" "$conf_dir/config.yaml"
echo "merge-flink-config: $(wc -l < "$work/config.yaml") settings of $fragment merged into $conf_dir/config.yaml"
