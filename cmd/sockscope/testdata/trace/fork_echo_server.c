/* A TCP echo server that forks a process per client, for
   TestTraceCForkServer: the parent accepts, forks, closes its copy of the
   connection and accepts the next; the child closes the listener, echoes
   with recv and send until the client closes, then closes and exits. The
   parent exits after two clients, once both children have exited (its
   status is theirs). Port 7311 inside sockscope's lab. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
	int ls = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_port = htons(7311);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(ls, (struct sockaddr *)&a, sizeof a) < 0 || listen(ls, 8) < 0) {
		perror("bind/listen");
		return 1;
	}
	printf("listening on 127.0.0.1:7311\n");
	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		int c = accept(ls, NULL, NULL);
		if (c < 0) {
			perror("accept");
			return 1;
		}
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(ls);
			char buf[256];
			ssize_t n;
			while ((n = recv(c, buf, sizeof buf, 0)) > 0)
				if (send(c, buf, n, 0) != n)
					_exit(1);
			close(c);
			_exit(n < 0);
		}
		close(c);
	}
	close(ls);
	int st, bad = 0;
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			bad = 1;
	return bad;
}
