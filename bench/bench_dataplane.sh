#!/bin/bash
# bench_dataplane.sh - the data plane, side by side in one run, in the
# phone <-> router <-> server namespaces of tests/e2e/lib.sh (phone
# 192.168.1.10, router 192.168.1.1 / 203.0.113.1, server 203.0.113.20;
# the router always masquerades the LAN, as a home router does).
#
#   rtp         172-byte UDP (RTP, G.711 20 ms) packets/s forwarded, both
#               directions, through sipalg pinholes (media_dnat/media_snat
#               elements installed with fwctl) vs plain masquerade+conntrack.
#               Best of $REPS alternating runs of $RTP_SECS s per direction
#               (best-of, because the machine may be shared: a run can only
#               be slowed down by other load, never sped up).
#   pinholes    streams installed and removed per second, $PH_BATCH per
#               fw_commit (fwctl bench: add 50,000, delete them, repeat), in
#               wall-clock time and per CPU second of fwctl (the kernel does
#               the batch work in fwctl's context; robust against other load).
#   sip_fwd     SIP INVITEs (with SDP, each with its own Call-ID) forwarded
#               per second with zero loss, per mode; the highest rate that
#               lost nothing in a $FWD_SECS s trial (doubling, then bisection).
#   sipp_calls  SIPp's built-in uac -> uas, calls/s completed, per mode.
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
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RTP_SECS=${RTP_SECS:-1}
REPS=${REPS:-5}
PH_TOTAL=${PH_TOTAL:-100000}
PH_BATCH=${PH_BATCH:-1000}
FWD_SECS=${FWD_SECS:-0.5}
SIPP_RATE=${SIPP_RATE:-4000}
SIPP_SECS=${SIPP_SECS:-3}
MODES=${MODES:-masq kernel sipalgd}

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
topo_up || { echo "bench_dataplane: topology failed" >&2; exit 1; }
FW_ARGS=(-l "$LAN_IF" -w "$WAN_IF" -a "$PUBLIC_IP" -p 5060)

flush_ct() { nsx "$NS_ROUTER" conntrack -F >/dev/null 2>&1; }
# max A B (decimal numbers)
max() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "na" }'; }
field() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" | head -n1; }

# blast NAME RECV_NS RECV_PORT SEND_NS DST_IP DST_PORT SRC_PORT SECS RATE [TEMPLATE]
# prints "sent=N received=M pps=P" (pps at the receiver).
blast() {
	local name=$1 rns=$2 rport=$3 sns=$4 dst=$5 dport=$6 sport=$7 secs=$8 rate=$9
	local tmpl=${10:-} i sent got
	bg_start "$name" "$rns" "$BLAST" recv "$rport" "$(awk -v s="$secs" 'BEGIN { print s + 3 }')" 300
	for i in $(seq 50); do
		grep -q ready "$E2E_DIR/$name.out" 2>/dev/null && break
		sleep 0.05
	done
	# shellcheck disable=SC2086
	sent=$(nsx "$sns" "$BLAST" send "$dst" "$dport" "$sport" "$secs" 172 "$rate" $tmpl | field sent)
	bg_wait "$BG_PID" 10
	got=$(grep received "$E2E_DIR/$name.out")
	echo "sent=${sent:-0} received=$(echo "$got" | field received) pps=$(echo "$got" | field pps)"
}

# ---- modes ------------------------------------------------------------------

mode_masq_up() { flush_ct; }
mode_masq_down() { flush_ct; }
mode_kernel_up() { flush_ct; attach_kernel_sip_helper; }
mode_kernel_down() { detach_kernel_sip_helper; flush_ct; }
mode_sipalgd_up() {
	[ -x "$BUILD/sipalgd" ] || return 1
	flush_ct
	start_sipalgd
}
mode_sipalgd_down() { stop_sipalgd; flush_ct; }

# ---- rtp ----------------------------------------------------------------------

