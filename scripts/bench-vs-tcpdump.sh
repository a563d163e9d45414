#!/bin/bash
# bench-vs-tcpdump.sh [CAPTURE] — times `sockscope replay --no-ui` and
# `--json` against `tcpdump -n -r` on the same capture, output to files,
# and prints packets per second, the ratios and peak memory (median of RUNS
# runs, default 5). Record a capture with ../shared/bench/make-capture.sh.
set -eu
cap=${1:-/tmp/sockscope-bench.pcap}
runs=${RUNS:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
[ -r "$cap" ] || { echo "bench-vs-tcpdump: $cap: no such capture; record one with ../shared/bench/make-capture.sh" >&2; exit 1; }
command -v tcpdump >/dev/null || { echo "bench-vs-tcpdump: tcpdump is not installed (apt-get install -y tcpdump)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$here" && CGO_ENABLED=0 go build -o "$work/sockscope" ./cmd/sockscope)
packets=$("$work/sockscope" replay --no-ui "$cap" | wc -l)

# time_one CMD...: prints "seconds maxrss_kib" for one run, output to a file.
time_one() {
	local start end rss=0
	start=$(date +%s.%N)
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f %M -o "$work/rss" "$@" > "$work/out" 2>/dev/null
		rss=$(cat "$work/rss")
	else
		"$@" > "$work/out" 2>/dev/null
	fi
	end=$(date +%s.%N)
	echo "$(echo "$end - $start" | bc -l) $rss"
}

# The machine is shared and noisy: the three tools run in turn, A B C A B C,
# so that a busy spell slows all of them alike, and each gets the median of
# its runs.
: > "$work/tcpdump.times"; : > "$work/text.times"; : > "$work/json.times"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$runs"); do
	time_one tcpdump -n -r "$cap" >> "$work/tcpdump.times"
	time_one "$work/sockscope" replay --no-ui "$cap" >> "$work/text.times"
	time_one "$work/sockscope" replay --json "$cap" >> "$work/json.times"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
median() { sort -n "$work/$1.times" | sed -n "$(( (runs + 1) / 2 ))p"; }
read -r td_s td_rss < <(median tcpdump)
read -r tx_s tx_rss < <(median text)
read -r js_s js_rss < <(median json)

pps() { echo "$packets / $1" | bc -l | xargs printf '%.0f'; }
ratio() { echo "$1 / $2" | bc -l | xargs printf '%.2f'; }
printf 'capture: %s (%d packets), median of %d alternating runs, output to a file\n' "$cap" "$packets" "$runs"
printf 'load average before: %s, after: %s (%d cores)\n' "$load_before" "$load_after" "$(nproc)"
printf '%-28s %10s %12s %10s %12s\n' tool seconds packets/s ratio "max RSS KiB"
printf '%-28s %10.3f %12s %10s %12s\n' "tcpdump -n -r" "$td_s" "$(pps "$td_s")" 1.00 "$td_rss"
printf '%-28s %10.3f %12s %10s %12s\n' "sockscope replay --no-ui" "$tx_s" "$(pps "$tx_s")" "$(ratio "$td_s" "$tx_s")x" "$tx_rss"
printf '%-28s %10.3f %12s %10s %12s\n' "sockscope replay --json" "$js_s" "$(pps "$js_s")" "$(ratio "$td_s" "$js_s")x" "$js_rss"
