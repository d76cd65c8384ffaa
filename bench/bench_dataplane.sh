#!/bin/bash
# bench_dataplane.sh - the data plane, side by side in one run, in the
# phone <-> router <-> server namespaces of tests/e2e/lib.sh (phone
# 192.168.1.10, router 192.168.1.1 / 203.0.113.1, server 203.0.113.20;
# the router always masquerades the LAN, as a home router does).
#
#   rtp         172-byte UDP (RTP, G.711 20 ms) packets/s forwarded, both
#               directions, through sipalg pinholes (media_dnat/media_snat
#               elements installed with fwctl) vs plain masquerade+conntrack:
#               $REPS pairs of $RTP_SECS s runs per direction (see bench_rtp).
#   pinholes    streams installed and removed per second, $PH_BATCH per
#               fw_commit (fwctl bench: add 50,000, delete them, repeat), in
#               wall-clock time and per CPU second of fwctl (the kernel does
#               the batch work in fwctl's context; robust against other load).
#   sip_fwd     SIP INVITEs with SDP forwarded per second with zero loss,
#               per mode: the highest rate that lost nothing in a $FWD_SECS s
#               trial, its last message arriving at most $FWD_LAG_MS ms after
#               it was sent (doubling, then bisection).  Each INVITE is a new call:
#               its own branch, From tag, Call-ID and RTP port (udpblast's
#               SEQ##### and PORT# marks).  SIP_TEMPLATE=realistic (default:
#               a 959-byte phone INVITE, as in bench_parse.c) or short (the
#               470-byte one used before, same RTP port in every call).
#               Every trial starts from the same state: conntrack flushed,
#               sipalgd restarted.  Then CPU per message at $FWD_CPU_RATE
#               msgs/s for $FWD_CPU_SECS s: the sender's (which includes the
#               kernel's forwarding and helper work, done in its softirq
#               context with veth) and sipalgd's own (/proc/PID/stat).
#   sipp_calls  SIPp's built-in uac -> uas (-buff_size 4194304): the best
#               calls/s completed in $SIPP_SECS s runs, offering $SIPP_RATE,
#               then twice that, ... until under 95% of the offer completes.
#
# Modes for the SIP benchmarks (one function pair each: mode_X_up/down):
#   masq     nothing but the masquerade
#   kernel   Linux's nf_conntrack_sip/nf_nat_sip attached by a ct helper rule
#   sipalgd  $BUILD/sipalgd, when it is built and starts (else reported "na")
#
# Each benchmark prints one summary line `bench=NAME key=value...`; the last
# line, `bench=dataplane ...`, repeats the key numbers for bench/run.sh.
# Root only.  About 1.5 minutes.
set -u
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
RTP_SECS=${RTP_SECS:-1}
REPS=${REPS:-4}
RTP_CPU_RATE=${RTP_CPU_RATE:-20000}
PH_TOTAL=${PH_TOTAL:-100000}
PH_BATCH=${PH_BATCH:-1000}
FWD_SECS=${FWD_SECS:-0.25}
FWD_LAG_MS=${FWD_LAG_MS:-10}
# FWD_WARM=1: sipalgd runs every trial of a mode in one process whose pools
# and heap earlier trials grew (a router that has been up a while), each
# trial's calls ending by invite_timeout = 2s before the next; 0: a new
# daemon for every trial (every call on fresh memory).
FWD_WARM=${FWD_WARM:-1}
# FWD_RT=1: sipalgd runs SCHED_FIFO (priority 10) in sip_fwd; see mode_sipalgd_up.
FWD_RT=${FWD_RT:-1}
# The sender on one core in every mode (FWD_SENDER_CPU), sipalgd on the
# other (FWD_SIPALGD_CPU); empty: where the scheduler puts them.  The
# kernel helper's and masquerade's work runs in the sender's softirq, on the
# sender's core; the receiver is not pinned.
if [ "$(nproc)" -ge 2 ]; then
	FWD_SENDER_CPU=${FWD_SENDER_CPU-0}
	FWD_SIPALGD_CPU=${FWD_SIPALGD_CPU-1}
