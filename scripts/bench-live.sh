#!/bin/bash
# bench-live.sh [RATE] — live capture on lo under load: a UDP sender in a
# fresh network namespace sends RATE datagrams/s (default 400000; 0 = as
# fast as it can, to measure how much a capture slows it) for DUR seconds
# (default 10), while nothing, `sockscope capture -i lo -w /dev/null` on
# the TPACKET_V3 ring, the same on the recvmsg path (SOCKSCOPE_LIVE_RING=0)
# and, when installed, `tcpdump -i lo -w /dev/null` capture. The modes run
# in turn, A B C D A B C D, RUNS times (default 3), and each gets the
# median of its runs:
#
#   captured %   packets the capture wrote / datagrams sent
#   dropped      the capture's "dropped by kernel" line
#   CPU µs/pkt   user+system CPU of the capture process / packets captured
#   sender pkt/s datagrams sent per second, and its slowdown: 1 - its
#                rate / the rate of the no-capture run of the same round,
#                median over the rounds
#
# It prints the load average before and after and the number of CPUs: on a
# shared machine, compare only figures of one run of the script. Needs root
# (unshare -n; the capture needs CAP_NET_RAW) and gcc for the sender.
# RING_MIB=N gives the ring N MiB (default 16); MODES="none ring" runs
# only those.
# Example: scripts/bench-live.sh 400000; RUNS=5 DUR=10 scripts/bench-live.sh 0
set -eu
rate=${1:-400000}
runs=${RUNS:-3}
dur=${DUR:-10}
size=${SIZE:-64} # UDP payload bytes
here=$(cd "$(dirname "$0")/.." && pwd)

