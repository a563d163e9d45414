#!/bin/bash
# bench-vs-tcpdump.sh — sockscope replay against tcpdump -n -r, side by side.
# Run `scripts/bench-vs-tcpdump.sh --help` for the options and the recipes.
# Not part of the tests or CI: timings belong here, never in a test.
set -eu

usage() {
	cat <<'EOF'
usage: scripts/bench-vs-tcpdump.sh [options] [CAPTURE]

Times `tcpdump -n -r`, `sockscope replay --no-ui` and `sockscope replay
--json` (and with --conversations, `sockscope replay --conversations`) on
CAPTURE (default /tmp/sockscope-bench.pcap), the tools in turn run by run
(A B C A B C …) so that a busy spell of the machine slows them alike, and
prints for each the median wall time, packets/s, the speed against
tcpdump (median against median, and "per round": the median of each
round's own ratio, with the lowest and highest, since the tools of one
round see the same spell of the machine), the median CPU time (user +
system) and the median peak resident memory (ru_maxrss, from
/usr/bin/time), with the load average before and after and the number of
CPUs. The table is Markdown, for the README.

options:
  -n RUNS            runs of each tool (default 5, or $RUNS)
  --null             output to /dev/null (default: to a file in a temporary
                     directory, as a user redirecting would)
  --conversations    also time `replay --conversations`
  --one-cpu          also time text and JSON replay on one CPU
                     (GOMAXPROCS=1 taskset -c 0), and print what the second
                     CPU gave in this run
  --tenfold          build the 10× capture from CAPTURE in a temporary
                     directory (see below), time on it, and delete it
  --no-tcpdump       time sockscope only (ratios are then left out)
  -h, --help         this text

environment:
  SOCKSCOPE=PATH     time this binary instead of building ./cmd/sockscope
                     (to compare a commit with another)
  TMPDIR             where the output files and the 10× capture go

The benchmark capture (938,802 packets: 30,000 TCP connections, 100,000
UDP datagrams, real loopback traffic recorded by tcpdump; ~15 s, as root):

  apt-get install -y tcpdump time
  /work/shared/bench/make-capture.sh /tmp/sockscope-bench.pcap

The 10× capture (9,388,020 packets, 300,000 connections, 2.75 GB; ~6 s):
ten copies one after another, each shifted past the end of the one before,
copy k's IPv4 addresses with k added to their second byte (127.k.0.1) and
its checksums computed afresh, so that each copy's connections are new
connections. Make it in a temporary directory, never in the repository:

  d=$(mktemp -d)
  go run ./scripts/tenfold /tmp/sockscope-bench.pcap "$d/bench10.pcap"
  tcpdump -n -r "$d/bench10.pcap" | wc -l                          # 9388020
  tcpdump -n -r "$d/bench10.pcap" 'tcp[tcpflags] == tcp-syn' | wc -l  # 300000
  scripts/bench-vs-tcpdump.sh "$d/bench10.pcap"; rm -r "$d"

(--tenfold does the same.) tcpdump's speed here varies threefold with the
machine's load: compare ratios within one run only, and quote the load.
tcpdump runs twice: with TZ set (the ratios are against this, its fast
form) and with TZ unset, where glibc stats /etc/localtime for every packet.
EOF
}

runs=${RUNS:-5}
to_null=0 convs=0 tenfold=0 tcpdump=1 onecpu=0 cap=
while [ $# -gt 0 ]; do
	case $1 in
	-n) runs=$2; shift ;;
	--null) to_null=1 ;;
	--conversations) convs=1 ;;
	--one-cpu) onecpu=1 ;;
	--tenfold) tenfold=1 ;;
	--no-tcpdump) tcpdump=0 ;;
	-h | --help) usage; exit 0 ;;
	-*) echo "bench-vs-tcpdump: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) [ -z "$cap" ] || { echo "bench-vs-tcpdump: one capture only (see --help)" >&2; exit 2; }; cap=$1 ;;
	esac
	shift
done
cap=${cap:-/tmp/sockscope-bench.pcap}
case $runs in '' | *[!0-9]* | 0) echo "bench-vs-tcpdump: -n wants a count of runs, got '$runs'" >&2; exit 2 ;; esac
here=$(cd "$(dirname "$0")/.." && pwd)
[ -r "$cap" ] || { echo "bench-vs-tcpdump: $cap: no such capture; record one with /work/shared/bench/make-capture.sh (see --help)" >&2; exit 1; }
if [ "$tcpdump" = 1 ] && ! command -v tcpdump >/dev/null; then
	echo "bench-vs-tcpdump: tcpdump is not installed (apt-get install -y tcpdump), or use --no-tcpdump" >&2
	exit 1
fi
[ -x /usr/bin/time ] || { echo "bench-vs-tcpdump: needs GNU time for CPU and memory (apt-get install -y time)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${SOCKSCOPE:-}" ]; then
	bin=$SOCKSCOPE
else
	bin=$work/sockscope
	(cd "$here" && CGO_ENABLED=0 go build -o "$bin" ./cmd/sockscope)
fi
if [ "$tenfold" = 1 ]; then
	echo "bench-vs-tcpdump: building the 10× capture of $cap in $work" >&2
	(cd "$here" && go run ./scripts/tenfold "$cap" "$work/bench10.pcap")
	cap=$work/bench10.pcap
fi
out=$work/out
[ "$to_null" = 1 ] && out=/dev/null
packets=$("$bin" replay --no-ui "$cap" 2>/dev/null | wc -l)

