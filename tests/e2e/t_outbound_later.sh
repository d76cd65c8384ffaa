#!/bin/bash
# t_outbound_later.sh - a call the phone places gets only the inbound half
# of its pinholes (media_dnat) with the INVITE; the first 18x/2xx from
# outside adds the outbound half (media_snat) before it reaches the phone
# (docs/rewrite-rules.md R6, docs/dataplane.md).  A 100 Trying does not.
# A CANCEL before any answer leaves no element behind, and no firewall
# error.  sipalgd only: the maps are its own.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"
SIPP_TIMEOUT=${SIPP_TIMEOUT:-15}

if [ "$E2E_ALG" != sipalgd ]; then
	echo "t_outbound_later: sipalgd's maps only (E2E_ALG=$E2E_ALG)" >&2
	e2e_exit
fi
topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
media_init
alg_up || e2e_exit

# elems MAP: how many elements MAP has now (each says when it expires).
elems() { nsx "$NS_ROUTER" nft list map ip sipalg "$1" 2>/dev/null | grep -o ' expires ' | wc -l; }

# expect_elems NAME DNAT SNAT WHEN: the maps hold DNAT and SNAT elements.
expect_elems() {
	local d s
	d=$(elems media_dnat)
	s=$(elems media_snat)
	if [ "$d" = "$2" ] && [ "$s" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$4: media_dnat $d, media_snat $s elements (want $2, $3): $(nsx "$NS_ROUTER" nft list map ip sipalg media_snat | tr -s '\n\t' '  ')"
	fi
}

# 1. INVITE (RTP 6000, RTCP 6001), 100 at once, 180 1.5 s later, 200 1.5 s
# after that.
rtp_count_setup late "$NS_PHONE" "$SERVER_IP"
sipp_bg late_srv "$NS_SERVER" -sf "$E2E_SCEN/late_uas.xml" -i "$SERVER_IP" -p 5060 \
	-mi "$SERVER_IP" -mp 6000 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_bg late_ph "$NS_PHONE" -sf "$E2E_SCEN/call_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
	-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob -d 2000
ph=$BG_PID
if wait_msgs "$E2E_DIR/late_ph.msg" recv 100 1 5; then
	sleep 0.3
	expect_elems before_answer_inbound_only 2 0 "after the 100 Trying, before the 180"
else
	fail before_answer_inbound_only "the phone got no 100 Trying"
fi
if wait_msgs "$E2E_DIR/late_ph.msg" recv 180 1 5; then
	sleep 0.3
	expect_elems after_180_both_halves 2 2 "after the 180, before the 200"
else
	fail after_180_both_halves "the phone got no 180"
fi
pair_check late_answer_call late_ph late_srv "$ph" "$srv" 20
sleep 0.2
RTP_AT_PHONE=$(count_get "$NS_PHONE" late_ph)
RTP_AT_SERVER=$(count_get "$NS_SERVER" late_srv)
rtp_check late_answer_rtp_both_ways
# The call record sums the counter sets: both directions counted.
rec=$(grep 'event=call_end' "$SIPALGD_LOG" | tail -n 1)
pin=$(echo "$rec" | sed -n 's/.* pkts_in=\([0-9]*\).*/\1/p')
pout=$(echo "$rec" | sed -n 's/.* pkts_out=\([0-9]*\).*/\1/p')
if [ "${pin:-0}" -ge "$RTP_MIN" ] && [ "${pout:-0}" -ge "$RTP_MIN" ]; then
	pass late_answer_counters_both_ways
else
	fail late_answer_counters_both_ways "call_end record: pkts_in='$pin' pkts_out='$pout' (need >= $RTP_MIN): $rec"
fi
sleep 0.3
expect_elems late_answer_bye_leaves_no_element 0 0 "after the BYE"

# 2. CANCEL before any 18x/2xx: only media_dnat elements existed (RTP
# and RTCP: the offer's port + 1, RFC 3550 §11).
sipp_bg early_srv "$NS_SERVER" -sf "$E2E_SCEN/cancel_early_uas.xml" -i "$SERVER_IP" -p 5060 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_bg early_ph "$NS_PHONE" -sf "$E2E_SCEN/cancel_early_uac.xml" "$SERVER_IP:5060" \
	-i "$PHONE_IP" -p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob
ph=$BG_PID
if wait_msgs "$E2E_DIR/early_ph.msg" recv 100 1 5; then
	sleep 0.3
	expect_elems cancel_early_inbound_only 2 0 "after the 100 Trying, before the CANCEL"
else
	fail cancel_early_inbound_only "the phone got no 100 Trying"
fi
pair_check cancel_early_flow early_ph early_srv "$ph" "$srv" 15
sleep 0.3
expect_elems cancel_early_leaves_no_element 0 0 "after the CANCEL and 487"
errs=$(grep -c 'event=fw_error\|event=fw_commit' "$SIPALGD_LOG")
expect_eq no_firewall_errors "$errs" 0 "fw_error/fw_commit lines in sipalgd's log"

e2e_exit
