#!/bin/bash
# t_kamailio.sh - real SIP software through sipalgd: Kamailio (Debian's
# kamailio package) as registrar and proxy on the server, baresip as the
# phones.  Cases: the registrar's location table holds the public binding
# and still sees the phone as NATed; calls in and out through Kamailio
# with RTP both ways, each stream's media from ports P and P+1 only; an
# incoming call after the router's UDP conntrack timeout; a call between
# two phones behind the router (media hairpinned); a phone
# registered and called over TCP; re-registration refreshes keep the
# public port; Expires: 0 removes the binding and Kamailio then answers
# 404.  docs/testing.md ("Real software") lists what fails today and why.
#
#   phone  (baresip, sip:phone,  192.168.1.10:5060, registers every 300 s)
#   phone2 (baresip, sip:phone2, 192.168.1.11:5060, every 8 s: refreshes)
#   phonet (baresip, sip:phonet, 192.168.1.11:5062 over TCP)
#   server: Kamailio 203.0.113.20:5060 UDP+TCP; baresip sip:alice on
#           203.0.113.20:5070 (registered, not behind NAT)
# All baresips auto-answer, send a 440 Hz sine wave (G.711) and count as
# heard what nft counts at their namespace's input.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/realua_lib.sh"

UA_RTP=10000-10099	# baresip's rtp_ports (tests/e2e/baresip/config)
CALL_SECS=${CALL_SECS:-3}
RTP_MIN_UA=$((CALL_SECS * 50 / 2))	# 20 ms packets: half of them at least

for p in kamailio kamcmd baresip; do
	if ! command -v "$p" >/dev/null; then
		fail prerequisites "$p is not installed (make deps installs TEST_DEBS)"
		e2e_exit
	fi
done

topo_up 2 || { fail topology "could not build the namespaces"; e2e_exit; }
# Conntrack forgets an idle UDP flow after 5 s here: only the ALG's own
# binding can carry a call that arrives later.
set_udp_conntrack_timeout 5
alg_up || e2e_exit
if ! kam_start "$NS_SERVER" "$SERVER_IP"; then
	fail kamailio_start "$(tail -n 3 "$E2E_DIR/kamailio.out" | tr '\n' ' ')"
	e2e_exit
fi
for ua in "alice $NS_SERVER $SERVER_IP:5070 alice 300" \
	"phone $NS_PHONE $PHONE_IP:5060 phone 300" \
	"phone2 $NS_PHONE2 $PHONE2_IP:5060 phone2 8" \
	"phonet $NS_PHONE2 $PHONE2_IP:5062 phonet 300 tcp 4445"; do
	# shellcheck disable=SC2086
	if ! ua_start $ua; then
		fail baresip_start "${ua%% *}: no ctrl_tcp session; $(tail -n 2 "$E2E_DIR/${ua%% *}.out" | tr '\n' ' ')"
		e2e_exit
	fi
done

