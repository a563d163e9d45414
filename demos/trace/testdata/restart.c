/* Two accepts interrupted by signals: SIGUSR1's handler has SA_RESTART
 * (the kernel restarts the accept, which then gets a connection), SIGUSR2's
 * has not (the accept fails with EINTR). */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void handler(int sig) { (void)sig; }

int main(void) {
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, 0);
	sa.sa_flags = 0;
	sigaction(SIGUSR2, &sa, 0);
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0 || listen(ls, 1) != 0) return 1;
	int c = accept(ls, 0, 0);
	if (c < 0) return 2;
	int c2 = accept(ls, 0, 0);
	printf("%d %d\n", c2, c2 < 0 ? errno : 0);
	return c2 < 0 && errno == EINTR ? 0 : 3;
}
