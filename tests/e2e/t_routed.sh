#!/bin/bash
# t_routed.sh - SIP that the router does not NAT passes untouched
# (catalogue B20): a phone talks to a PBX on another routed network (a
# branch office, a VPN tunnel) that leaves by an interface other than the
# outside one.  sipalgd must not divert it: the PBX gets the phone's own
# address as source and the bytes as sent, over UDP and TCP.  The same
# INVITE to the outside server is still translated, so the check cannot
# pass because nothing runs.
#
#   phone 192.168.1.10 ── router ── wan0 ── server 203.0.113.20
#                           └──── vpn0 198.51.100.1 ── pbx 198.51.100.5
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

PBX_IP=198.51.100.5
topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
NS_PBX=sipalg-pbx-$$
E2E_NSES="$E2E_NSES $NS_PBX"
ip netns add "$NS_PBX" && ip -n "$NS_PBX" link set lo up &&
	_veth "$NS_ROUTER" vpn0 "$NS_PBX" eth0 &&
	ip -n "$NS_ROUTER" addr add 198.51.100.1/24 dev vpn0 &&
	ip -n "$NS_PBX" addr add "$PBX_IP/24" dev eth0 &&
	ip -n "$NS_PBX" route add 192.168.1.0/24 via 198.51.100.1 ||
	{ fail topology "could not add the routed network"; e2e_exit; }
alg_up || e2e_exit

sum() { sha256sum <"$1" | cut -c1-16; }

# 1. UDP to the PBX: byte-identical, from the phone's own address.
msg=$E2E_DIR/invite_pbx
python3 "$E2E_LIB/nettool.py" sip-invite "$msg" "$PHONE_IP:5060" "$PBX_IP:5060" udp
bg_start udp_pbx "$NS_PBX" python3 "$E2E_LIB/nettool.py" udp-sink "$PBX_IP:5060" \
	"$E2E_DIR/udp_at_pbx" "$E2E_DIR/udp_pbx_src"
sink=$BG_PID
wait_listen "$NS_PBX" 5060 u1
nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" udp-file "$PHONE_IP:5060" "$PBX_IP:5060" "$msg"
bg_wait "$sink" 10
expect_eq routed_udp_byte_identical "$(sum "$E2E_DIR/udp_at_pbx" 2>/dev/null)" "$(sum "$msg")" \
	"sha256 of what the PBX received vs what the phone sent"
expect_eq routed_udp_source_kept "$(cat "$E2E_DIR/udp_pbx_src" 2>/dev/null)" "$PHONE_IP:5060" \
	"source the PBX saw"

# 2. TCP to the PBX, in small segments: both directions byte-identical,
# the connection from the phone's own address.
python3 "$E2E_LIB/nettool.py" sip-invite "$msg.tcp" "$PHONE_IP:5070" "$PBX_IP:5060" TCP
count_add "$NS_PBX" tcp_from_phone ip saddr "$PHONE_IP" tcp dport 5060 tcp flags syn
bg_start tcp_pbx "$NS_PBX" python3 "$E2E_LIB/nettool.py" tcp-sink "$PBX_IP:5060" \
	"$E2E_DIR/tcp_at_pbx" 1.5 1
sink=$BG_PID
wait_listen "$NS_PBX" 5060 t1
nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" tcp-send "$PBX_IP:5060" "$msg.tcp" \
	"$E2E_DIR/tcp_back" 100 5 "$PHONE_IP:5070" >"$E2E_DIR/tcp_send.out" 2>&1
bg_wait "$sink" 10
expect_eq routed_tcp_byte_identical_out "$(sum "$E2E_DIR/tcp_at_pbx" 2>/dev/null)" "$(sum "$msg.tcp")" \
	"sha256 of what the PBX received vs what the phone sent"
expect_eq routed_tcp_byte_identical_in "$(sum "$E2E_DIR/tcp_back" 2>/dev/null)" "$(sum "$msg.tcp")" \
	"sha256 of what the phone got back vs what the PBX echoed"
expect_eq routed_tcp_source_kept "$(count_get "$NS_PBX" tcp_from_phone)" 1 \
	"SYNs at the PBX from $PHONE_IP"

# 3. Control: the same kind of INVITE to the outside server is translated.
if [ "$E2E_ALG" = sipalgd ]; then
	python3 "$E2E_LIB/nettool.py" sip-invite "$msg.out" "$PHONE_IP:5060" "$SERVER_IP:5060" udp
	bg_start udp_srv "$NS_SERVER" python3 "$E2E_LIB/nettool.py" udp-sink "$SERVER_IP:5060" \
		"$E2E_DIR/udp_at_server" "$E2E_DIR/udp_srv_src"
	sink=$BG_PID
	wait_listen "$NS_SERVER" 5060 u1
	nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" udp-file "$PHONE_IP:5060" "$SERVER_IP:5060" "$msg.out"
	bg_wait "$sink" 10
	src=$(cut -d: -f1 "$E2E_DIR/udp_srv_src" 2>/dev/null)
	if [ "$src" = "$PUBLIC_IP" ] && grep -q "^Contact: <sip:alice@$PUBLIC_IP:" "$E2E_DIR/udp_at_server"; then
		pass outside_still_translated
	else
		fail outside_still_translated "server saw source '$src'; body: $(head -c 300 "$E2E_DIR/udp_at_server" 2>/dev/null | tr '\r\n' '  ')"
	fi
fi
e2e_exit
