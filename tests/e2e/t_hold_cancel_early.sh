#!/bin/bash
# t_hold_cancel_early.sh - mid-dialog and early-dialog flows: re-INVITE
# hold/resume with a stable public media port, CANCEL, 183 early media,
# forking (two early dialogs with media from two addresses), and a call
# abandoned without BYE that the media timeout must clean up.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"
# The longest flow here (hold) takes about 6 s; a lost message costs the
# SIPp limit, so keep it short enough for the 60 s budget.
SIPP_TIMEOUT=${SIPP_TIMEOUT:-10}

topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
media_init
# Media timeout short enough to watch (no flow here stays silent 4 s).
alg_up "media_timeout = 4s" "media_poll_interval = 1s" || e2e_exit

no_pinholes_check() {
	[ "$E2E_ALG" = sipalgd ] || return 0
	sleep 0.5
	local left
	left=$(pinholes)
	if [ -z "$left" ]; then
		pass "$1"
	else
		fail "$1" "media map elements left: $(echo "$left" | tr '\n' ';')"
	fi
}

# 1. Hold and resume.
rtp_count_setup hold "$NS_PHONE" "$SERVER_IP"
sipp_bg hold_srv "$NS_SERVER" -sf "$E2E_SCEN/hold_uas.xml" -i "$SERVER_IP" -p 5060 \
	-mi "$SERVER_IP" -mp 6000 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_bg hold_ph "$NS_PHONE" -sf "$E2E_SCEN/hold_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
	-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob
ph=$BG_PID
ph0=
srv0=
if wait_msgs "$E2E_DIR/hold_srv.msg" recv INVITE 4 10; then
	sleep 0.3
	ph0=$(count_get "$NS_PHONE" hold_ph)
	srv0=$(count_get "$NS_SERVER" hold_srv)
fi
pair_check hold_resume_call hold_ph hold_srv "$ph" "$srv" 20
log=$E2E_DIR/hold_srv.msg
p1=$(siplog get "$log" recv INVITE sdp:m 1)
p2=$(siplog get "$log" recv INVITE sdp:m 2)
p4=$(siplog get "$log" recv INVITE sdp:m 4)
if [ -n "$p1" ] && [ "$p1" = "$p2" ] && [ "$p1" = "$p4" ]; then
	pass hold_public_port_stable
else
	fail hold_public_port_stable "m= port at the server: initial '$p1', hold '$p2', resume '$p4'"
fi
expect_eq hold_sendonly_passed "$(siplog get "$log" recv INVITE sdp:dir 2)" sendonly "direction of the hold offer"
expect_eq hold_c_zero_untouched "$(siplog get "$log" recv INVITE sdp:c 3)" 0.0.0.0 \
	"c= of the RFC 2543 hold offer at the server"
expect_eq hold_resume_sdp_c_public "$(siplog get "$log" recv INVITE sdp:c 4)" "$PUBLIC_IP" \
	"c= of the resume offer at the server"
RTP_AT_PHONE=$(($(count_get "$NS_PHONE" hold_ph) - ${ph0:-0}))
RTP_AT_SERVER=$(($(count_get "$NS_SERVER" hold_srv) - ${srv0:-0}))
if [ -z "$ph0" ]; then
	fail hold_resume_rtp_both_ways "the server never saw the resume re-INVITE"
else
	rtp_check hold_resume_rtp_both_ways
fi
no_pinholes_check hold_bye_leaves_no_pinhole

# 2. CANCEL after 180.
sipp_bg cancel_srv "$NS_SERVER" -sf "$E2E_SCEN/cancel_uas.xml" -i "$SERVER_IP" -p 5060 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_fg cancel_ph "$NS_PHONE" -sf "$E2E_SCEN/cancel_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
	-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob
rc=$?
bg_wait "$srv" 5
rc2=$?
if [ "$rc" = 0 ] && [ "$rc2" = 0 ]; then
	pass cancel_flow
else
	fail cancel_flow "$(pair_why cancel_ph cancel_srv "$rc" "$rc2")"
fi
expect_eq cancel_via_matches_invite "$(siplog get "$E2E_DIR/cancel_srv.msg" recv CANCEL Via)" \
	"$(siplog get "$E2E_DIR/cancel_srv.msg" recv INVITE Via)" "CANCEL Via vs INVITE Via at the server"
no_pinholes_check cancel_leaves_no_pinhole

# 3. 183 with SDP and early media before the 200.
step_call early out u1 "$NS_PHONE" "$PHONE_IP" "$SERVER_IP" "" call_uac early_uas
step_check early_media_call
rtp_check early_media_rtp_both_ways
no_pinholes_check early_media_leaves_no_pinhole