# Each tool: a name for the table, a file of per-run figures, a command.
names=() files=() cmds=()
add() { names+=("$1"); files+=("$work/t${#names[@]}"); cmds+=("$2"); }
# tcpdump prints local time: with TZ unset, glibc stats /etc/localtime for
# every packet, which makes it about 3× slower. The ratios are taken against
# the fast form (TZ set); the slow one, a common default, is shown beside it.
if [ "$tcpdump" = 1 ]; then
	add "tcpdump -n -r (TZ=:/etc/localtime)" "env TZ=:/etc/localtime tcpdump -n -r"
	add "tcpdump -n -r (TZ unset)" "env -u TZ tcpdump -n -r"
fi
add "sockscope replay --no-ui" "$bin replay --no-ui"
text_row=$((${#names[@]} - 1))
add "sockscope replay --json" "$bin replay --json"
json_row=$((${#names[@]} - 1))
[ "$convs" = 1 ] && add "sockscope replay --conversations" "$bin replay --conversations"
if [ "$onecpu" = 1 ]; then
	command -v taskset >/dev/null || { echo "bench-vs-tcpdump: --one-cpu needs taskset (util-linux)" >&2; exit 1; }
	add "sockscope replay --no-ui (one CPU)" "env GOMAXPROCS=1 taskset -c 0 $bin replay --no-ui"
	text1_row=$((${#names[@]} - 1))
	add "sockscope replay --json (one CPU)" "env GOMAXPROCS=1 taskset -c 0 $bin replay --json"
	json1_row=$((${#names[@]} - 1))
fi

# The host's memory speed drifts too: writing 256 MiB into the page cache
# (dd, 256 KiB blocks, as sockscope writes) before and after the runs.
pagecache() {
	dd if=/dev/zero of="$work/dd" bs=256K count=1024 2>&1 | awk '/copied/ { printf "%.1f GB/s", $1 / $8 / 1e9 }'
	rm -f "$work/dd"
}

# One run: "wall cpu rss_kib" appended to the tool's file.
run_one() {
	# shellcheck disable=SC2086 # the command is words on purpose
	/usr/bin/time -f '%e %U %S %M' -o "$work/time" $2 "$cap" > "$out" 2>/dev/null
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$work/time" >> "$1"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
pc_before=$(pagecache)
for f in "${files[@]}"; do : > "$f"; done
for _ in $(seq "$runs"); do
	for i in "${!names[@]}"; do run_one "${files[$i]}" "${cmds[$i]}"; done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
pc_after=$(pagecache)

# median FILE COLUMN
median() { sort -g -k"$2","$2" "$1" | awk -v c="$2" -v n="$runs" 'NR == int((n + 1) / 2) { print $c }'; }

printf '%s, %d packets (%s); median of %d runs alternating, output to %s\n' \
	"$(basename "$cap")" "$packets" "$(du -h "$cap" | cut -f1)" "$runs" "$([ "$to_null" = 1 ] && echo /dev/null || echo a file)"
printf '%s, %d CPUs (%s), load average before %s, after %s\n' \
	"$(date +%Y-%m-%d)" "$(nproc)" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//;s/ *$//')" "$load_before" "$load_after"
printf 'page-cache writes (dd, 256 MiB in 256 KiB blocks): %s before, %s after\n\n' "$pc_before" "$pc_after"
# rounds FILE: each round's ratio, tcpdump's time (TZ set) over the tool's
# in the same round, as "median (lowest–highest)": the machine's speed
# drifts from minute to minute, and the tools of one round see the same.
rounds() {
	paste -d' ' "${files[0]}" "$1" | awk '{ printf "%.4f\n", ($4 > 0 ? $1 / $4 : 0) }' | sort -g |
		awk -v n="$runs" '{ r[NR] = $1 } END { printf "%.2f× (%.2f–%.2f)", r[int((n + 1) / 2)], r[1], r[n] }'
}

printf '| %s | %s | %s | %s | %s | %s | %s |\n' tool seconds packets/s "vs tcpdump" "per round" "CPU s" "peak RSS"
printf '|---|---:|---:|---:|---:|---:|---:|\n'
base=
for i in "${!names[@]}"; do
	wall=$(median "${files[$i]}" 1)
	cpu=$(median "${files[$i]}" 2)
	rss=$(median "${files[$i]}" 3)
	[ "$tcpdump" = 1 ] && [ -z "$base" ] && base=$wall
	ratio= per=
	[ -n "$base" ] && ratio=$(awk -v a="$base" -v b="$wall" 'BEGIN { printf "%.2f×", (b > 0 ? a / b : 0) }')
	[ -n "$base" ] && per=$(rounds "${files[$i]}")
	printf '| `%s` | %.2f | %s | %s | %s | %.2f | %.1f MiB |\n' "${names[$i]}" "$wall" \
		"$(awk -v p="$packets" -v s="$wall" 'BEGIN { printf "%.0f", (s > 0 ? p / s : 0) }')" "$ratio" "$per" "$cpu" \
		"$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
done
if [ "$onecpu" = 1 ]; then
	# speedup ONE TWO: the median time of row ONE over row TWO's.
	speedup() { awk -v a="$(median "${files[$1]}" 1)" -v b="$(median "${files[$2]}" 1)" 'BEGIN { printf "%.2f×", (b > 0 ? a / b : 0) }'; }
	printf '\nthe second CPU: text %s as fast as on one CPU, JSON %s\n' "$(speedup "$text1_row" "$text_row")" "$(speedup "$json1_row" "$json_row")"
fi
