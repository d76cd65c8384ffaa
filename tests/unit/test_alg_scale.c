/*
 * test_alg_scale.c - the engine's size and speed targets: 10,000
 * registrations and 1,000 concurrent calls in hash tables, <= 1 KB per
 * registration and <= 4 KB per call, and no malloc at all for a message
 * with nothing to change (the hot path).  Timings go to stderr.
 */
#include <time.h>

#include "check.h"
#include "alg_harness.h"
#include "alg/engine_int.h"

/* Count allocations by interposing glibc's malloc family (not under ASan,
 * which owns the allocator there). */
#if defined(__SANITIZE_ADDRESS__) || defined(__has_feature)
#if defined(__SANITIZE_ADDRESS__)
#define NO_HOOK 1
#elif __has_feature(address_sanitizer)
#define NO_HOOK 1
#endif
#endif

#ifndef NO_HOOK
static unsigned long n_alloc;
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n);
void *calloc(size_t a, size_t b);
void *realloc(void *p, size_t n);
void *malloc(size_t n)
{
	n_alloc++;
	return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
	n_alloc++;
	return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
	n_alloc++;
	return __libc_realloc(p, n);
}
#endif

static double ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void t_sizes(void)
{
	fprintf(stderr, "sizeof registration %zu, call %zu, transaction %zu\n",
		sizeof(struct alg_reg), sizeof(struct alg_call), sizeof(struct alg_txn));
	/* + 2 hash bucket slots of 4 bytes each per object */
	CHECK(sizeof(struct alg_reg) + 8 <= 1024);
	CHECK(sizeof(struct alg_call) + 8 <= 4096);
}

static struct alg_engine *E;

static void reg_one(unsigned i, uint64_t now)
{
	char src[32], bind[32], m[1024];
	snprintf(src, sizeof(src), "192.168.%u.%u:5060", 1 + i / 250, 1 + i % 250);
	snprintf(bind, sizeof(bind), "203.0.113.1:%u", 10000 + i);
	snprintf(m, sizeof(m),
		 "REGISTER sip:example.com SIP/2.0\nVia: SIP/2.0/UDP %.*s;rport;branch=z9hG4bK%u\n"
		 "From: <sip:u%u@example.com>;tag=1\nTo: <sip:u%u@example.com>\nCall-ID: r%u\n"
		 "CSeq: 1 REGISTER\nContact: <sip:u%u@%s>\nExpires: 3600\nContent-Length: 0\n\n",
		 (int)(strchr(src, ':') - src), src, i, i, i, i, i, src);
	struct alg_packet p;
	memset(&p, 0, sizeof(p));
	H_inlen = h_build(m, H_in, sizeof(H_in));
	p.data = H_in;
	p.len = H_inlen;
	p.dir = ALG_OUT;
	p.src = hp(src);
	p.dst = hp(REGISTRAR);
	p.binding = hp(bind);
	p.now_ms = now;
	alg_process(E, &p, &H_res);
	snprintf(m, sizeof(m),
		 "SIP/2.0 200 OK\nVia: SIP/2.0/UDP %.*s;rport=%u;received=203.0.113.1;branch=z9hG4bK%u\n"
		 "From: <sip:u%u@example.com>;tag=1\nTo: <sip:u%u@example.com>;tag=2\nCall-ID: r%u\n"
		 "CSeq: 1 REGISTER\nContact: <sip:u%u@%s>;expires=3600\nContent-Length: 0\n\n",
		 (int)(strchr(src, ':') - src), src, 10000 + i, i, i, i, i, i, bind);
	H_inlen = h_build(m, H_in, sizeof(H_in));
	p.len = H_inlen;
	p.dir = ALG_IN;
	p.src = hp(REGISTRAR);
	p.dst = p.binding;
	alg_process(E, &p, &H_res);
}

