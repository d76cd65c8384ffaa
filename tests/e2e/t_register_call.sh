#!/bin/bash
# t_register_call.sh - register, calls both ways with RTP, an incoming call
# after the router's UDP conntrack timeout, pinholes after BYE, unregister.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
# Conntrack forgets an idle UDP flow after 4 s here (the default is 30 s;
# many home routers use 30-60 s): only the ALG's own bindings survive.
set_udp_conntrack_timeout 4
media_init
alg_up || e2e_exit

# 1. REGISTER: Contact carries the public address, Via with ;rport and
# Call-ID reach the registrar untouched, the 200's Contact is restored.
step_register reg 60
step_check register_udp
srv=$E2E_DIR/reg_srv.msg
ph=$E2E_DIR/reg_ph.msg
if is_public_hp "$REG_BINDING" && [ "$(siplog get "$srv" recv REGISTER uri_hp:Contact)" = "$REG_BINDING" ]; then
	pass register_contact_public
else
	fail register_contact_public "registrar saw Contact $(siplog get "$srv" recv REGISTER Contact), want $PUBLIC_IP:port"
fi
expect_eq register_via_rport_untouched "$(siplog get "$srv" recv REGISTER Via)" \
	"$(siplog get "$ph" sent REGISTER Via)" "Via at the registrar"
expect_eq register_callid_untouched "$(siplog get "$srv" recv REGISTER Call-ID)" \
	"$(siplog get "$ph" sent REGISTER Call-ID)" "Call-ID at the registrar"
expect_eq register_reply_contact_restored "$(siplog get "$ph" recv 200 uri_hp:Contact)" \
	"$PHONE_IP:5060" "Contact in the 200 the phone got"
binding=$REG_BINDING

# 2. Incoming call to the registered binding, RTP both ways.
step_call in1 in u1 "$NS_PHONE" "$PHONE_IP" "$SERVER_IP" "$binding"
step_check call_in_udp
rtp_check call_in_rtp_both_ways
expect_eq call_in_answer_sdp_c_public "$(siplog get "$E2E_DIR/in1_srv.msg" recv 200 sdp:c)" \
	"$PUBLIC_IP" "SDP c= of the phone's answer at the server"
expect_eq call_in_ruri_restored "$(siplog get "$E2E_DIR/in1_ph.msg" recv INVITE start)" \
	"INVITE sip:phone@$PHONE_IP:5060 SIP/2.0" "Request-URI at the phone"

# 3. Outgoing call: SDP and Contact public, the rest byte-identical.
pinhole_watch_start
step_call out1 out
step_check call_out_udp
pinhole_watch_stop
rtp_check call_out_rtp_both_ways
srv=$E2E_DIR/out1_srv.msg
ph=$E2E_DIR/out1_ph.msg
expect_eq call_out_sdp_c_public "$(siplog get "$srv" recv INVITE sdp:c)" "$PUBLIC_IP" "SDP c= at the server"
expect_eq call_out_sdp_o_public "$(siplog get "$srv" recv INVITE sdp:o)" "$PUBLIC_IP" "SDP o= at the server"
port=$(siplog get "$srv" recv INVITE sdp:m)
if [ -n "$port" ] && [ "$port" -ge "$MEDIA_MIN" ] && [ "$port" -le "$MEDIA_MAX" ]; then
	pass call_out_sdp_m_port_in_range
else
	fail call_out_sdp_m_port_in_range "m= port '$port' at the server, want $MEDIA_MIN-$MEDIA_MAX"
fi
expect_eq call_out_sdp_rtcp_public "$(siplog get "$srv" recv INVITE sdp:rtcp)" "$((port + 1)) $PUBLIC_IP" \
	"a=rtcp (RFC 3605) at the server"
expect_eq call_out_contact_public "$(siplog get "$srv" recv INVITE uri_hp:Contact | cut -d: -f1)" \
	"$PUBLIC_IP" "Contact host at the server"
for h in From To Call-ID CSeq X-Inside; do
	expect_eq "call_out_${h,,}_untouched" "$(siplog get "$srv" recv INVITE "$h")" \
		"$(siplog get "$ph" sent INVITE "$h")" "$h at the server"
done
expect_eq call_out_content_length "$(siplog get "$srv" recv INVITE clen_ok)" 1 \
	"Content-Length matches the body at the server"
if [ "$E2E_ALG" = sipalgd ]; then
	if grep -q . "$E2E_DIR/pinholes.watch"; then
		pass pinhole_open_during_call
	else
		fail pinhole_open_during_call "no element in table ip sipalg media maps while the call ran"
	fi
	sleep 0.5
	left=$(pinholes)
	if [ -z "$left" ]; then
		pass bye_leaves_no_pinhole
	else
		fail bye_leaves_no_pinhole "after BYE: $(echo "$left" | tr '\n' ';')"
	fi
fi

# 4. Wait longer than the conntrack timeout; the server calls the binding.
sleep 6
n=$(nsx "$NS_ROUTER" conntrack -L -p udp 2>/dev/null | grep -c 'port=5060')
step_call in2 in u1 "$NS_PHONE" "$PHONE_IP" "$SERVER_IP" "$binding"
step_check call_in_after_conntrack_timeout || echo "# conntrack entries for 5060 before the call: $n"
rtp_check call_in_after_conntrack_timeout_rtp

# 5. Unregister (Expires: 0): the old binding no longer reaches the phone.
step_register unreg 0
step_check unregister
expect_eq reregister_same_binding "$(siplog get "$E2E_DIR/unreg_srv.msg" recv REGISTER uri_hp:Contact)" \
	"$binding" "Contact of the second REGISTER at the registrar"
sipp_bg gone_ph "$NS_PHONE" -sf "$E2E_SCEN/call_uas.xml" -i "$PHONE_IP" -p 5060 -m 1
gone=$BG_PID
wait_listen "$NS_PHONE" 5060
SIPP_TIMEOUT=3 sipp_fg gone_srv "$NS_SERVER" -sf "$E2E_SCEN/call_uac.xml" "$binding" \
	-i "$SERVER_IP" -p 5060 -m 1 -s phone -d 100
kill "$gone" 2>/dev/null
wait "$gone" 2>/dev/null
n=$(siplog count "$E2E_DIR/gone_ph.msg" recv INVITE 2>/dev/null || echo 0)
expect_eq unregister_closes_binding "$n" 0 "INVITEs reaching the phone via the old binding $binding"

e2e_exit