# rtp_dir MODE DIR PORT: one direction, one run; prints the receiver's pps.
# Phone port PORT; sipalg's pinhole maps it to public PORT+10000.
rtp_dir() {
	local mode=$1 dir=$2 p=$3 pub
	pub=$p
	[ "$mode" = sipalg ] && pub=$((p + 10000))
	if [ "$dir" = out ]; then
		blast "rtp_$mode$dir$p" "$NS_SERVER" 50000 "$NS_PHONE" "$SERVER_IP" 50000 "$p" "$RTP_SECS" 0 | field pps
		return
	fi
	# Inbound: masquerade needs the phone to speak first (conntrack reply
	# direction); the pinhole does not (the server's packets are DNATed).
	[ "$mode" = masq ] && nsx "$NS_PHONE" "$BLAST" send "$SERVER_IP" 50001 "$p" 0.001 172 0 >/dev/null
	blast "rtp_$mode$dir$p" "$NS_PHONE" "$p" "$NS_SERVER" "$PUBLIC_IP" "$pub" 50001 "$RTP_SECS" 0 | field pps
}

rtp_sipalg_run() { # PORT
	local p=$1 out in r
	coproc RTPFW { nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" -i 2>/dev/null; }
	echo "open" >&"${RTPFW[1]}"
	echo "add 1 $PHONE_IP $p $((p + 10000)) 60000" >&"${RTPFW[1]}"
	echo "commit" >&"${RTPFW[1]}"
	for _ in 1 2 3; do read -r -t 5 r <&"${RTPFW[0]}"; done
	out=$(rtp_dir sipalg out "$p")
	in=$(rtp_dir sipalg in "$p")
	echo "close" >&"${RTPFW[1]}"
	read -r -t 5 r <&"${RTPFW[0]}"
	exec {RTPFW[1]}>&-
	wait "$RTPFW_PID" 2>/dev/null
	flush_ct
	echo "$out $in"
}

bench_rtp() {
	local rep p masq_out=0 masq_in=0 sip_out=0 sip_in=0 o i sipalg masq
	for rep in $(seq "$REPS"); do
		p=$((30000 + rep * 10))
		flush_ct
		o=$(rtp_dir masq out "$p")
		i=$(rtp_dir masq in $((p + 1)))
		flush_ct
		masq_out=$(max "$masq_out" "${o:-0}")
		masq_in=$(max "$masq_in" "${i:-0}")
		read -r o i <<<"$(rtp_sipalg_run $((p + 2)))"
		sip_out=$(max "$sip_out" "${o:-0}")
		sip_in=$(max "$sip_in" "${i:-0}")
		echo "rtp rep $rep: masq out=$masq_out in=$masq_in  sipalg out=$sip_out in=$sip_in (best so far)"
	done
	masq=$(awk -v a="$masq_out" -v b="$masq_in" 'BEGIN { printf "%.0f", (a + b) / 2 }')
	sipalg=$(awk -v a="$sip_out" -v b="$sip_in" 'BEGIN { printf "%.0f", (a + b) / 2 }')
	RTP_LINE="bench=rtp sipalg_pps=$sipalg masq_pps=$masq ratio_vs_masq=$(ratio "$sipalg" "$masq") sipalg_out_pps=$sip_out sipalg_in_pps=$sip_in masq_out_pps=$masq_out masq_in_pps=$masq_in size=172 secs=$RTP_SECS reps=$REPS"
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

sip_template() {
	local sdp body
	sdp=$(printf 'v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n' \
		"$PHONE_IP" "$PHONE_IP"; echo x)
	body=${sdp%x}
	printf 'INVITE sip:bob@%s SIP/2.0\r\nVia: SIP/2.0/UDP %s:5060;branch=z9hG4bK-SEQ#####\r\nMax-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=SEQ#####\r\nTo: <sip:bob@%s>\r\nCall-ID: SEQ#####@bench\r\nCSeq: 1 INVITE\r\nContact: <sip:alice@%s:5060>\r\nContent-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s' \
		"$SERVER_IP" "$PHONE_IP" "$SERVER_IP" "$PHONE_IP" "${#body}" "$body"
}

# fwd_trial RATE: 0 if nothing was lost at RATE msgs/s; sets FWD_SENT.
fwd_trial() {
	local r s g
	r=$(blast "fwd$1" "$NS_SERVER" 5060 "$NS_PHONE" "$SERVER_IP" 5060 5060 "$FWD_SECS" "$1" "$E2E_DIR/invite.sip")
	s=$(echo "$r" | field sent)
	g=$(echo "$r" | field received)
	FWD_SENT=${s:-0}
	[ "${s:-0}" -gt 0 ] && [ "${g:-0}" -ge "$s" ]
}

# Highest zero-loss rate: double from 1000, then bisect 4 times.
sip_fwd_mode() {
	local lo=0 hi=0 rate=1000 mid k
	while [ "$rate" -le 512000 ]; do
		if fwd_trial "$rate"; then
			lo=$(awk -v s="$FWD_SENT" -v t="$FWD_SECS" 'BEGIN { printf "%.0f", s / t }')
			[ "$lo" -lt $((rate * 9 / 10)) ] && break # the sender is the limit
			rate=$((rate * 2))
		else
			hi=$rate
			break
		fi
	done
	if [ "$hi" -gt 0 ]; then
		lo=$((hi / 2))
		for k in 1 2 3 4; do
			mid=$(((lo + hi) / 2))
			if fwd_trial "$mid"; then lo=$mid; else hi=$mid; fi
		done
	fi
	echo "$lo"
}

# ---- sipp ---------------------------------------------------------------------

sipp_mode() { # MODE: completed calls per second
	local name=sipp_$1 t0 t1 ok uas
	bg_start "${name}_uas" "$NS_SERVER" env -C "$E2E_DIR" timeout -k 2 $((SIPP_SECS + 12)) \
		sipp -sn uas -i "$SERVER_IP" -p 5060 -buff_size 4194304 -nostdin
	uas=$BG_PID
	sleep 0.3
	t0=$(date +%s.%N)
	# SIPp may keep waiting for calls that lost a message after -timeout;
	# SIGINT makes it print its final screen and quit.
	nsx "$NS_PHONE" env -C "$E2E_DIR" timeout -s INT -k 2 $((SIPP_SECS + 8)) \
		sipp -sn uac "$SERVER_IP:5060" -i "$PHONE_IP" -p 5060 -r "$SIPP_RATE" \
		-m $((SIPP_RATE * SIPP_SECS)) -l $((SIPP_RATE * 2)) -buff_size 4194304 -nostdin \
		>"$E2E_DIR/$name.out" 2>&1
	t1=$(date +%s.%N)
	kill "$uas" 2>/dev/null
	wait "$uas" 2>/dev/null
	ok=$(sed -n 's/^ *Successful call *|.*| *\([0-9]*\) *$/\1/p' "$E2E_DIR/$name.out" | tail -n1)
	awk -v n="${ok:-0}" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }'
}

# ---- main ---------------------------------------------------------------------

sip_template >"$E2E_DIR/invite.sip"
bench_pinholes
bench_rtp

FWD_LINE="bench=sip_fwd"
SIPP_LINE="bench=sipp_calls"
for m in $MODES; do
	if ! "mode_${m}_up" >/dev/null 2>&1; then
		echo "mode $m: not available"
		FWD_LINE="$FWD_LINE ${m}_msgs_per_s=na"
		SIPP_LINE="$SIPP_LINE ${m}_cps=na"
		"mode_${m}_down" >/dev/null 2>&1
		continue
	fi
	f=$(sip_fwd_mode)
	c=$(sipp_mode "$m")
	echo "mode $m: zero-loss INVITEs/s=$f sipp calls/s=$c"
	FWD_LINE="$FWD_LINE ${m}_msgs_per_s=$f"
	SIPP_LINE="$SIPP_LINE ${m}_cps=$c"
	"mode_${m}_down" >/dev/null 2>&1
done
echo "$FWD_LINE fwd_trial_secs=$FWD_SECS"
echo "$SIPP_LINE rate=$SIPP_RATE calls=$((SIPP_RATE * SIPP_SECS))"

# The summary bench/run.sh keeps (its last bench= line).
echo "bench=dataplane $(echo "$RTP_LINE" | sed 's/^bench=rtp //; s/ sipalg_out_pps=.*//; s/ratio_vs_masq/rtp_ratio_vs_masq/') streams_per_s=$(echo "$PH_LINE" | field streams_per_s) ${FWD_LINE#bench=sip_fwd } ${SIPP_LINE#bench=sipp_calls }"
