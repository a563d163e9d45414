/* The client of fork_echo_server.c, for TestTraceCForkServer: it connects
   twice and, on each connection, writes two messages with write() and
   reads each one's echo back with read() before the next (so each message
   travels in a segment of its own), then closes. read and write on a
   socket are socket calls too. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int echo(int s, const char *msg) {
	size_t len = strlen(msg);
	if (write(s, msg, len) != (ssize_t)len) {
		perror("write");
		return 1;
	}
	char buf[256];
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(s, buf + got, sizeof buf - got);
		if (n <= 0) {
			perror("read");
			return 1;
		}
		got += n;
	}
	printf("echo %.*s\n", (int)got, buf);
	return got != len || memcmp(buf, msg, len) != 0;
}

static int session(const char *first, const char *second) {
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(7311);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		perror("connect");
		return 1;
	}
	int bad = echo(s, first) || echo(s, second);
	close(s);
	return bad;
}

int main(void) {
	if (session("alpha:one", "alpha:two") || session("bravo:three!", "bravo:four!!"))
		return 1;
	return 0;
}