# 4. Forking: two 183s with different To tags; early media from both forks.
count_add "$NS_PHONE" fork_a ip saddr "$SERVER_IP2" udp sport 7000 udp dport 6000
count_add "$NS_PHONE" fork_b ip saddr "$SERVER_IP3" udp sport 7002 udp dport 6000
sipp_bg fork_srv "$NS_SERVER" -sf "$E2E_SCEN/fork_uas.xml" -i "$SERVER_IP" -p 5060 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_bg fork_ph "$NS_PHONE" -sf "$E2E_SCEN/call_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
	-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob -d 500
ph=$BG_PID
if wait_msgs "$E2E_DIR/fork_srv.msg" sent 183 2 5; then
	media=$(siplog get "$E2E_DIR/fork_srv.msg" recv INVITE sdp:c):$(siplog get "$E2E_DIR/fork_srv.msg" recv INVITE sdp:m)
	nsx "$NS_SERVER" python3 "$E2E_LIB/nettool.py" udp-send "$SERVER_IP2:7000" "$media" 25 \
		>"$E2E_DIR/fork_a.out" 2>&1 &
	a=$!
	nsx "$NS_SERVER" python3 "$E2E_LIB/nettool.py" udp-send "$SERVER_IP3:7002" "$media" 25 \
		>"$E2E_DIR/fork_b.out" 2>&1 &
	b=$!
	echo "$a $b" | tr ' ' '\n' >>"$E2E_DIR/pids"
	wait "$a" "$b"
fi
pair_check fork_call fork_ph fork_srv "$ph" "$srv" 15
expect_eq fork_two_early_dialogs "$(siplog count "$E2E_DIR/fork_ph.msg" recv 183)" 2 "183s the phone got"
na=$(count_get "$NS_PHONE" fork_a)
nb=$(count_get "$NS_PHONE" fork_b)
if [ "${na:-0}" -ge 20 ] && [ "${nb:-0}" -ge 20 ]; then
	pass fork_early_media_from_both
else
	fail fork_early_media_from_both "early media at the phone: fork A $na, fork B $nb of 25 each (to ${media:-?}; 200 sent $(siplog count "$E2E_DIR/fork_srv.msg" sent 200) times; $(cat "$E2E_DIR"/fork_[ab].out 2>/dev/null | tail -n 2 | tr '\n' ' '))"
fi
no_pinholes_check fork_leaves_no_pinhole

# 5. Both ends vanish mid-call (no BYE): after the media timeout the call
# and its pinholes are gone.
if [ "$E2E_ALG" = sipalgd ]; then
	sipp_bg dead_srv "$NS_SERVER" -sf "$E2E_SCEN/call_uas.xml" -i "$SERVER_IP" -p 5060 \
		-mi "$SERVER_IP" -mp 6000 -m 1
	srv=$BG_PID
	wait_listen "$NS_SERVER" 5060
	sipp_bg dead_ph "$NS_PHONE" -sf "$E2E_SCEN/call_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
		-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob -d 30000
	ph=$BG_PID
	wait_msgs "$E2E_DIR/dead_srv.msg" recv ACK 1 5
	sleep 1.2
	during=$(pinholes | wc -l)
	kill -KILL "$ph" "$srv" 2>/dev/null
	wait "$ph" "$srv" 2>/dev/null
	if [ "$during" -gt 0 ]; then
		pass abandoned_call_had_pinholes
	else
		fail abandoned_call_had_pinholes "no media map element while the call was up"
	fi
	# The last RTP left about 1 s after the ACK; allow the 4 s timeout, the
	# 1 s poll and some slack.  The kernel elements carry the same timeout,
	# so the daemon's own record of the call is what is checked.
	for i in $(seq 100); do
		grep -q 'event=call_end.*reason=media_timeout' "$SIPALGD_LOG" && break
		sleep 0.1
	done
	left=$(pinholes)
	if [ -z "$left" ]; then
		pass media_timeout_closes_abandoned_call
	else
		fail media_timeout_closes_abandoned_call "10 s after both ends vanished (media_timeout 4 s): $(echo "$left" | tr '\n' ';')"
	fi
	if out=$(sipalg_ctl calls 2>&1); then
		expect_eq abandoned_call_gone_from_sipalg_calls "$(echo "$out" | grep -c call_id)" 0 \
			"calls listed by sipalg calls"
	else
		fail abandoned_call_gone_from_sipalg_calls "sipalg calls failed: $(echo "$out" | tail -n 1)"
	fi
	if grep -q 'event=call_end.*reason=media_timeout' "$SIPALGD_LOG"; then
		pass abandoned_call_record_says_media_timeout
	else
		fail abandoned_call_record_says_media_timeout "no call_end with reason=media_timeout in sipalgd's log"
	fi
fi

e2e_exit