else
	FWD_SENDER_CPU=${FWD_SENDER_CPU-} FWD_SIPALGD_CPU=${FWD_SIPALGD_CPU-}
fi
BLAST_CPU=
FWD_NOW=0 # 1 while sip_fwd runs
FWD_WARM_RATE=${FWD_WARM_RATE:-96000} # 24,000 calls in 0.25 s: the most the port pairs allow
FWD_CPU_RATE=${FWD_CPU_RATE:-20000}
FWD_CPU_SECS=${FWD_CPU_SECS:-1}
# FWD_SEARCH=0: sip_fwd measures only the CPU per message at FWD_CPU_RATE
# (steadier than the zero-loss search on a busy machine).  FWD_PERF="stat
# -e page-faults" (or "record -g", ...): perf runs that on sipalgd during
# that trial, its report in $FWD_PERF_OUT (default /tmp/sipalg-fwd-perf.data).
FWD_SEARCH=${FWD_SEARCH:-1}
FWD_PERF=${FWD_PERF:-}
FWD_PERF_OUT=${FWD_PERF_OUT:-/tmp/sipalg-fwd-perf.data}
SIP_TEMPLATE=${SIP_TEMPLATE:-realistic}
SIPP_RATE=${SIPP_RATE:-2000}
SIPP_RATE_MAX=${SIPP_RATE_MAX:-32000}
SIPP_SECS=${SIPP_SECS:-2}
MODES=${MODES:-masq kernel sipalgd}
BENCHES=${BENCHES:-pinholes rtp sip} # a subset, when repeating one; sip = sip_fwd sipp

if [ "$(id -u)" != 0 ]; then
	echo "bench_dataplane: needs root (network namespaces)" >&2
	exit 1
fi
. tests/e2e/lib.sh
FWCTL=$BUILD/tests/e2e/fwctl
BLAST=$BUILD/bench/udpblast
for b in "$FWCTL" "$BLAST"; do
	if [ ! -x "$b" ]; then
		echo "bench_dataplane: $b is not built" >&2
		exit 1
	fi
done
# shellcheck disable=SC2119 # one phone
topo_up || { echo "bench_dataplane: topology failed" >&2; exit 1; }
FW_ARGS=(-l "$LAN_IF" -w "$WAN_IF" -a "$PUBLIC_IP" -p 5060)

flush_ct() { nsx "$NS_ROUTER" conntrack -F >/dev/null 2>&1; }
# max A B (decimal numbers)
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "na" }'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | head -n1; }

# blast NAME RECV_NS RECV_PORT SEND_NS DST_IP DST_PORT SRC_PORT SECS RATE [TEMPLATE]
# prints "sent=N received=M pps=P cpu_ns=C lag_us=L" (pps at the receiver,
# C the sender's CPU time per datagram, L how long after the sender's last
# datagram the last one reached the receiver's socket, by the kernel's
# arrival timestamp: what the path in between still had queued).
blast() {
	local name=$1 rns=$2 rport=$3 sns=$4 dst=$5 dport=$6 sport=$7 secs=$8 rate=$9
	local tmpl=${10:-} i sent got
	bg_start "$name" "$rns" "$BLAST" recv "$rport" "$(awk -v s="$secs" 'BEGIN { print s + 3 }')" 300
	for i in $(seq 50); do
		grep -q ready "$E2E_DIR/$name.out" 2>/dev/null && break
		sleep 0.05
	done
	# shellcheck disable=SC2086
	sent=$(nsx "$sns" ${BLAST_CPU:+taskset -c "$BLAST_CPU"} "$BLAST" send "$dst" "$dport" "$sport" "$secs" 172 "$rate" $tmpl)
	bg_wait "$BG_PID" 10
	got=$(grep received "$E2E_DIR/$name.out")
	echo "sent=$(echo "$sent" | field sent) received=$(echo "$got" | field received) pps=$(echo "$got" | field pps) cpu_ns=$(echo "$sent" | field cpu_ns_per_pkt) lag_us=$(awk -v l="$(echo "$got" | field last_ns)" -v e="$(echo "$sent" | field end_ns)" 'BEGIN { printf "%.0f", (l > 0 && e > 0) ? (l - e) / 1000 : 0 }')"
}