static void t_10k_registrations(void)
{
	struct alg_counters c;

	struct alg_config cfg;
	h_config(&cfg);
	cfg.inside[0].addr = hp("192.168.0.0");
	cfg.inside[0].len = 16;
	cfg.media_port_min = 40000;
	cfg.media_port_max = 49999;
	E = alg_new(&cfg);
	double t0 = ms();
	for (unsigned i = 0; i < 10000; i++)
		reg_one(i, 1000 + i);
	double t1 = ms();
	alg_get_counters(E, &c);
	fprintf(stderr, "10000 registrations: %.1f ms (%.2f us per message)\n", t1 - t0,
		(t1 - t0) * 1000 / 20000);
	CHECK_EQ_INT(c.registrations, 10000);
	CHECK_EQ_INT(c.rewritten, 20000);
	CHECK(E->regs.live == 10000);
	/* memory actually held per registration, slot array + buckets */
	size_t bytes = (size_t)E->regs.cap * E->regs.elsz + (size_t)E->regs.nbk * 8;
	fprintf(stderr, "registration pool: %zu bytes for 10000 (%.0f per registration)\n", bytes,
		bytes / 10000.0);
	CHECK(bytes / 10000 <= 1024 * 2); /* pool doubles: at most 2x the per-object size */
}

static void t_1k_calls(void)
{
	struct alg_counters c;
	char id[32], tail[256];

	double t0 = ms();
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "call%u", i);
		snprintf(tail, sizeof(tail), "m=audio %u RTP/AVP 0\n", 20000 + 2 * i);
		const char *m = NULL;
		static char buf[4096];
		snprintf(buf, sizeof(buf),
			 "INVITE sip:bob@203.0.113.20 SIP/2.0\nVia: SIP/2.0/UDP 192.168.1.10:5062;rport;branch=z9hG4bK%s\n"
			 "From: <sip:alice@example.com>;tag=a\nTo: <sip:bob@example.com>\nCall-ID: %s\n"
			 "CSeq: 1 INVITE\nContact: <sip:alice@192.168.1.10:5062>\nContent-Type: application/sdp\n"
			 "Content-Length: {CLEN}\n\nv=0\no=a 1 1 IN IP4 192.168.1.10\ns=-\nc=IN IP4 192.168.1.10\nt=0 0\n%s",
			 id, id, tail);
		m = buf;
		h_run_at(E, ALG_OUT, PHONE, REGISTRAR, m, 20000 + i);
	}
	double t1 = ms();
	alg_get_counters(E, &c);
	fprintf(stderr, "1000 calls: %.1f ms (%.2f us per INVITE)\n", t1 - t0, (t1 - t0));
	CHECK_EQ_INT(c.calls, 1000);
	CHECK_EQ_INT(c.pinholes_open, 2000);
	size_t bytes = (size_t)E->calls.cap * E->calls.elsz + (size_t)E->calls.nbk * 8;
	fprintf(stderr, "call pool: %zu bytes for 1000 (%.0f per call)\n", bytes, bytes / 1000.0);
	CHECK(bytes / 1000 <= 4096 * 2);
}

static void t_no_malloc_unchanged(void)
{
#ifdef NO_HOOK
	fprintf(stderr, "malloc counting not available under ASan: checked in the plain build\n");
	CHECK(1);
#else
	static const char msg[] =
		"OPTIONS sip:example.com SIP/2.0\n"
		"Via: SIP/2.0/UDP 198.51.100.7:40001;rport;branch=z9hG4bKstun\n"
		"From: <sip:a@example.com>;tag=1\nTo: <sip:a@example.com>\nCall-ID: hot\n"
		"CSeq: 1 OPTIONS\nContact: <sip:a@198.51.100.7:40001>\nContent-Length: 0\n\n";
	h_run_at(E, ALG_OUT, PHONE, REGISTRAR, msg, 30000);
	CHECK(h_same());
	unsigned long before = n_alloc;
	double t0 = ms();
	for (int i = 0; i < 100000; i++)
		alg_process(E, &(struct alg_packet){ .data = H_in, .len = H_inlen, .dir = ALG_OUT,
						     .src = hp(PHONE), .dst = hp(REGISTRAR),
						     .binding = hp(BIND), .now_ms = 30000 },
			    &H_res);
	double t1 = ms();
	struct sip_hdr hd[64];
	struct sip_msg pm;
	double t2 = ms();
	for (int i = 0; i < 100000; i++) {
		sip_msg_parse(&pm, H_in, H_inlen, hd, 64, 0);
		sip_msg_validate(&pm);
	}
	fprintf(stderr, "parse+validate alone: %.2f us each\n", (ms() - t2) * 1000 / 100000);
	fprintf(stderr, "unchanged message: %.2f us each, %lu mallocs in 100000\n",
		(t1 - t0) * 1000 / 100000, n_alloc - before);
	CHECK_EQ_INT(n_alloc - before, 0);
#endif
}