# rtp_rtcp_ports "P [Q]": one port, or two with Q = P + 1 - what a
# stream's RTP and RTCP (RFC 3550 section 11) look like after any NAT
# that keeps them together.
rtp_rtcp_ports() {
	# shellcheck disable=SC2086  # split the list on purpose
	set -- $1
	[ $# = 1 ] && return 0
	[ $# = 2 ] && [ "$2" = $(($1 + 1)) ]
}

# hp URI: host:port of a SIP URI (port 5060 if absent).
hp() {
	local u=${1#*:}
	u=${u#*@}
	u=${u%%;*}
	u=${u%%>*}
	case $u in *:*) echo "$u" ;; *) echo "$u:5060" ;; esac
}

# wait_binding AOR [SECS]: until AOR has a binding; BIND = its line.
wait_binding() {
	for _ in $(seq $((${2:-5} * 10))); do
		BIND=$(kam_contacts "$1" | head -n1)
		[ -n "$BIND" ] && return 0
		sleep 0.1
	done
	return 1
}

# shellcheck disable=SC2034  # CALL_WHY etc. are read by call_check
# ua_call NAME FROM TO_UA TO_USER NS_FROM NS_TO SRC_AT_FROM SRC_AT_TO:
# FROM dials sip:TO_USER@server through Kamailio; TO_UA auto-answers;
# both must report the call established, FROM hangs up after CALL_SECS,
# TO_UA must see it closed; each side's namespace must have received
# >= RTP_MIN_UA RTP packets from the expected source address.
ua_call() {
	local name=$1 from=$2 to=$3 user=$4 nsf=$5 nst=$6 srcf=$7 srct=$8 mf mt a b
	CALL_WHY=
	count_add "$nsf" "${name}_f" ip saddr "$srcf" udp dport "$UA_RTP" || return 1
	count_add "$nst" "${name}_t" ip saddr "$srct" udp dport "$UA_RTP" || return 1
	mf=$(ua_ev_lines "$from")
	mt=$(ua_ev_lines "$to")
	ua_cmd "$from" dial "sip:$user@$SERVER_IP" >/dev/null
	if ! ua_wait_event "$to" CALL_ESTABLISHED 8 "$mt" >/dev/null; then
		CALL_WHY="$to never answered: $(ua_wait_event "$from" CALL_CLOSED 1 "$mf" |
			sed -n 's/.*"param": "\([^"]*\)".*/\1/p')"
		ua_cmd "$from" hangup >/dev/null
		return 1
	fi
	ua_wait_event "$from" CALL_ESTABLISHED 3 "$mf" >/dev/null ||
		CALL_WHY="$from never saw the call established"
	# The source ports media arrives from at each end, from half a second
	# after the answer: a packet the callee sent before its 200 OK (before
	# any pinhole could exist) has left through masquerade whatever the
	# ALG does; what must not happen is that its mapping outlives the
	# pinhole (sipalgd flushes it, fw.h), which shows here as media from a
	# third port for the rest of the call.
	sleep 0.5
	port_set_add "$nsf" "${name}_fp" ip saddr "$srcf" udp dport "$UA_RTP" || return 1
	port_set_add "$nst" "${name}_tp" ip saddr "$srct" udp dport "$UA_RTP" || return 1
	sleep "$CALL_SECS"
	ua_cmd "$from" hangup >/dev/null
	ua_wait_event "$to" CALL_CLOSED 5 "$mt" >/dev/null ||
		CALL_WHY="${CALL_WHY:+$CALL_WHY; }the BYE never reached $to"
	a=$(count_get "$nsf" "${name}_f")
	b=$(count_get "$nst" "${name}_t")
	CALL_RTP="RTP packets received: $from ${a:-0} from $srcf, $to ${b:-0} from $srct (need >= $RTP_MIN_UA)"
	[ "${a:-0}" -ge "$RTP_MIN_UA" ] && [ "${b:-0}" -ge "$RTP_MIN_UA" ] || CALL_RTP_BAD=1
	a=$(port_set_get "$nsf" "${name}_fp")
	b=$(port_set_get "$nst" "${name}_tp")
	CALL_PORTS="media source ports seen: at $from from $srcf {$a}, at $to from $srct {$b}; want P or P,P+1 (RTP, RTCP) at each"
	rtp_rtcp_ports "$a" && rtp_rtcp_ports "$b" || CALL_PORTS_BAD=1
	nsx "$NS_ROUTER" conntrack -L -p udp >"$E2E_DIR/$name.conntrack" 2>/dev/null
	[ -z "$CALL_WHY" ]
}

call_check() { # call_check NAME: PASS/FAIL for signalling, RTP, ports
	local rc=$?
	if [ "$rc" = 0 ]; then
		pass "$1"
	else
		fail "$1" "${CALL_WHY:-failed}"
	fi
	if [ "$rc" = 0 ] && [ -z "${CALL_RTP_BAD:-}" ]; then
		pass "$1_rtp_both_ways"
	else
		fail "$1_rtp_both_ways" "${CALL_RTP:-no call}"
	fi
	# Each end receives a stream's RTP and RTCP from ports P and P+1
	# only: a packet that raced the pinhole (sent before the ALG saw the
	# SDP) must not leave a conntrack mapping that outlives it.
	if [ "$rc" = 0 ] && [ -z "${CALL_PORTS_BAD:-}" ]; then
		pass "$1_media_ports"
	else
		fail "$1_media_ports" "${CALL_PORTS:-no call}"
	fi
	CALL_RTP_BAD=
	CALL_RTP=
	CALL_PORTS_BAD=
	CALL_PORTS=
}

# 1. REGISTER through sipalgd: the location table holds Contact
# 203.0.113.1:P and the received (source) address 203.0.113.1:P - one
# binding, used both ways; the registrar still detects the NAT from the
# untouched Via (nat_uac_test), i.e. sipalgd does not hide it.
if wait_binding phone 5; then
	read -r contact received _ <<<"$BIND"
	chp=$(hp "$contact")
	rhp=$(hp "$received")
	if [ "${chp%:*}" = "$PUBLIC_IP" ] && [ "$rhp" = "$chp" ]; then
		pass register_location_public_binding
	else
		fail register_location_public_binding "location: Contact $contact received $received, want both $PUBLIC_IP:port, same port"
	fi
else
	fail register_location_public_binding "no binding for phone in ul.dump after 5 s; kamailio: $(grep -m1 'phone' "$E2E_DIR/kamailio.out")"
fi
natline=$(grep -m1 "NAT: REGISTER from $PUBLIC_IP:" "$E2E_DIR/kamailio.out")
case $natline in
*"Via $PHONE_IP:5060"*) pass register_registrar_sees_nat ;;
*) fail register_registrar_sees_nat "no 'NAT: REGISTER from $PUBLIC_IP:... Via $PHONE_IP:5060' in kamailio.out (got '${natline:-nothing}')" ;;
esac
wait_binding alice 3 || fail register_alice "alice (server side) never registered"
wait_binding phone2 3
read -r c0 r0 _ id0 cs0 <<<"$BIND"

