/* The benchmark's program. "getpid N": N getpid system calls (untraced:
 * the filter allows them), prints the loop's time in ns. "sendrecv N": N
 * rounds of send(16 bytes) and recv on an AF_UNIX socketpair (traced),
 * prints the median time of one round in ns. The clock is the vDSO's, not
 * a system call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
	long long x = *(const long long *)a, y = *(const long long *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
	if (argc != 3) return 2;
	long n = atol(argv[2]);
	if (strcmp(argv[1], "getpid") == 0) {
		long long t0 = now();
		for (long i = 0; i < n; i++) syscall(SYS_getpid);
		printf("%lld\n", now() - t0);
		return 0;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) return 1;
	long long *d = malloc(n * sizeof *d);
	char buf[16] = "0123456789abcdef";
	for (long i = 0; i < n; i++) {
		long long t0 = now();
		if (send(sv[0], buf, sizeof buf, 0) != sizeof buf) return 1;
		if (recv(sv[1], buf, sizeof buf, 0) != sizeof buf) return 1;
		d[i] = now() - t0;
	}
	qsort(d, n, sizeof *d, cmp);
	printf("%lld\n", d[n / 2]);
	return 0;
}