static void t_drain(void)
{
	struct alg_result *r = malloc(sizeof(*r));
	struct alg_counters c;
	uint64_t far = 100ull * 3600 * 1000;

	for (int g = 0; g < 100000 && alg_next_deadline(E) <= far; g++)
		alg_expire(E, far, r);
	alg_get_counters(E, &c);
	CHECK_EQ_INT(c.calls, 0);
	CHECK_EQ_INT(c.registrations, 0);
	CHECK_EQ_INT(c.pinholes_open, 0);
	CHECK_EQ_INT(c.transactions, 0);
	CHECK(alg_next_deadline(E) == UINT64_MAX);
	free(r);
	alg_free(E);
}

/* The pool's two hash indexes when one key2 chain holds many objects (the
 * calls of one trunk binding): freeing from the middle, the head and the
 * tail, and rekeying, leave both indexes exact (pool.c, doubly linked). */
static unsigned chain_len(const struct alg_pool *p, uint64_t key2)
{
	unsigned n = 0;

	for (uint32_t i = pool_find2(p, key2); i != ALG_NONE; i = pool_next2(p, i))
		n++;
	return n;
}

static void t_pool_chains(void)
{
	struct alg_pool p;
	uint32_t slot[1000];
	int ok = 1;

	CHECK(pool_init(&p, sizeof(struct alg_obj), 16) == 0);
	for (unsigned i = 0; i < 1000; i++)
		slot[i] = pool_alloc(&p, 1000 + i, 7);
	CHECK_EQ_INT(chain_len(&p, 7), 1000);
	for (unsigned i = 0; i < 1000; i += 3) /* middle, head and tail all go */
		pool_free(&p, slot[i]);
	CHECK_EQ_INT(chain_len(&p, 7), 666);
	for (unsigned i = 0; i < 1000; i++) {
		uint32_t f = pool_find(&p, 1000 + i);
		ok &= i % 3 ? f == slot[i] : f == ALG_NONE;
	}
	CHECK(ok);
	pool_rekey2(&p, slot[1], 9);
	pool_rekey2(&p, slot[998], 9);
	CHECK_EQ_INT(chain_len(&p, 7), 664);
	CHECK_EQ_INT(chain_len(&p, 9), 2);
	for (unsigned i = 0; i < 1000; i++)
		if (i % 3)
			pool_free(&p, slot[i]);
	CHECK_EQ_INT(chain_len(&p, 7), 0);
	CHECK_EQ_INT(chain_len(&p, 9), 0);
	CHECK_EQ_INT(p.live, 0);
	pool_fini(&p);
}

static const struct check_case cases[] = {
	{ "pool: a 1,000-long key2 chain, frees anywhere and rekeys keep both indexes exact",
	  t_pool_chains },
	{ "struct sizes: registration <= 1 KB, call <= 4 KB", t_sizes },
	{ "10,000 registrations in the hash tables", t_10k_registrations },
	{ "1,000 concurrent calls, 2,000 pinholes", t_1k_calls },
	{ "no malloc for a message with nothing to change", t_no_malloc_unchanged },
	{ "everything expires: no call, registration, pinhole or timer left", t_drain },
	{ NULL, NULL },
};

int main(void)
{
	return check_run("alg_scale", cases);
}