# ---- modes ------------------------------------------------------------------

mode_masq_up() { flush_ct; }
mode_masq_down() { flush_ct; }
mode_kernel_up() { flush_ct; attach_kernel_sip_helper; }
mode_kernel_down() { detach_kernel_sip_helper; flush_ct; }
# mode_X_reset: before each sip_fwd trial, the same starting state.
mode_masq_reset() { flush_ct; }
mode_kernel_reset() { flush_ct; }
mode_sipalgd_up() {
	local extra=()
	[ -x "$BUILD/sipalgd" ] || return 1
	flush_ct
	# lib.sh's config logs at debug (a line per rewrite); a router would not.
	# Every new call takes two public media ports (RTP, RTCP) until its
	# INVITE times out: a wide range, so that a trial's calls get theirs.
	# sip_fwd warm (FWD_WARM=1): the blaster's calls, never answered, end
	# after invite_timeout (2 s: longer than any trial, so no call ends
	# inside one), so one daemon serves every trial of the mode.
	[ "$FWD_NOW" = 1 ] && [ "$FWD_WARM" = 1 ] && extra=("invite_timeout = 2s")
	start_sipalgd "log_level = warning" "media_ports = 10000-65535" "${extra[@]}" || return 1
	# sip_fwd: the router's work is not preempted by the load generators
	# (FWD_RT=1), as the kernel's forwarding and helper are not: they run in
	# softirq, ahead of any task.  On a real router the sender and the
	# server are other machines.
	if [ "$FWD_NOW" = 1 ] && [ "$FWD_RT" = 1 ]; then
		chrt -f -p 10 "$SIPALGD_PID" || return 1
	fi
	if [ "$FWD_NOW" = 1 ] && [ -n "$FWD_SIPALGD_CPU" ]; then
		taskset -p -c "$FWD_SIPALGD_CPU" "$SIPALGD_PID" >/dev/null || return 1
	fi
}
mode_sipalgd_down() { stop_sipalgd; flush_ct; }
# No call of the last trial left over (its pinholes and ports): cold, a
# restarted daemon; warm, the same daemon once the last trial's calls have
# timed out and their pinholes are gone (the kernel helper's expectations
# and conntrack entries come from slab caches that earlier trials warmed).
mode_sipalgd_reset() {
	local i
	if [ "$FWD_WARM" != 1 ] || [ -z "${SIPALGD_PID:-}" ]; then
		stop_sipalgd
		mode_sipalgd_up
		return
	fi
	for i in $(seq 100); do
		sipalg_ctl stats 2>/dev/null | awk '$1 == "calls" || $1 == "pinholes" { n += $2 } END { exit n != 0 }' && break
		sleep 0.1
	done
	flush_ct
}

# ---- rtp ----------------------------------------------------------------------

# rtp_dir MODE DIR PORT RATE: one direction, one run of RTP_SECS at RATE
# (0: as fast as possible); prints blast's line.  Phone port PORT; sipalg's
# pinhole maps it to public PORT+10000.
rtp_dir() {
	local mode=$1 dir=$2 p=$3 rate=$4 pub
	pub=$p
	[ "$mode" = sipalg ] && pub=$((p + 10000))
	if [ "$dir" = out ]; then
		blast "rtp_$mode$dir$p$rate" "$NS_SERVER" 50000 "$NS_PHONE" "$SERVER_IP" 50000 "$p" "$RTP_SECS" "$rate"
		return
	fi
	# Inbound: masquerade needs the phone to speak first (conntrack reply
	# direction); the pinhole does not (the server's packets are DNATed).
	[ "$mode" = masq ] && nsx "$NS_PHONE" "$BLAST" send "$SERVER_IP" 50001 "$p" 0.001 172 0 >/dev/null
	blast "rtp_$mode$dir$p$rate" "$NS_PHONE" "$p" "$NS_SERVER" "$PUBLIC_IP" "$pub" 50001 "$RTP_SECS" "$rate"
}