if [ "${BENCH_LIVE_INSIDE:-}" != 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "bench-live: run as root (it makes a network namespace and captures)" >&2; exit 1; }
	command -v gcc >/dev/null || { echo "bench-live: gcc is needed to build the sender" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	(cd "$here" && CGO_ENABLED=0 go build -o "$work/sockscope" ./cmd/sockscope)
	cat > "$work/sender.c" <<'EOF'
/* sender RATE SECONDS SIZE: UDP datagrams of SIZE bytes to a socket of its
   own on 127.0.0.1 that never reads (the kernel drops them there), RATE per
   second (0: as fast as it can), in batches of 32 through sendmmsg; prints
   the datagrams sent and the rate reached. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9; }
int main(int argc, char **argv) {
	long rate = atol(argv[1]); double secs = atof(argv[2]); int size = atoi(argv[3]);
	int r = socket(AF_INET, SOCK_DGRAM, 0), s = socket(AF_INET, SOCK_DGRAM, 0), one = 4096;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	setsockopt(r, SOL_SOCKET, SO_RCVBUF, &one, sizeof one);
	if (bind(r, (void *)&a, sizeof a) || getsockname(r, (void *)&a, &al) || connect(s, (void *)&a, sizeof a)) { perror("sender"); return 1; }
	static char buf[65536]; memset(buf, 'x', sizeof buf);
	struct iovec iov = { buf, size };
	struct mmsghdr m[32]; memset(m, 0, sizeof m);
	for (int i = 0; i < 32; i++) { m[i].msg_hdr.msg_iov = &iov; m[i].msg_hdr.msg_iovlen = 1; }
	double start = now(), t = start; long sent = 0;
	struct timespec nap = { 0, 50000 };
	while ((t = now()) - start < secs) {
		int n = 32;
		if (rate > 0) {
			long due = (long)((t - start) * rate) - sent;
			if (due <= 0) { nanosleep(&nap, 0); continue; }
			if (due < n) n = due;
		}
		int k = sendmmsg(s, m, n, 0);
		if (k > 0) sent += k;
	}
	printf("%ld %.0f\n", sent, sent / (t - start));
	return 0;
}
EOF
	gcc -O2 -o "$work/sender" "$work/sender.c"
	BENCH_LIVE_INSIDE=1 BENCH_LIVE_WORK="$work" unshare -n "$0" "$@"
	exit
fi

# Inside the namespace: only our datagrams cross lo.
work=$BENCH_LIVE_WORK
ip link set lo up
modes="none ring recvmsg"
command -v tcpdump >/dev/null && modes="$modes tcpdump"
modes=${MODES:-$modes} # e.g. MODES="none ring"; keep none first

# cpu_ticks PID: user+system clock ticks of a running process.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_one MODE: one run; appends "captured% dropped cpu_us_per_pkt sender_pps" to $work/MODE.
run_one() {
	local mode=$1 pid= ticks=0 out=$work/cap.err
	case $mode in
	ring) SOCKSCOPE_LIVE_RING=${RING_MIB:-} "$work/sockscope" capture -i lo -w /dev/null 2> "$out" & pid=$! ;;
	recvmsg) SOCKSCOPE_LIVE_RING=0 "$work/sockscope" capture -i lo -w /dev/null 2> "$out" & pid=$! ;;
	tcpdump) tcpdump -i lo -n -Z root -w /dev/null 2> "$out" & pid=$! ;;
	esac
	if [ -n "$pid" ]; then
		# Wait until the capture is listening.
		for _ in $(seq 100); do grep -q listening "$out" 2>/dev/null && break; sleep 0.05; done
	fi
	read -r sent pps < <("$work/sender" "$rate" "$dur" "$size")
	if [ -z "$pid" ]; then
		echo "- - - $pps" >> "$work/$mode"
		return
	fi
	sleep 0.2 # the last block's timeout, and then some
	ticks=$(cpu_ticks "$pid")
	kill -INT "$pid"
	wait "$pid" || true
	local got drop
	got=$(awk '/packets captured/ {print $1}' "$out")
	drop=$(awk '/dropped by kernel/ {print $1}' "$out")
	echo "$(echo "100 * $got / $sent" | bc -l) $drop $(echo "$ticks * 1000000 / $(getconf CLK_TCK) / $got" | bc -l) $pps" >> "$work/$mode"
}

for m in $modes; do : > "$work/$m"; done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$runs"); do
	for m in $modes; do run_one "$m"; done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# median MODE COLUMN
median() { awk -v c="$2" '{print $c}' "$work/$1" | sort -g | sed -n "$(( (runs + 1) / 2 ))p"; }
if [ "$rate" = 0 ]; then what="as fast as the sender can"; else what="$rate datagrams/s"; fi
printf 'lo in a fresh network namespace, %s of %d bytes for %d s, median of %d alternating runs\n' "$what" "$size" "$dur" "$runs"
printf 'load average before: %s, after: %s (%d CPUs); %s\n' "$load_before" "$load_after" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf '%-32s %10s %10s %12s %12s %10s\n' capture "captured %" dropped "CPU µs/pkt" "sender pkt/s" slowdown
for m in $modes; do
	case $m in
	none) name="no capture" ;;
	ring) name="sockscope (TPACKET_V3 ring)" ;;
	recvmsg) name="sockscope (recvmsg)" ;;
	tcpdump) name="tcpdump -w /dev/null" ;;
	esac
	pps=$(median "$m" 4)
	# The slowdown is taken run by run against the no-capture run of the
	# same round (the machine's state drifts between rounds), then the
	# median of those.
	slow=$(paste -d' ' "$work/none" "$work/$m" | awk '{print 100 * (1 - $8 / $4)}' | sort -g | sed -n "$(( (runs + 1) / 2 ))p" | xargs printf '%.1f%%')
	if [ "$m" = none ]; then
		printf '%-32s %10s %10s %12s %12.0f %10s\n' "$name" - - - "$pps" -
	else
		printf '%-32s %10.1f %10.0f %12.2f %12.0f %10s\n' "$name" "$(median "$m" 1)" "$(median "$m" 2)" "$(median "$m" 3)" "$pps" "$slow"
	fi
done
if [ -n "${VERBOSE:-}" ]; then
	for m in $modes; do echo "$m runs (captured% dropped µs/pkt pps):"; cat "$work/$m"; done
fi