# 2. alice calls the phone through Kamailio (lookup -> the binding).
ua_call in1 alice phone phone "$NS_SERVER" "$NS_PHONE" "$PUBLIC_IP" "$SERVER_IP"
call_check call_in_via_kamailio

# 3. The phone calls alice through Kamailio.
ua_call out1 phone alice alice "$NS_PHONE" "$NS_SERVER" "$SERVER_IP" "$PUBLIC_IP"
call_check call_out_via_kamailio

# 4. Idle longer than the router's UDP conntrack timeout (5 s), then an
# incoming call: only the binding created by the registration remains.
sleep 7
ua_call in2 alice phone phone "$NS_SERVER" "$NS_PHONE" "$PUBLIC_IP" "$SERVER_IP"
call_check call_in_after_conntrack_timeout

# 4b. Over TCP: phonet (phone2's namespace, port 5062) registered through
# sipalgd's TCP proxy; Kamailio reaches it through that binding.
if wait_binding phonet 3; then
	read -r tc tr _ <<<"$BIND"
	case $tc in
	*@"$PUBLIC_IP":*transport=tcp*) pass register_tcp_location_public_binding ;;
	*) fail register_tcp_location_public_binding "location: Contact $tc received $tr, want $PUBLIC_IP:port;transport=tcp" ;;
	esac
else
	fail register_tcp_location_public_binding "no binding for phonet in ul.dump; kamailio: $(grep -m1 'phonet' "$E2E_DIR/kamailio.out")"
fi
ua_call tin1 alice phonet phonet "$NS_SERVER" "$NS_PHONE2" "$PUBLIC_IP" "$SERVER_IP"
call_check call_in_tcp_via_kamailio

