/*
 * loop.c - epoll + signalfd; timers are one absolute deadline turned into
 * epoll_wait's timeout (millisecond resolution is all SIP timers need).
 */
#include "daemon/loop.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_EVENTS 64

static int epfd = -1;
static struct loop_watch sigw = { .fd = -1 };
static uint64_t now_ms;
static int64_t wall_offset_ms; /* realtime - monotonic, at the last wake-up */
static int stopping;

static uint64_t read_clock(void)
{
	struct timespec ts, rt;
	uint64_t mono;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	clock_gettime(CLOCK_REALTIME, &rt);
	mono = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
	wall_offset_ms = (int64_t)((uint64_t)rt.tv_sec * 1000u + (uint64_t)rt.tv_nsec / 1000000u) -
			 (int64_t)mono;
	return mono;
}

uint64_t loop_wall_ms(uint64_t mono_ms)
{
	return (uint64_t)((int64_t)mono_ms + wall_offset_ms);
}

int loop_init(void)
{
	sigset_t set;

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		return -errno;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGPIPE);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigdelset(&set, SIGPIPE); /* blocked and ignored: EPIPE from send() instead */
	sigw.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sigw.fd < 0)
		return -errno;
	now_ms = read_clock();
	return loop_add(&sigw, EPOLLIN);
}

int loop_add(struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, w->fd, &ev) ? -errno : 0;
}

int loop_mod(struct loop_watch *w, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, w->fd, &ev) ? -errno : 0;
}

void loop_del(struct loop_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

void loop_close_all(struct loop_watch *w, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		loop_del(&w[i]);
		close(w[i].fd);
	}
}

uint64_t loop_now(void)
{
	return now_ms;
}

void loop_stop(void)
{
	stopping = 1;
}

static void drain_signals(const struct loop_hooks *h)
{
	struct signalfd_siginfo si;

	while (read(sigw.fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (h->on_signal)
			h->on_signal((int)si.ssi_signo, h->ctx);
}

static int timeout_for(uint64_t deadline)
{
	if (deadline == UINT64_MAX)
		return -1;
	if (deadline <= now_ms)
		return 0;
	return deadline - now_ms > 60000 ? 60000 : (int)(deadline - now_ms);
}

int loop_run(const struct loop_hooks *h)
{
	struct epoll_event ev[LOOP_EVENTS];

	stopping = 0;
	while (!stopping) {
		uint64_t deadline = h->next_deadline ? h->next_deadline(h->ctx) : UINT64_MAX;
		int n = epoll_wait(epfd, ev, LOOP_EVENTS, timeout_for(deadline));
		if (n < 0 && errno != EINTR)
			return -errno;
		now_ms = read_clock();
		for (int i = 0; i < n; i++) {
			struct loop_watch *w = ev[i].data.ptr;
			if (w == &sigw)
				drain_signals(h);
			else
				w->fn(w, ev[i].events);
		}
		if (h->on_timer && deadline <= now_ms)
			h->on_timer(now_ms, h->ctx);
		if (h->after_batch)
			h->after_batch(h->ctx);
	}
	return 0;
}

void loop_close(void)
{
	if (sigw.fd >= 0)
		close(sigw.fd);
	if (epfd >= 0)
		close(epfd);
	sigw.fd = epfd = -1;
}
