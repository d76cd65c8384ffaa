/*
 * udpblast - UDP load for bench/bench_dataplane.sh: a paced or unpaced
 * sender and a counting receiver (sendmmsg/recvmmsg, one socket each).
 *
 *   udpblast send DST_IP DST_PORT SRC_PORT SECONDS SIZE RATE [TEMPLATE]
 *       RATE packets/s, 0 = as fast as possible.  With TEMPLATE (a file)
 *       each datagram is the file's bytes with every "SEQ#####" replaced by
 *       an 8-digit message number and every "PORT#" by a 5-digit even port
 *       that changes with each message (16384, 16386, ... 65534, then
 *       again: a phone's RTP port for a new call; same lengths, so
 *       Content-Length holds); otherwise SIZE zero bytes (172 = 12 RTP
 *       header + 160 G.711 20 ms).
 *       Prints "sent=N secs=S cpu_ns_per_pkt=C end_ns=E" (C: this
 *       process's CPU time per datagram, which includes the softirq work of
 *       forwarding it through veth pairs when that runs in the sender's
 *       context; E: CLOCK_REALTIME when the last sendmmsg returned).
 *   udpblast recv PORT SECONDS [IDLE_MS]
 *       Counts datagrams until SECONDS pass or IDLE_MS (default 500) pass
 *       without one after the first.  Prints "received=N bytes=B secs=S pps=P
 *       last_ns=L" where S runs from the first to the last datagram read and
 *       L is the kernel's arrival time (SO_TIMESTAMPNS, CLOCK_REALTIME) of
 *       the last one: L - E is how far the path behind the sender was still
 *       behind when the sender stopped, whatever this process's own
 *       scheduling.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_DGRAM 65507
#define SEQ_MARK "SEQ#####"
#define SEQ_LEN 8
#define MAX_MARKS 16
#define PORT_MARK "PORT#"
#define PORT_LEN 5
/* RTP ports 16384..65534, even (RTCP takes the odd one above): 24,576
 * calls before a port comes back. */
#define PORT_FIRST 16384
#define PORT_COUNT 24576

static long long realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds this process used; with veth the whole forwarding path runs
 * in the sender's softirq context, which is charged here too. */
static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static int udp_socket(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0), one = 1, buf = 8 << 20;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &buf, sizeof(buf)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

struct payload {
	char *msg[BATCH];
	size_t len;
	size_t marks[MAX_MARKS], ports[MAX_MARKS];
	unsigned nmarks, nports;
};

/* Offsets of every `mark` in tmpl (at most MAX_MARKS). */
static unsigned find_marks(const char *tmpl, const char *mark, size_t *at)
{
	unsigned n = 0;

	for (const char *m = strstr(tmpl, mark); m && n < MAX_MARKS;
	     m = strstr(m + strlen(mark), mark))
		at[n++] = (size_t)(m - tmpl);
	return n;
}

static int payload_load(struct payload *p, const char *file, size_t size)
{
	char *tmpl = calloc(1, MAX_DGRAM + 1);
	FILE *f;
	int i;

	if (!tmpl)
		return -1;
	p->len = size;
	if (file) {
		f = fopen(file, "rb");
		if (!f)
			return -1;
		p->len = fread(tmpl, 1, MAX_DGRAM, f);
		fclose(f);
		p->nmarks = find_marks(tmpl, SEQ_MARK, p->marks);
		p->nports = find_marks(tmpl, PORT_MARK, p->ports);
	}
	for (i = 0; i < BATCH; i++) {
		p->msg[i] = malloc(p->len + SEQ_LEN + 1);
		if (!p->msg[i])
			return -1;
		memcpy(p->msg[i], tmpl, p->len);
	}
	free(tmpl);
	return 0;
}

static void payload_number(struct payload *p, int i, unsigned long seq)
{
	char digits[SEQ_LEN + 1], port[PORT_LEN + 1];
	unsigned k;

	snprintf(digits, sizeof(digits), "%08lu", seq % 100000000UL);
	for (k = 0; k < p->nmarks; k++)
		memcpy(p->msg[i] + p->marks[k], digits, SEQ_LEN);
	snprintf(port, sizeof(port), "%05lu", PORT_FIRST + 2 * (seq % PORT_COUNT));
	for (k = 0; k < p->nports; k++)
		memcpy(p->msg[i] + p->ports[k], port, PORT_LEN);
}

