/*
 * fuzz_replay.c - libFuzzer target: the input is a capture file, run
 * through `sipalg replay` whole (pcap reading, link layers, IP parsing,
 * fragment and TCP reassembly, the engine, rebuilding, the report), once
 * with an IPv4 and once with an IPv6 public address.  Any crash, sanitizer
 * report or leak is a finding.  Seeds: fuzz/seeds/fuzz_replay/ (made by
 * tests/cli/data/gen_replay_pcaps.py).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli/cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[64];

static void cleanup(void)
{
	unlink(path);
}

static void run(const char *pub)
{
	const char *const args[] = {
		"replay", path, "--inside", "192.168.1.0/24", "--inside", "10.0.0.0/8",
		"--inside", "fd00::/8", "--public", pub, "--ports", "any", "-o", "/dev/null",
	};
	enum { N = sizeof(args) / sizeof(args[0]) };
	char store[N][64], *argv[N + 1];

	/* cmd_replay() takes a writable argv, as main() gets. */
	for (int i = 0; i < N; i++) {
		snprintf(store[i], sizeof(store[i]), "%s", args[i]);
		argv[i] = store[i];
	}
	argv[N] = NULL;
	cmd_replay(N, argv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FILE *f;

	if (!path[0]) {
		snprintf(path, sizeof(path), "/dev/shm/fuzz_replay.%d.pcap", (int)getpid());
		/* The report is not what is tested; keep the fuzzer's output readable. */
		if (!freopen("/dev/null", "w", stdout))
			abort();
		atexit(cleanup);
	}
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	run("203.0.113.1");
	run("2001:db8::1");
	return 0;
}
