/* A TCP echo server that forks a process per client, and two clients it
 * forks itself, on 127.0.0.1 and a port the kernel picks. Each client
 * sends "hello N", reads the echo, shuts down its sending side, reads the
 * server's end of stream and closes. The server's stdout says the port. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int client(struct sockaddr_in *a, int i) {
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)a, sizeof *a) != 0) return 2;
	char msg[16];
	int n = snprintf(msg, sizeof msg, "hello %d", i);
	if (send(s, msg, n, 0) != n) return 3;
	char buf[64];
	ssize_t r = recv(s, buf, sizeof buf, 0);
	if (r != n || memcmp(buf, msg, n) != 0) return 4;
	shutdown(s, SHUT_WR);
	if (recv(s, buf, sizeof buf, 0) != 0) return 5;
	close(s);
	return 0;
}

static int handler(int c) {
	char buf[64];
	ssize_t n = recv(c, buf, sizeof buf, 0);
	if (n <= 0) return 6;
	if (send(c, buf, n, 0) != n) return 7;
	if (recv(c, buf, sizeof buf, 0) != 0) return 8;
	close(c);
	return 0;
}

int main(void) {
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	if (bind(ls, (struct sockaddr *)&a, sizeof a) != 0) return 1;
	if (listen(ls, 8) != 0) return 1;
	socklen_t l = sizeof a;
	getsockname(ls, (struct sockaddr *)&a, &l);
	printf("port %d\n", ntohs(a.sin_port));
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		if (fork() == 0) {
			close(ls);
			_exit(client(&a, i));
		}
	}
	for (int i = 0; i < 2; i++) {
		struct sockaddr_in peer;
		socklen_t pl = sizeof peer;
		int c = accept(ls, (struct sockaddr *)&peer, &pl);
		if (c < 0) return 1;
		if (fork() == 0) {
			close(ls);
			_exit(handler(c));
		}
		close(c);
	}
	int status, bad = 0;
	while (wait(&status) > 0)
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) bad++;
	close(ls);
	return bad;
}
