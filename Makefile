# sipalg - top-level entry points.  meson + ninja do the building; this file
# installs what a fresh Debian machine lacks and names the everyday targets.
#
#   make          build build/sipalg (and build/sipalgd)
#   make test     every test: unit, corpus, ASan+UBSan, fuzz (bounded), end-to-end
#   make demo     phone <-> router running sipalgd <-> server, in namespaces
#   make bench    benchmarks against libosip2 and the kernel's nf_nat_sip

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CORPORA    ?= $(abspath ../shared/corpora)

# Debian packages, with the reason for each in README.md "Dependencies".
BUILD_DEBS = gcc clang meson ninja-build pkg-config libosip2-dev libmnl-dev \
             libnftnl-dev libpcap-dev
RUN_DEBS   = nftables iproute2 sip-tester python3
TEST_DEBS  = $(BUILD_DEBS) $(RUN_DEBS) libfuzzer-14-dev libclang-rt-14-dev \
             valgrind tshark conntrack openssl kamailio baresip-core

MESON_OPTS = -Dcorpora=$(CORPORA)

.PHONY: all deps-build deps-test build asan fuzz test demo bench clean

all: build

deps-build:
	@tools/install-deps.sh $(BUILD_DEBS)

deps-test:
	@tools/install-deps.sh $(TEST_DEBS)

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) $(MESON_OPTS) -Db_sanitize=address,undefined \
	  -Db_lundef=false -Dbench=false -Dbuildtype=debug

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) $(MESON_OPTS) -Dfuzz=true -Dbench=false \
	  -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized

build: deps-build $(BUILD)/build.ninja
	ninja -C $(BUILD)

asan: deps-test $(ASAN_BUILD)/build.ninja
	ninja -C $(ASAN_BUILD)

fuzz: deps-test $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD)

test: deps-test build asan fuzz
	@BUILD=$(BUILD) ASAN_BUILD=$(ASAN_BUILD) FUZZ_BUILD=$(FUZZ_BUILD) \
	  SIPALG_CORPORA=$(CORPORA) tests/run.sh

demo: deps-test build
	@BUILD=$(BUILD) tests/e2e/demo.sh

bench: deps-test build
	@BUILD=$(BUILD) bench/run.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
