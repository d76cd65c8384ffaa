#!/bin/bash
# bench_memory.sh - sipalgd's resident memory (VmRSS in /proc/PID/status)
# per registration and per call, in the phone <-> router <-> server
# namespaces of tests/e2e/lib.sh.
#
#   1. VmRSS right after sipalgd started (rss_base_kb).
#   2. $REGS registrations from $REGS distinct inside endpoints: one
#      python3 process (bench/memload.py) with $REGS UDP sockets on
#      192.168.1.10:$PHONE_BASE.., one REGISTER each (Expires: 3600) to the
#      server 203.0.113.20:5060, where memload.py answers 200 OK
#      (Contact;expires=3600).  At most 200 unanswered at a time, so nothing
#      is lost; checked with the daemon's `registrations` and `bindings`.
#      (VmRSS - base) / $REGS = per_registration_bytes.
#   3. $CALLS calls from the first $CALLS of those endpoints: INVITE with
#      SDP, 200 OK with SDP, ACK, never hung up; checked with `calls` and
#      `pinholes`.  (VmRSS - VmRSS after step 2) / $CALLS = per_call_bytes.
#
# Targets (the issue): at most 1 KB per registration and 4 KB per call.
# Only the daemon's user-space memory is counted: the kernel's socket
# buffers (one UDP socket per binding), conntrack entries and nft set
# elements are not in VmRSS.
# Last line: bench=memory rss_base_kb=... per_registration_bytes=...
# per_call_bytes=... registrations=N calls=M (what the daemon reported).
# Root only; about 20 s.  Exit 1 if a check failed (numbers still printed).
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
REGS=${REGS:-10000}
CALLS=${CALLS:-1000}
PHONE_BASE=${PHONE_BASE:-20000} # phone SIP ports PHONE_BASE .. +REGS-1
PHONE_MEDIA=${PHONE_MEDIA:-50000} # phone RTP ports, two per call
LOAD=bench/memload.py

if [ "$(id -u)" != 0 ]; then
	echo "bench_memory: needs root (network namespaces)" >&2
	exit 1
fi
# One socket per binding in sipalgd, one per endpoint in memload.py (each
# process has its own limit).  Without CAP_SYS_RESOURCE (containers) the
# hard limit is as high as it goes.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt $((REGS + 1024)) ]; then
	echo "bench_memory: open-file limit $(ulimit -n) (hard $(ulimit -Hn)) is too low for $REGS bindings" >&2
	exit 1
fi
. tests/e2e/lib.sh
# shellcheck disable=SC2119 # one phone
topo_up || { echo "bench_memory: topology failed" >&2; exit 1; }

# 10,000 ports of media range: two per call on the public side.
if ! start_sipalgd "log_level = warning" "media_ports = 40000-49999" \
	"max_bindings = 65536"; then
	fail sipalgd_start "$(sipalgd_why)"
	exit 1
fi
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$SIPALGD_PID/status"; }
stat_get() { sipalg_ctl stats | awk -v k="$1" '$1 == k { print $2 }'; }
per() { awk -v a="$1" -v b="$2" -v n="$3" 'BEGIN { printf "%d", (a - b) * 1024 / n }'; }
# check NAME WHY CMD...: PASS if CMD succeeds, else FAIL with WHY
check() {
	local name=$1 why=$2
	shift 2
	if "$@" 2>/dev/null; then
		pass "$name"
	else
		fail "$name" "$why"
	fi
}
# expect_ge NAME GOT WANT
expect_ge() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ]; then
		pass "$1"
	else
		fail "$1" "got ${2:-nothing}, want >= $3"
	fi
}

sleep 0.3
base=$(rss)
echo "rss after start: $base kB"

bg_start server "$NS_SERVER" python3 "$LOAD" server "$SERVER_IP" 5060
for _ in $(seq 50); do
	grep -q ready "$E2E_DIR/server.out" 2>/dev/null && break
	sleep 0.1
done

out=$(nsx "$NS_PHONE" python3 "$LOAD" register "$REGS" "$PHONE_IP" "$PHONE_BASE" "$SERVER_IP")
rc=$?
echo "register: $out"
check registers_answered "$out" [ "$rc" = 0 ]
sleep 0.5
rss_reg=$(rss)
regs=$(stat_get registrations)
echo "rss after $REGS registrations: $rss_reg kB (registrations=$regs bindings=$(stat_get bindings) bindings_refused=$(stat_get bindings_refused) transactions=$(stat_get transactions))"
expect_ge registrations "$regs" "$REGS"
listed=$(sipalg_ctl registrations | grep -c .)
expect_ge registrations_listed "$listed" "$REGS"

out=$(nsx "$NS_PHONE" python3 "$LOAD" call "$CALLS" "$PHONE_IP" "$PHONE_BASE" "$SERVER_IP" "$PHONE_MEDIA")
rc=$?
echo "call: $out"
check invites_answered "$out" [ "$rc" = 0 ]
sleep 1
rss_call=$(rss)
calls=$(stat_get calls)
ph=$(stat_get pinholes)
echo "rss after $CALLS calls: $rss_call kB (calls=$calls pinholes=$ph pinholes_opened=$(stat_get pinholes_opened) shadowed=$(stat_get pinholes_shadowed) fw_errors=$(stat_get fw_errors) transactions=$(stat_get transactions))"
expect_ge calls "$calls" "$CALLS"
expect_ge pinholes "$ph" "$CALLS"
expect_ge pinholes_in_kernel "$(pinholes | grep -c '^media_dnat ')" "$CALLS"
expect_ge calls_listed "$(sipalg_ctl calls | grep -c .)" "$CALLS"
expect_ge registrations_kept "$(stat_get registrations)" "$REGS"
check sipalgd_alive "daemon exited" kill -0 "$SIPALGD_PID"
grep -m3 -i -E 'error|warn' "$SIPALGD_LOG" | cut -c1-200

per_reg=$(per "$rss_reg" "$base" "$REGS")
per_call=$(per "$rss_call" "$rss_reg" "$CALLS")
# Informational: a benchmark reports, it does not fail on a target.
within() { [ "$1" -le "$2" ] && echo "within $2" || echo "OVER $2"; }
echo "targets: per_registration_bytes $per_reg ($(within "$per_reg" 1024))," \
	"per_call_bytes $per_call ($(within "$per_call" 4096))"
echo "bench=memory rss_base_kb=$base rss_registered_kb=$rss_reg rss_calls_kb=$rss_call" \
	"per_registration_bytes=$per_reg per_call_bytes=$per_call" \
	"registrations=${regs:-0} calls=${calls:-0}"
e2e_exit
