/*
 * ctl_client.c - send one command line to sipalgd, print the answer.
 */
#include "ctl_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define CTL_DEFAULT "/run/sipalg/ctl.sock"

static int ctl_connect(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { 10, 0 };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "sipalg: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(sun.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		fprintf(stderr, "sipalg: cannot reach sipalgd at %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Join the words into one line: "clear abc@host". */
static int build_line(char *line, size_t size, int argc, char **argv)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++) {
		int k = snprintf(line + n, size - n, "%s%s", i ? " " : "", argv[i]);
		if (k < 0 || (size_t)k >= size - n || strpbrk(argv[i], "\r\n"))
			return -1;
		n += (size_t)k;
	}
	if (n + 2 > size)
		return -1;
	line[n++] = '\n';
	line[n] = 0;
	return (int)n;
}

static int run(const char *path, int argc, char **argv)
{
	char line[512], buf[8192];
	int fd, n, first = 1, status = 0;
	ssize_t r;

	if ((n = build_line(line, sizeof(line), argc, argv)) < 0) {
		fprintf(stderr, "sipalg: command too long\n");
		return 2;
	}
	if ((fd = ctl_connect(path)) < 0)
		return 2;
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		fprintf(stderr, "sipalg: send: %s\n", strerror(errno));
		close(fd);
		return 2;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		if (first && r >= 7 && !memcmp(buf, "error: ", 7))
			status = 1;
		first = 0;
		fwrite(buf, 1, (size_t)r, status ? stderr : stdout);
	}
	if (r < 0) {
		fprintf(stderr, "sipalg: read: %s\n", strerror(errno));
		status = 2;
	}
	close(fd);
	return status;
}

int cmd_ctl(int argc, char **argv)
{
	const char *path = getenv("SIPALG_CTL");

	return run(path && *path ? path : CTL_DEFAULT, argc, argv);
}

int cmd_ctl_socket(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: sipalg -s SOCKET <calls|registrations|pinholes|bindings|"
				"stats|metrics|clear|trace> [args]\n");
		return 2;
	}
	return run(argv[1], argc - 2, argv + 2);
}
