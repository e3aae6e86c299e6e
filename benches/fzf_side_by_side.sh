#!/usr/bin/env bash
# Side by side: `passerelle metiers QUERY --limite 20` against `fzf --filter QUERY`
# on the same lines, for the built-in catalogue (≈ 11 000 appellations) and an
# imported referential of 100 000 appellations built here in a temporary
# directory. Prints the median of each (ms) and the ratio passerelle / fzf.
# Figures, not a verdict; not part of the test suite.
#
#   cargo build --release && benches/fzf_side_by_side.sh
#
# Environment: PASSERELLE (binary, default target/release/passerelle),
# RUNS (runs per command and query, default 15), REFERENTIEL_CSV (use this
# referential file instead of generating one).
# Uses hyperfine when installed, else a loop timed with `date +%s%N`, the two
# commands interleaved run by run.
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${PASSERELLE:-${CARGO_TARGET_DIR:-$here/target}/release/passerelle}"
runs="${RUNS:-15}"
queries=("educateur" "aide soignant" "gardien immeuble" "animateur")

command -v fzf >/dev/null || { echo "fzf absent : comparaison impossible." >&2; exit 1; }
[ -x "$bin" ] || { echo "binaire introuvable : $bin (cargo build --release)" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# Never the user's configuration or data.
export HOME="$tmp/home" PASSERELLE_CONFIG="$tmp/config.toml"
mkdir -p "$HOME"
: >"$PASSERELLE_CONFIG"
p() { "$bin" --config "$PASSERELLE_CONFIG" "$@"; }

echo "Préparation (liste de 100 000 appellations, import)…" >&2
csv="${REFERENTIEL_CSV:-$tmp/referentiel.csv}"
if [ -z "${REFERENTIEL_CSV:-}" ]; then
    p bench recherche --stress 100000 --referentiel "$csv" >"$tmp/bench.txt"
fi
p --data-dir "$tmp/d100" referentiel import "$csv" --remplacer >/dev/null
mkdir -p "$tmp/d11"
p --data-dir "$tmp/d11" metiers '' --limite 1000000 >"$tmp/l11.txt"
p --data-dir "$tmp/d100" metiers '' --limite 1000000 >"$tmp/l100.txt"

now_ns() { date +%s%N; }

# median of the numbers on stdin
median() { sort -n | awk '{v[NR]=$1} END {if (NR%2) print v[(NR+1)/2]; else print (v[NR/2]+v[NR/2+1])/2}'; }

# measure LABEL DATA_DIR LIST QUERY → prints "median_passerelle median_fzf" (ms)
measure() {
    local dir="$1" list="$2" q="$3"
    local pcmd="'$bin' --config '$PASSERELLE_CONFIG' --data-dir '$dir' metiers '$q' --limite 20 >/dev/null"
    local fcmd="fzf --filter '$q' <'$list' >/dev/null"
    if command -v hyperfine >/dev/null; then
        hyperfine --style none --warmup 2 --runs "$runs" -i --export-csv "$tmp/h.csv" \
            "$pcmd" "$fcmd" >/dev/null 2>&1
        # command,mean,stddev,median,… in seconds
        awk -F, 'NR>1 {printf "%s ", $4*1000} END {print ""}' "$tmp/h.csv"
    else
        : >"$tmp/p.txt"
        : >"$tmp/f.txt"
        for _ in $(seq "$runs"); do
            local t0 t1 t2
            t0=$(now_ns)
            sh -c "$pcmd" || true
            t1=$(now_ns)
            sh -c "$fcmd" || true
            t2=$(now_ns)
            echo $(((t1 - t0) / 1000)) >>"$tmp/p.txt"
            echo $(((t2 - t1) / 1000)) >>"$tmp/f.txt"
        done
        echo "$(median <"$tmp/p.txt" | awk '{print $1/1000}') $(median <"$tmp/f.txt" | awk '{print $1/1000}')"
    fi
}

if command -v hyperfine >/dev/null; then how="hyperfine"; else how="boucle date +%s%N"; fi
echo "passerelle metiers Q --limite 20  contre  fzf --filter Q (médianes, $runs passages, $how)"
printf '%-12s %-20s %14s %10s %8s\n' "Corpus" "Requête" "passerelle ms" "fzf ms" "ratio"
for corpus in 11k 100k; do
    if [ "$corpus" = 11k ]; then dir="$tmp/d11" list="$tmp/l11.txt"; else dir="$tmp/d100" list="$tmp/l100.txt"; fi
    for q in "${queries[@]}"; do
        read -r pm fm < <(measure "$dir" "$list" "$q")
        printf '%-12s %-20s %14.1f %10.1f %7.2f×\n' "$corpus ($(wc -l <"$list"))" "$q" "$pm" "$fm" \
            "$(awk -v a="$pm" -v b="$fm" 'BEGIN {print (b > 0 ? a / b : 0)}')"
    done
done
if [ -f "$tmp/bench.txt" ]; then
    echo
    cat "$tmp/bench.txt"
fi
