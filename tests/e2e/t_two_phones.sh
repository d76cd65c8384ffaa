#!/bin/bash
# t_two_phones.sh - two phones behind the same NAT, same SIP port (5060) and
# same RTP port (6000): distinct public bindings and media ports, incoming
# calls reach the right phone, and each phone hears only its own call.
# Last, a registration that is not refreshed lets its binding expire.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

topo_up 2 || { fail topology "could not build the namespaces"; e2e_exit; }
media_init
# A short registration margin so that the last check can watch a binding expire.
alg_up "register_margin = 2s" || e2e_exit

step_register reg1 60 u1 "$NS_PHONE" "$PHONE_IP"
step_check register_phone1
b1=$REG_BINDING
step_register reg2 60 u1 "$NS_PHONE2" "$PHONE2_IP"
step_check register_phone2
b2=$REG_BINDING
if [ -n "$b1" ] && [ "$b1" != "$b2" ] && is_public_hp "$b1" && is_public_hp "$b2"; then
	pass two_phones_distinct_bindings
else
	fail two_phones_distinct_bindings "phone1 registered as '$b1', phone2 as '$b2'"
fi

# The server calls phone2's binding: phone2 must get it, phone1 must not.
sipp_bg in2_ph1 "$NS_PHONE" -sf "$E2E_SCEN/call_uas.xml" -i "$PHONE_IP" -p 5060 \
	-mi "$PHONE_IP" -mp 6000 -m 1
p1=$BG_PID
step_call in2 in u1 "$NS_PHONE2" "$PHONE2_IP" "$SERVER_IP" "$b2"
step_check call_in_phone2
rtp_check call_in_phone2_rtp_both_ways
kill "$p1" 2>/dev/null
wait "$p1" 2>/dev/null
expect_eq call_in_phone2_not_phone1 "$(siplog count "$E2E_DIR/in2_ph1.msg" recv INVITE 2>/dev/null || echo 0)" 0 \
	"INVITEs for phone2's binding that reached phone1"

# Both phones call at once, both offering 6000; the servers at .20 and .21
# each play their own stream.
count_add "$NS_PHONE" own1 ip saddr "$SERVER_IP" udp dport 6000
count_add "$NS_PHONE" cross1 ip saddr "$SERVER_IP2" udp dport 6000
count_add "$NS_PHONE2" own2 ip saddr "$SERVER_IP2" udp dport 6000
count_add "$NS_PHONE2" cross2 ip saddr "$SERVER_IP" udp dport 6000
sipp_bg both_srv1 "$NS_SERVER" -sf "$E2E_SCEN/call_uas.xml" -i "$SERVER_IP" -p 5060 \
	-mi "$SERVER_IP" -mp 6000 -m 1
s1=$BG_PID
sipp_bg both_srv2 "$NS_SERVER" -sf "$E2E_SCEN/call_uas.xml" -i "$SERVER_IP2" -p 5060 \
	-mi "$SERVER_IP2" -mp 6000 -m 1
s2=$BG_PID
wait_listen "$NS_SERVER" 5060
sleep 0.3
sipp_bg both_ph1 "$NS_PHONE" -sf "$E2E_SCEN/call_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
	-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob -d 2000
c1=$BG_PID
sipp_bg both_ph2 "$NS_PHONE2" -sf "$E2E_SCEN/call_uac.xml" "$SERVER_IP2:5060" -i "$PHONE2_IP" \
	-p 5060 -mi "$PHONE2_IP" -mp 6000 -m 1 -s carol -d 2000
c2=$BG_PID
why=
for p in $c1:both_ph1 $c2:both_ph2 $s1:both_srv1 $s2:both_srv2; do
	bg_wait "${p%%:*}" 20
	rc=$?
	[ "$rc" = 0 ] || why="$why$(sipp_status "${p#*:}" "$rc"); "
done
if [ -z "$why" ]; then
	pass two_calls_at_once
else
	fail two_calls_at_once "$why"
fi
m1=$(siplog get "$E2E_DIR/both_srv1.msg" recv INVITE sdp:m)
m2=$(siplog get "$E2E_DIR/both_srv2.msg" recv INVITE sdp:m)
if [ -n "$m1" ] && [ "$m1" != "$m2" ]; then
	pass two_calls_distinct_public_media_ports
else
	fail two_calls_distinct_public_media_ports "m= ports at the servers: '$m1' and '$m2'"
fi
o1=$(count_get "$NS_PHONE" own1)
o2=$(count_get "$NS_PHONE2" own2)
x1=$(count_get "$NS_PHONE" cross1)
x2=$(count_get "$NS_PHONE2" cross2)
if [ "${o1:-0}" -ge "$RTP_MIN" ] && [ "${o2:-0}" -ge "$RTP_MIN" ] && [ "$x1" = 0 ] && [ "$x2" = 0 ]; then
	pass two_calls_each_own_audio
else
	fail two_calls_each_own_audio "phone1 got $o1 from its server and $x1 from phone2's; phone2 got $o2 from its server and $x2 from phone1's (want >= $RTP_MIN and 0)"
fi

# A registration that is not refreshed: the binding lives for the granted
# expiry plus the margin (2 s here), then no longer reaches the phone.
step_register short 2
step_check register_short_expiry
sleep 6
sipp_bg expired_ph "$NS_PHONE" -sf "$E2E_SCEN/call_uas.xml" -i "$PHONE_IP" -p 5060 -m 1
gone=$BG_PID
wait_listen "$NS_PHONE" 5060
SIPP_TIMEOUT=3 sipp_fg expired_srv "$NS_SERVER" -sf "$E2E_SCEN/call_uac.xml" "$REG_BINDING" \
	-i "$SERVER_IP" -p 5060 -m 1 -s phone -d 100
kill "$gone" 2>/dev/null
wait "$gone" 2>/dev/null
n=$(siplog count "$E2E_DIR/expired_ph.msg" recv INVITE 2>/dev/null || echo 0)
expect_eq binding_expires_with_registration "$n" 0 \
	"INVITEs reaching the phone 6 s after a 2 s registration ($REG_BINDING)"

e2e_exit