# rtp_pair DIR PORT RATE METRIC: masquerade, then sipalg right after it;
# prints "MASQ SIPALG" values of METRIC (pps or cpu_ns).
rtp_pair() {
	local m a
	flush_ct
	m=$(rtp_dir masq "$1" "$2" "$3" | field "$4")
	flush_ct
	sipalg_on $(($2 + 1))
	a=$(rtp_dir sipalg "$1" $(($2 + 1)) "$3" | field "$4")
	sipalg_off
	echo "${m:-0} ${a:-0}"
}

median() { tr ' ' '\n' | grep -v '^$' | sort -g |
	awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# The pinhole for phone PORT <-> public PORT+10000, in a table that fwctl
# leaves behind on exit (as a crashed daemon would); sipalg_off removes it.
sipalg_on() {
	nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" open add 1 "$PHONE_IP" "$1" $(($1 + 10000)) 60000 \
		commit >/dev/null 2>&1
}
sipalg_off() {
	nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" open close >/dev/null 2>&1
	flush_ct
}

# Each direction, REPS times: a pair (masquerade, then sipalg right after
# it, close in time so that other load on the machine hits both alike) as
# fast as the sender goes, then a pair at RTP_CPU_RATE packets/s measuring
# the sender's CPU time per packet (with veth the forwarding softirq runs
# in its context and is charged to it).  Reported: ratio_vs_masq, the
# median of the pairs' pps ratios (the headline: robust against a shared,
# busy machine); cpu_ratio_vs_masq = masq/sipalg median CPU ns per packet
# (> 1: sipalg is cheaper); and the best pps of each mode with their ratio
# (one lucky run can skew it).
bench_rtp() {
	local rep dir p m a ratios="" m_ns="" a_ns="" bm_out=0 bm_in=0 bs_out=0 bs_in=0
	local masq sipalg mns ans
	for rep in $(seq "$REPS"); do
		for dir in out in; do
			p=$((30000 + rep * 10))
			[ "$dir" = in ] && p=$((p + 5))
			read -r m a <<<"$(rtp_pair "$dir" "$p" 0 pps)"
			ratios="$ratios $(ratio "$a" "$m")"
			if [ "$dir" = out ]; then
				bm_out=$(max "$bm_out" "$m") bs_out=$(max "$bs_out" "$a")
			else
				bm_in=$(max "$bm_in" "$m") bs_in=$(max "$bs_in" "$a")
			fi
			echo "rtp rep $rep $dir: masq_pps=$m sipalg_pps=$a"
			read -r m a <<<"$(rtp_pair "$dir" $((p + 2)) "$RTP_CPU_RATE" cpu_ns)"
			m_ns="$m_ns $m" a_ns="$a_ns $a"
			echo "rtp rep $rep $dir at $RTP_CPU_RATE pps: masq_ns_per_pkt=$m sipalg_ns_per_pkt=$a"
		done
	done
	masq=$(awk -v a="$bm_out" -v b="$bm_in" 'BEGIN { printf "%.0f", (a + b) / 2 }')
	sipalg=$(awk -v a="$bs_out" -v b="$bs_in" 'BEGIN { printf "%.0f", (a + b) / 2 }')
	mns=$(echo "$m_ns" | median)
	ans=$(echo "$a_ns" | median)
	RTP_LINE="bench=rtp ratio_vs_masq=$(echo "$ratios" | median) cpu_ratio_vs_masq=$(ratio "$mns" "$ans") best_ratio_vs_masq=$(ratio "$sipalg" "$masq") sipalg_pps=$sipalg masq_pps=$masq sipalg_ns_per_pkt=$ans masq_ns_per_pkt=$mns sipalg_out_pps=$bs_out sipalg_in_pps=$bs_in masq_out_pps=$bm_out masq_in_pps=$bm_in size=172 secs=$RTP_SECS reps=$REPS"
	echo "$RTP_LINE"
}

# ---- pinholes -----------------------------------------------------------------

bench_pinholes() {
	local r
	r=$(nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" open bench "$PH_TOTAL" "$PH_BATCH" close 2>/dev/null |
		grep '^ok bench')
	PH_LINE="bench=pinholes streams_per_s=$(echo "$r" | field streams_per_s) add_per_s=$(echo "$r" | field add_per_s) del_per_s=$(echo "$r" | field del_per_s) streams_per_cpu_s=$(echo "$r" | field streams_per_cpu_s) streams=$PH_TOTAL batch=$PH_BATCH"
	echo "$PH_LINE"
}

# ---- sip_fwd ------------------------------------------------------------------

# The INVITE before issue 4's anchor was followed (470 bytes, one RTP port).
sip_template_short() {
	local sdp body
	sdp=$(printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' \
		"$PHONE_IP" "$PHONE_IP"; echo x)
	body=${sdp%x}
	printf 'INVITE sip:bob@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK-SEQ#####\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=SEQ#####\r\nTo: <sip:bob@%s>\r\nCall-ID: SEQ#####@bench\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@%s:5060>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' \
		"$SERVER_IP" "$PHONE_IP" "$SERVER_IP" "$PHONE_IP" "${#body}" "$body"
}

# A desk phone's INVITE for a new call (bench_parse.c's, 959 bytes with
# these addresses): SEQ##### makes branch, From tag and Call-ID new, PORT#
# the RTP port that this call offers (a phone picks a new one per call).
sip_template_realistic() {
	local sdp body
	sdp=$(printf '%s\r\n' 'v=0' "o=- 3957474913 3957474913 IN IP4 $PHONE_IP" 's=ExamplePhone' \
		"c=IN IP4 $PHONE_IP" 't=0 0' 'm=audio PORT# RTP/AVP 9 0 8 18 101' \
		'a=rtpmap:9 G722/8000' 'a=rtpmap:0 PCMU/8000' 'a=rtpmap:8 PCMA/8000' \
		'a=rtpmap:18 G729/8000' 'a=fmtp:18 annexb=no' 'a=rtpmap:101 telephone-event/8000' \
		'a=fmtp:101 0-15' 'a=ptime:20' 'a=sendrecv'; echo x)
	body=${sdp%x}
	printf '%s\r\n' "INVITE sip:+15105550123@$SERVER_IP SIP/2.0" \
		"Via: SIP/2.0/UDP $PHONE_IP:5060;branch=z9hG4bK-524287-1---8e2fSEQ#####" \
		'Max-Forwards: 70' "Contact: <sip:alice@$PHONE_IP:5060;transport=udp>" \
		"To: <sip:+15105550123@$SERVER_IP>" \
		"From: \"Alice\" <sip:alice@$SERVER_IP>;tag=9fSEQ#####" \
		'Call-ID: 2c9e1f5a7b3d4e60aa1bSEQ#####' 'CSeq: 2 INVITE' \
		'Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE' \
		'Content-Type: application/sdp' \
		'Supported: replaces, norefersub, extended-refer, timer, X-cisco-serviceuri' \
		'User-Agent: ExamplePhone/5.3.1' 'Allow-Events: presence, kpml, talk' \
		"Content-Length: ${#body}" ''
	printf '%s' "$body"
}

# fwd_trial RATE: 0 if nothing was lost at RATE msgs/s and the last message
# arrived at most FWD_LAG_MS after it was sent; sets FWD_SENT and FWD_LAG.
fwd_trial() {
	local r s g
	"mode_${MODE}_reset" >/dev/null 2>&1
	r=$(blast "fwd$1" "$NS_SERVER" 5060 "$NS_PHONE" "$SERVER_IP" 5060 5060 "$FWD_SECS" "$1" "$E2E_DIR/invite.sip")
	s=$(echo "$r" | field sent)
	g=$(echo "$r" | field received)
	FWD_SENT=${s:-0}
	FWD_LAG=$(echo "$r" | field lag_us)
	[ -z "${FWD_VERBOSE:-}" ] ||
		echo "sip_fwd trial $MODE $1/s: $r router:$(nsx "$NS_ROUTER" nstat -z UdpRcvbufErrors UdpSndbufErrors IpOutDiscards 2>/dev/null | awk 'NR > 1 { printf " %s=%s", $1, $2 }')" >&2
	[ "${s:-0}" -gt 0 ] && [ "${g:-0}" -ge "$s" ] && [ "${FWD_LAG:-0}" -le $((FWD_LAG_MS * 1000)) ]
}

# fwd_try RATE: fwd_trial, and once more if it failed (every mode alike): a
# lone stall of this shared virtual machine (CPU steal) does not end the
# search, a path that cannot keep up fails both.
fwd_try() { fwd_trial "$1" || fwd_trial "$1"; }

# The rate the last trial reached: messages sent / FWD_SECS.
fwd_rate() { awk -v s="$FWD_SENT" -v t="$FWD_SECS" 'BEGIN { printf "%.0f", s / t }'; }

# Highest zero-loss rate of MODE: double from 1000, then bisect 4 times;
# sets FWD_BEST (not a subshell: a trial may restart sipalgd) to the best
# rate a passing trial achieved (sent / FWD_SECS).  When the sender cannot
# reach the offered rate (the kernel helper's work runs in its softirq) the
# doubling stops there, and the best passing trial so far still counts.
sip_fwd_mode() {
	local lo=0 hi=0 rate=1000 mid best=0 got
	while [ "$rate" -le 512000 ]; do
		if fwd_try "$rate"; then
			got=$(fwd_rate)
			[ "$got" -gt "$best" ] && best=$got
			[ "$got" -lt $((rate * 9 / 10)) ] && break # the sender is the limit
			rate=$((rate * 2))
		else
			hi=$rate
			break
		fi
	done
	if [ "$hi" -gt 0 ]; then
		lo=$((hi / 2))
		for _ in 1 2 3 4; do
			mid=$(((lo + hi) / 2))
			if fwd_try "$mid"; then
				lo=$mid
				got=$(fwd_rate)
				[ "$got" -gt "$best" ] && best=$got
			else
				hi=$mid
			fi
		done
	fi
	FWD_BEST=$best
}

# Clock ticks of user + system time of PID (0 if it is gone).
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

# sip_cpu_mode: one trial of MODE at FWD_CPU_RATE (no loss expected in any
# mode); sets CPU_NS="SENDER_NS DAEMON_NS": CPU nanoseconds per message
# forwarded, of the sender (with the kernel's forwarding and helper work)
# and of sipalgd (0 in the other modes).
sip_cpu_mode() {
	local r t0 t1=0 got hz
	"mode_${MODE}_reset" >/dev/null 2>&1
	t0=$([ "$MODE" = sipalgd ] && proc_ticks "$SIPALGD_PID" || echo 0)
	local perf=
	if [ -n "$FWD_PERF" ] && [ "$MODE" = sipalgd ]; then
		# shellcheck disable=SC2086 # FWD_PERF is words
		perf $FWD_PERF -p "$SIPALGD_PID" -o "$FWD_PERF_OUT" -- sleep "$FWD_CPU_SECS" \
			>/dev/null 2>&1 &
		perf=$!
	fi
	r=$(blast "cpu$MODE" "$NS_SERVER" 5060 "$NS_PHONE" "$SERVER_IP" 5060 5060 "$FWD_CPU_SECS" \
		"$FWD_CPU_RATE" "$E2E_DIR/invite.sip")
	[ "$MODE" = sipalgd ] && t1=$(proc_ticks "$SIPALGD_PID")
	[ -n "$perf" ] && wait "$perf"
	got=$(echo "$r" | field received)
	hz=$(getconf CLK_TCK)
	CPU_NS=$(awk -v s="$(echo "$r" | field cpu_ns)" -v d=$((t1 - t0)) -v n="${got:-0}" -v hz="$hz" \
		'BEGIN { printf "%.0f %.0f\n", s, (n > 0 ? d * 1e9 / hz / n : 0) }')
}

# ---- sipp ---------------------------------------------------------------------

# sipp_run MODE RATE: SIPp's uac offers RATE calls/s for SIPP_SECS s
# (-timeout); prints calls completed / SIPP_SECS.  SIPp may keep waiting for
# calls that lost a message after its -timeout: SIGINT makes it print its
# final screen and quit.
sipp_run() {
	local name=sipp_$1_$2 ok uas
	bg_start "${name}_uas" "$NS_SERVER" env -C "$E2E_DIR" timeout -k 2 $((SIPP_SECS + 8)) \
		sipp -sn uas -i "$SERVER_IP" -p 5060 -buff_size 4194304 -nostdin
	uas=$BG_PID
	sleep 0.3
	nsx "$NS_PHONE" env -C "$E2E_DIR" timeout -s INT -k 2 $((SIPP_SECS + 3)) \
		sipp -sn uac "$SERVER_IP:5060" -i "$PHONE_IP" -p 5060 -r "$2" \
		-timeout "${SIPP_SECS}s" -buff_size 4194304 -nostdin >"$E2E_DIR/$name.out" 2>&1
	kill "$uas" 2>/dev/null
	wait "$uas" 2>/dev/null
	flush_ct
	ok=$(sed -n 's/^ *Successful call *|.*| *\([0-9]*\) *$/\1/p' "$E2E_DIR/$name.out" | tail -n1)
	awk -v n="${ok:-0}" -v s="$SIPP_SECS" 'BEGIN { printf "%.0f", n / s }'
}

# sipp_mode MODE: the best completed calls/s while doubling the offered
# rate from SIPP_RATE; stops once under 95% of the offer completes (SIPp
# collapses into retransmissions past the knee).
sipp_mode() {
	local rate=$SIPP_RATE best=0 c
	while [ "$rate" -le "$SIPP_RATE_MAX" ]; do
		c=$(sipp_run "$1" "$rate")
		[ "$c" -gt "$best" ] && best=$c
		[ "$c" -lt $((rate * 95 / 100)) ] && break
		rate=$((rate * 2))
	done
	echo "$best"
}

# ---- main ---------------------------------------------------------------------

want() { [[ " $BENCHES " == *" $1 "* ]]; }
# Numbers from a busy machine are lower and noisier: say how busy it was.
echo "dataplane: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
"sip_template_$SIP_TEMPLATE" >"$E2E_DIR/invite.sip" || exit 1
RTP_LINE="bench=rtp" PH_LINE="bench=pinholes"
want pinholes && bench_pinholes
want rtp && bench_rtp

FWD_LINE="bench=sip_fwd"
SIPP_LINE="bench=sipp_calls"
want sip && BENCHES="$BENCHES sip_fwd sipp"
FWD_MODES="" SIPP_MODES=""
want sip_fwd && FWD_MODES=$MODES
want sipp && SIPP_MODES=$MODES

# sip_fwd: the modes one after the other, FWD_REPS times (close in time, so
# that other load on the machine hits them alike); each mode's median.
declare -A fwd_all cpu_all
[ -n "$FWD_MODES" ] && FWD_NOW=1 BLAST_CPU=$FWD_SENDER_CPU
for rep in $(seq "${FWD_REPS:-1}"); do
	line="sip_fwd rep $rep:"
	for MODE in $FWD_MODES; do
		if ! "mode_${MODE}_up" >/dev/null 2>&1; then
			"mode_${MODE}_down" >/dev/null 2>&1
			line="$line ${MODE}=na"
			continue
		fi
		FWD_BEST=na
		# Warm-up (every mode alike): one trial at FWD_WARM_RATE, not counted.
		[ "$FWD_WARM" != 1 ] || fwd_trial "$FWD_WARM_RATE" || true
		[ "$FWD_SEARCH" = 0 ] || sip_fwd_mode
		sip_cpu_mode
		"mode_${MODE}_down" >/dev/null 2>&1
		fwd_all[$MODE]="${fwd_all[$MODE]:-} $FWD_BEST"
		cpu_all[$MODE]="${cpu_all[$MODE]:-} $CPU_NS"
		line="$line ${MODE}=$FWD_BEST (cpu ns/msg sender,daemon: ${CPU_NS/ /,})"
	done
	echo "$line"
done
FWD_NOW=0 BLAST_CPU=
# col_median C "A1 B1 A2 B2 ...": the median of the As (C=1) or the Bs (C=2).
col_median() { echo "$2" | tr ' ' '\n' | grep -v '^$' | awk -v c="$1" 'NR % 2 == c % 2' | median; }
for MODE in $FWD_MODES; do
	if [ -z "${fwd_all[$MODE]:-}" ]; then
		FWD_LINE="$FWD_LINE ${MODE}_msgs_per_s=na"
		continue
	fi
	FWD_LINE="$FWD_LINE ${MODE}_msgs_per_s=$(echo "${fwd_all[$MODE]}" | median)"
	FWD_LINE="$FWD_LINE ${MODE}_sender_ns_per_msg=$(col_median 1 "${cpu_all[$MODE]}")"
	[ "$MODE" = sipalgd ] && FWD_LINE="$FWD_LINE sipalgd_ns_per_msg=$(col_median 2 "${cpu_all[$MODE]}")"
done
if [ -n "$FWD_MODES" ]; then
	k=$(echo "$FWD_LINE" | field kernel_msgs_per_s)
	a=$(echo "$FWD_LINE" | field sipalgd_msgs_per_s)
	FWD_LINE="$FWD_LINE ratio_vs_kernel=$(ratio "${a:-0}" "${k:-0}") template=$SIP_TEMPLATE bytes=$(wc -c <"$E2E_DIR/invite.sip") fwd_trial_secs=$FWD_SECS reps=${FWD_REPS:-1}"
	echo "$FWD_LINE"
fi

for MODE in $SIPP_MODES; do
	if ! "mode_${MODE}_up" >/dev/null 2>&1; then
		echo "mode $MODE: not available"
		SIPP_LINE="$SIPP_LINE ${MODE}_cps=na"
		"mode_${MODE}_down" >/dev/null 2>&1
		continue
	fi
	c=$(sipp_mode "$MODE")
	echo "mode $MODE: sipp calls/s=$c"
	SIPP_LINE="$SIPP_LINE ${MODE}_cps=$c"
	"mode_${MODE}_down" >/dev/null 2>&1
done
[ -n "$SIPP_MODES" ] && echo "$SIPP_LINE secs=$SIPP_SECS"

# The summary bench/run.sh keeps (its last bench= line).
summary="$(echo "$RTP_LINE" | sed 's/^bench=rtp//; s/ sipalg_out_pps=.*//; s/ ratio_vs/ rtp_ratio_vs/; s/ cpu_ratio/ rtp_cpu_ratio/; s/ best_ratio/ rtp_best_ratio/')"
summary="$summary $(echo "$PH_LINE" | sed -n 's/.*\(streams_per_s=[0-9]*\).*/\1/p')"
summary="$summary $(echo "$FWD_LINE" | sed 's/^bench=sip_fwd//; s/ template=.*//')"
summary="$summary $(echo "$SIPP_LINE" | sed 's/^bench=sipp_calls//; s/ secs=.*//')"
echo "bench=dataplane $(echo "$summary" | tr -s ' ' | sed 's/^ //')"
