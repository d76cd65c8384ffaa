#!/bin/bash
# t_tcp.sh - SIP transports: over TCP, register and call (sipp -t t1) and an
# INVITE split across many small TCP segments that must reach the server as
# one whole, correctly rewritten message; over UDP, an INVITE larger than
# the MTU (IP fragments) that must arrive whole and rewritten.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
media_init
alg_up || e2e_exit

step_register treg 60 t1
step_check register_tcp
if is_public_hp "$(siplog get "$E2E_DIR/treg_srv.msg" recv REGISTER uri_hp:Contact)"; then
	pass register_tcp_contact_public
else
	fail register_tcp_contact_public "registrar saw Contact $(siplog get "$E2E_DIR/treg_srv.msg" recv REGISTER Contact)"
fi
expect_eq register_tcp_via_untouched "$(siplog get "$E2E_DIR/treg_srv.msg" recv REGISTER Via)" \
	"$(siplog get "$E2E_DIR/treg_ph.msg" sent REGISTER Via)" "Via at the registrar"

step_call tout out t1
step_check call_out_tcp
rtp_check call_out_tcp_rtp_both_ways
expect_eq call_out_tcp_sdp_c_public "$(siplog get "$E2E_DIR/tout_srv.msg" recv INVITE sdp:c)" \
	"$PUBLIC_IP" "SDP c= at the server"
expect_eq call_out_tcp_content_length "$(siplog get "$E2E_DIR/tout_srv.msg" recv INVITE clen_ok)" 1 \
	"Content-Length matches the body at the server"

# An INVITE written 37 bytes at a time, 30 ms apart, with TCP_NODELAY: the
# ALG must frame it (RFC 3261 §18.3) before rewriting, and send it whole.
# The connection comes from the Contact's port (5062), as the inside endpoint.
inv=$E2E_DIR/split_invite.txt
got=$E2E_DIR/split_got.txt
python3 "$E2E_LIB/nettool.py" sip-invite "$inv" "$PHONE_IP:5062" "$SERVER_IP:5060"
bg_start split_sink "$NS_SERVER" python3 "$E2E_LIB/nettool.py" tcp-sink "$SERVER_IP:5060" "$got" 2 0
sink=$BG_PID
wait_listen "$NS_SERVER" 5060 t1
nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" tcp-send "$SERVER_IP:5060" "$inv" /dev/null 37 30 "$PHONE_IP:5062" \
	>"$E2E_DIR/split_send.out" 2>&1 &
sender=$!
echo "$sender" >>"$E2E_DIR/pids"
bg_wait "$sink" 20
wait "$sender" 2>/dev/null
if [ ! -s "$got" ]; then
	fail tcp_split_delivered "the server received nothing ($(tail -n1 "$E2E_DIR/split_sink.out"))"
else
	pass tcp_split_delivered
	expect_eq tcp_split_one_message "$(grep -c '^INVITE ' "$got")" 1 "INVITE start lines received"
	expect_eq tcp_split_content_length "$(siplog rawget "$got" clen_ok)" 1 \
		"Content-Length matches the body as received"
	expect_eq tcp_split_contact_public "$(siplog rawget "$got" uri_hp:Contact | cut -d: -f1)" \
		"$PUBLIC_IP" "Contact host as received"
	expect_eq tcp_split_sdp_c_public "$(siplog rawget "$got" sdp:c)" "$PUBLIC_IP" "SDP c= as received"
	expect_eq tcp_split_callid_untouched "$(siplog rawget "$got" Call-ID)" \
		"$(siplog rawget "$inv" Call-ID)" "Call-ID as received"
	expect_eq tcp_split_from_untouched "$(siplog rawget "$got" From)" \
		"$(siplog rawget "$inv" From)" "From as received"
fi

# A 4 kB INVITE over UDP: the phone's IP layer fragments it (MTU 1500); the
# ALG must see the reassembled datagram and send it out whole (RFC 3261
# §18.1.1 allows UDP above the MTU when the path takes it).
big=$E2E_DIR/big_invite.txt
bgot=$E2E_DIR/big_got.txt
python3 "$E2E_LIB/nettool.py" sip-invite "$big" "$PHONE_IP:5064" "$SERVER_IP:5060" udp 4000
bg_start big_sink "$NS_SERVER" python3 "$E2E_LIB/nettool.py" udp-sink "$SERVER_IP:5060" "$bgot"
sink=$BG_PID
wait_listen "$NS_SERVER" 5060
nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" udp-file "$PHONE_IP:5064" "$SERVER_IP:5060" "$big"
bg_wait "$sink" 12
if [ ! -s "$bgot" ]; then
	fail udp_fragmented_invite_delivered "nothing reached the server ($(stat -c %s "$big") bytes sent)"
else
	pass udp_fragmented_invite_delivered
	expect_eq udp_fragmented_invite_content_length "$(siplog rawget "$bgot" clen_ok)" 1 \
		"Content-Length matches the body as received ($(stat -c %s "$bgot") bytes)"
	expect_eq udp_fragmented_invite_sdp_c_public "$(siplog rawget "$bgot" sdp:c)" "$PUBLIC_IP" \
		"SDP c= as received"
	expect_eq udp_fragmented_invite_contact_public "$(siplog rawget "$bgot" uri_hp:Contact | cut -d: -f1)" \
		"$PUBLIC_IP" "Contact host as received"
fi

e2e_exit