# 4c. Hairpin: phone calls phone2, both behind this router, through
# Kamailio on the outside (an office on a hosted PBX without a media
# relay).  Each SDP carries the router's public address, so each phone
# sends its RTP to 203.0.113.1 from the LAN: the pinhole's DNAT must apply
# to it too, and the SNAT to the sender's own public mapping, so that each
# phone receives media from the address the other's SDP named.
ua_call hair1 phone phone2 phone2 "$NS_PHONE" "$NS_PHONE2" "$PUBLIC_IP" "$PUBLIC_IP"
call_check call_hairpin_via_kamailio

# 5. phone2 registers every 8 s (the refresh comes 7.2 s after the last,
# after the conntrack entry is gone): same Call-ID, higher CSeq, the same
# public Contact (not phone's) and the same received address, if any,
# equal to it.
read -r c1 r1 _ id1 cs1 <<<"$(kam_contacts phone2 | head -n1)"
if [ -z "$c0" ] || [ -z "$c1" ]; then
	fail reregister_same_public_port "phone2 binding missing (first '$c0', now '$c1')"
elif [ "$id1" != "$id0" ] || [ "${cs1:-0}" -le "${cs0:-0}" ]; then
	fail reregister_same_public_port "no refresh seen: Call-ID $id0 -> $id1, CSeq $cs0 -> $cs1"
elif [ "$(hp "$c1")" = "$(hp "$c0")" ] && [ "${c1#*@}" != "${contact#*@}" ] &&
	[ "${c1#*@}" != "${c1#*@"$PUBLIC_IP":}" ] && [ "$r1" = "$r0" ] &&
	{ [ "$r1" = - ] || [ "$(hp "$r1")" = "$(hp "$c1")" ]; }; then
	pass reregister_same_public_port
else
	fail reregister_same_public_port "CSeq $cs0 -> $cs1: Contact $c0 -> $c1, received $r0 -> $r1 (phone has $contact)"
fi

# 6. The phone unregisters (baresip's uadel sends REGISTER Expires: 0):
# the binding leaves the location table, a call to it gets 404 from
# Kamailio and no SIP reaches the phone any more.
ua_cmd phone uadel "sip:phone@$SERVER_IP" >/dev/null
for _ in $(seq 30); do
	[ -z "$(kam_contacts phone)" ] && break
	sleep 0.1
done
left=$(kam_contacts phone)
unreg=$(grep -m1 "REGISTER saved: sip:phone@$SERVER_IP Contact .*@$PUBLIC_IP:[0-9]*>;expires=0" \
	"$E2E_DIR/kamailio.out")
if [ -n "$left" ]; then
	fail unregister_removes_binding "phone still in the location table: $left"
elif [ -z "$unreg" ]; then
	fail unregister_removes_binding "binding gone but Kamailio logged no REGISTER ...@$PUBLIC_IP:port;expires=0 for phone"
else
	pass unregister_removes_binding
fi
count_add "$NS_PHONE" sip_after_unreg udp dport 5060
m=$(ua_ev_lines alice)
ua_cmd alice dial "sip:phone@$SERVER_IP" >/dev/null
closed=$(ua_wait_event alice CALL_CLOSED 5 "$m" | sed -n 's/.*"param": "\([^"]*\)".*/\1/p')
sleep 0.3
n=$(count_get "$NS_PHONE" sip_after_unreg)
case $closed in
404*)
	if [ "${n:-0}" = 0 ]; then
		pass call_after_unregister_404
	else
		fail call_after_unregister_404 "alice got $closed but $n SIP packets reached the phone"
	fi
	;;
*) fail call_after_unregister_404 "alice's call ended with '${closed:-nothing in 5 s}', want 404 from Kamailio" ;;
esac
ua_cmd alice hangup >/dev/null 2>&1

ua_stop_all
e2e_exit
