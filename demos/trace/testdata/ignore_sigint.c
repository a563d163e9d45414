/* Ignores SIGINT and waits in accept forever: only SIGKILL ends it. */
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

int main(void) {
	signal(SIGINT, SIG_IGN);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	bind(s, (struct sockaddr *)&a, sizeof a);
	listen(s, 1);
	for (;;)
		accept(s, 0, 0);
}