static int cmd_send(char **a)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(atoi(a[1])) };
	double secs = atof(a[3]), rate = atof(a[5]), t0, t, c0;
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	struct payload p = { .nmarks = 0 };
	unsigned long sent = 0;
	long long end_ns;
	int fd, i, n, want;

	if (inet_pton(AF_INET, a[0], &dst.sin_addr) != 1 ||
	    payload_load(&p, a[6], (size_t)atoi(a[4])) < 0)
		return 2;
	fd = udp_socket((uint16_t)atoi(a[2]));
	if (fd < 0 || connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0)
		return perror("udpblast send"), 1;
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = p.msg[i];
		iov[i].iov_len = p.len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	c0 = cpu_s();
	t0 = now_s();
	end_ns = realtime_ns();

	while ((t = now_s() - t0) < secs) {
		want = BATCH;
		if (rate > 0) {
			double due = t * rate - (double)sent;

			if (due < 1) {
				usleep(50);
				continue;
			}
			want = due < BATCH ? (int)due : BATCH;
		}
		for (i = 0; i < want && (p.nmarks || p.nports); i++)
			payload_number(&p, i, sent + (unsigned long)i);
		n = sendmmsg(fd, mm, (unsigned)want, 0);
		if (n > 0) {
			sent += (unsigned long)n;
			end_ns = realtime_ns();
		} else if (n < 0 && errno != ENOBUFS && errno != EAGAIN && errno != ECONNREFUSED)
			return perror("sendmmsg"), 1;
	}
	printf("sent=%lu secs=%.3f cpu_ns_per_pkt=%.0f end_ns=%lld\n", sent, now_s() - t0,
	       sent ? (cpu_s() - c0) * 1e9 / (double)sent : 0.0, end_ns);
	return 0;
}

/* The kernel's arrival time of a datagram read with SO_TIMESTAMPNS on, or
 * 0 when it carries none. */
static long long arrival_ns(struct msghdr *h)
{
	struct timespec ts;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
		}
	return 0;
}

static int cmd_recv(char **a, int n)
{
	struct timeval tv = { 0, 100000 };
	double secs = atof(a[1]), idle = n > 2 ? atof(a[2]) / 1000 : 0.5;
	double start = now_s(), first = 0, last = 0;
	static char bufs[BATCH][2048];
	static char ctl[BATCH][CMSG_SPACE(sizeof(struct timespec))];
	struct mmsghdr mm[BATCH];
	struct iovec iov[BATCH];
	unsigned long count = 0, bytes = 0;
	long long last_ns = 0, t;
	int fd = udp_socket((uint16_t)atoi(a[0])), i, r, one = 1;

	if (fd < 0)
		return perror("udpblast recv"), 1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	memset(mm, 0, sizeof(mm));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	printf("ready\n");
	fflush(stdout);
	while (now_s() - start < secs && !(count && now_s() - last > idle)) {
		for (i = 0; i < BATCH; i++) {
			mm[i].msg_hdr.msg_control = ctl[i];
			mm[i].msg_hdr.msg_controllen = sizeof(ctl[i]);
		}
		r = recvmmsg(fd, mm, BATCH, MSG_WAITFORONE, NULL);
		if (r <= 0)
			continue;
		last = now_s();
		if (!count)
			first = last;
		count += (unsigned long)r;
		for (i = 0; i < r; i++) {
			bytes += mm[i].msg_len;
			t = arrival_ns(&mm[i].msg_hdr);
			if (t > last_ns)
				last_ns = t;
		}
	}
	printf("received=%lu bytes=%lu secs=%.3f pps=%.0f last_ns=%lld\n", count, bytes,
	       last - first, last > first ? (double)count / (last - first) : 0.0, last_ns);
	return 0;
}

int main(int argc, char **argv)
{
	/* Without TEMPLATE, a[6] is argv[argc], which is NULL. */
	if ((argc == 8 || argc == 9) && strcmp(argv[1], "send") == 0)
		return cmd_send(argv + 2);
	if (argc >= 4 && strcmp(argv[1], "recv") == 0)
		return cmd_recv(argv + 2, argc - 2);
	fprintf(stderr, "usage: udpblast send DST_IP DST_PORT SRC_PORT SECONDS SIZE RATE "
			"[TEMPLATE]\n"
			"       udpblast recv PORT SECONDS [IDLE_MS]\n");
	return 2;
}
