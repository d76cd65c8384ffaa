#!/bin/bash
# t_fw.sh - the firewall backend (src/daemon/fw.h) in real namespaces,
# driven by $BUILD/tests/e2e/fwctl: the exact ruleset and policy routing
# fw_open creates, tproxy diversion (UDP and TCP 5060, never 5061), media
# pinholes carrying real UDP both ways with counters, deletion, kernel
# expiry, refresh, leftover cleanup, fw_close, and the kernel SIP helper
# check.  Root only; the topology is tests/e2e/lib.sh's.
set -u
. "$(dirname "$0")/lib.sh"

FWCTL=$BUILD/tests/e2e/fwctl
SOCK=(python3 "$E2E_LIB/fw_sock.py")
GOLDEN=$E2E_LIB/golden/fw_open.nft

if [ ! -x "$FWCTL" ]; then
	fail fw_build "$FWCTL is not built (needs libmnl-dev, libnftnl-dev)"
	e2e_exit
fi
topo_up || { fail fw_topology "could not build the namespaces"; e2e_exit; }

FW_ARGS=(-l "$LAN_IF" -w "$WAN_IF" -a "$PUBLIC_IP" -p 5060 -p 5061)

# One long-lived fwctl in the router; fw CMD... sends a command, prints
# fwctl's one-line answer.
coproc FW { nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" -i 2>"$E2E_DIR/fwctl.err"; }
fw() {
	local line=""
	echo "$*" >&"${FW[1]}"
	read -r -t 10 line <&"${FW[0]}"
	echo "$line"
}

expect_ok() { # NAME CMD...
	local name=$1 r
	shift
	r=$(fw "$@")
	case $r in
	ok*) return 0 ;;
	*) fail "$name" "fwctl $*: ${r:-no answer} $(tail -n 2 "$E2E_DIR/fwctl.err" | tr '\n' ' ')"; return 1 ;;
	esac
}

router_nft() { nsx "$NS_ROUTER" nft "$@"; }
fwmark_rules() { nsx "$NS_ROUTER" ip rule | grep -c 'fwmark 0x5a lookup 100'; }

# Waits until background output file $1 has a line "ready".
wait_ready() {
	local _
	for _ in $(seq 50); do
		grep -q '^ready' "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---- fw_open: ruleset and routing ------------------------------------------

check_ruleset() { # NAME
	sed "s/@LAN@/$LAN_IF/g; s/@WAN@/$WAN_IF/g" "$GOLDEN" >"$E2E_DIR/want.nft"
	router_nft list table ip sipalg >"$E2E_DIR/got.nft" 2>&1
	if diff -u "$E2E_DIR/want.nft" "$E2E_DIR/got.nft" >"$E2E_DIR/ruleset.diff"; then
		pass "$1"
	else
		fail "$1" "ruleset differs: $(head -c 600 "$E2E_DIR/ruleset.diff" | tr '\n' '|')"
	fi
}

check_routing() { # NAME
	local routes
	routes=$(nsx "$NS_ROUTER" ip route show table 100)
	if [ "$(fwmark_rules)" = 1 ] && [ "${routes%% }" = "local default dev lo scope host" ]; then
		pass "$1"
	else
		fail "$1" "ip rule: $(nsx "$NS_ROUTER" ip rule | tr '\n' '|') table 100: $routes"
	fi
}

expect_ok fw_open open && check_ruleset fw_open_ruleset_golden
check_routing fw_open_policy_routing

# ---- tproxy -----------------------------------------------------------------

bg_start tp_udp "$NS_ROUTER" "${SOCK[@]}" tproxy-udp 5060 3
bg_start srv5060 "$NS_SERVER" "${SOCK[@]}" udp-recv 5060 3
bg_start srv5061 "$NS_SERVER" "${SOCK[@]}" udp-recv 5061 3
wait_ready "$E2E_DIR/tp_udp.out" && wait_ready "$E2E_DIR/srv5060.out" &&
	wait_ready "$E2E_DIR/srv5061.out"
nsx "$NS_PHONE" "${SOCK[@]}" udp-send 5060 "$SERVER_IP" 5060 hello5060
nsx "$NS_PHONE" "${SOCK[@]}" udp-send 5062 "$SERVER_IP" 5061 hello5061
sleep 0.3
if grep -q "from=$PHONE_IP:5060 origdst=$SERVER_IP:5060 data=hello5060" "$E2E_DIR/tp_udp.out" &&
	! grep -q hello5060 "$E2E_DIR/srv5060.out"; then
	pass tproxy_udp_5060_diverted
else
	fail tproxy_udp_5060_diverted "router got: $(tr '\n' '|' <"$E2E_DIR/tp_udp.out") server got: $(tr '\n' '|' <"$E2E_DIR/srv5060.out")"
fi
if grep -q hello5061 "$E2E_DIR/srv5061.out" && ! grep -q hello5061 "$E2E_DIR/tp_udp.out"; then
	pass tproxy_5061_not_diverted
else
	fail tproxy_5061_not_diverted "server 5061 got: $(tr '\n' '|' <"$E2E_DIR/srv5061.out")"
fi

bg_start tp_tcp "$NS_ROUTER" "${SOCK[@]}" tproxy-tcp 5060 3
wait_ready "$E2E_DIR/tp_tcp.out"
reply=$(nsx "$NS_PHONE" "${SOCK[@]}" tcp-send "$SERVER_IP" 5060 hellotcp 2>&1)
sleep 0.2
if [ "$reply" = "echo:hellotcp" ] && grep -q "local=$SERVER_IP:5060 data=hellotcp" "$E2E_DIR/tp_tcp.out"; then
	pass tproxy_tcp_5060_diverted
else
	fail tproxy_tcp_5060_diverted "reply '$reply', router: $(tr '\n' '|' <"$E2E_DIR/tp_tcp.out")"
fi

# The daemon's own TCP connection towards a phone, from the server's address
# and a port that is not a SIP port: the phone's answers reach the router's
# transparent socket only through the `socket transparent 1` rule.
bg_start ph_tcp "$NS_PHONE" "${SOCK[@]}" tcp-listen 5090 3
wait_ready "$E2E_DIR/ph_tcp.out"
reply=$(nsx "$NS_ROUTER" "${SOCK[@]}" tproxy-connect "$SERVER_IP" 5080 "$PHONE_IP" 5090 fromrouter 2>&1)
sleep 0.2
if [ "$reply" = "echo:fromrouter" ] && grep -q "from=$SERVER_IP:5080 data=fromrouter" "$E2E_DIR/ph_tcp.out"; then
	pass tcp_transparent_socket_return_path
else
	fail tcp_transparent_socket_return_path "reply '$reply', phone: $(tr '\n' '|' <"$E2E_DIR/ph_tcp.out")"
fi

# ---- pinholes -----------------------------------------------------------------

map_has() { # MAP PATTERN
	router_nft list map ip sipalg "$1" | grep -q "$2"
}

expect_ok pinhole_add add 1 "$PHONE_IP" 30000 41000 20000 &&
	expect_ok pinhole_add add 2 "$PHONE_IP" 30002 41002 20000 &&
	expect_ok pinhole_add commit
if map_has media_dnat "$PUBLIC_IP . 41000 timeout 20s expires .* : $PHONE_IP . 30000" &&
	map_has media_snat "$PHONE_IP . 30000 timeout 20s expires .* : $PUBLIC_IP . 41000"; then
	pass pinhole_elements_with_timeout
else
	fail pinhole_elements_with_timeout "$(router_nft list table ip sipalg | grep elements | tr '\n' '|')"
fi

# Server sends first: outside -> public:41000 must reach the phone's :30000.
bg_start ph30000 "$NS_PHONE" "${SOCK[@]}" udp-recv 30000 3 3
bg_start srv50000 "$NS_SERVER" "${SOCK[@]}" udp-recv 50000 3 3
wait_ready "$E2E_DIR/ph30000.out" && wait_ready "$E2E_DIR/srv50000.out"
nsx "$NS_SERVER" "${SOCK[@]}" udp-send 50001 "$PUBLIC_IP" 41000 rtp-in 3
sleep 0.2
if [ "$(grep -c "from=$SERVER_IP:50001 data=rtp-in" "$E2E_DIR/ph30000.out")" = 3 ]; then
	pass pinhole_inbound_dnat
else
	fail pinhole_inbound_dnat "phone got: $(tr '\n' '|' <"$E2E_DIR/ph30000.out")"
fi

# Phone sends first (pinhole 2): it must leave with source public:41002,
# not the masquerade's choice (public:30002).
nsx "$NS_PHONE" "${SOCK[@]}" udp-send 30002 "$SERVER_IP" 50000 rtp-out 3
sleep 0.2
if [ "$(grep -c "from=$PUBLIC_IP:41002 data=rtp-out" "$E2E_DIR/srv50000.out")" = 3 ]; then
	pass pinhole_outbound_snat
else
	fail pinhole_outbound_snat "server got: $(tr '\n' '|' <"$E2E_DIR/srv50000.out")"
fi

# Counters (media_cnt_in/out, created by the first packet): 3 packets each way.
c1=$(fw counters "$PHONE_IP" 30000 41000)
c2=$(fw counters "$PHONE_IP" 30002 41002)
if [[ $c1 == *"pkts_in=3 "*"pkts_out=0 "* ]] && [[ $c2 == *"pkts_in=0 "*"pkts_out=3 "* ]]; then
	pass pinhole_counters
else
	fail pinhole_counters "pinhole 1: $c1; pinhole 2: $c2"
fi

# The same counters in one dump of both maps.
b1=$(echo "$c1" | sed -n 's/.*bytes_in=\([0-9]*\).*/\1/p')
b2=$(echo "$c2" | sed -n 's/.*bytes_out=\([0-9]*\).*/\1/p')
d=$(fw dump)
if [[ $d == *" $PHONE_IP:30000>41000 in=3/$b1 out=0/0 "* ]] &&
	[[ $d == *" $PHONE_IP:30002>41002 in=0/0 out=3/$b2 "* ]] && [[ $d == *" n=2" ]]; then
	pass pinhole_counters_dump
else
	fail pinhole_counters_dump "$d (bytes $b1 $b2)"
fi

# Delete pinhole 1 (and an unknown one: not an error).
expect_ok pinhole_del del 1 "$PHONE_IP" 30000 41000 &&
	expect_ok pinhole_del del 9 "$PHONE_IP" 39999 49999 &&
	expect_ok pinhole_del commit
if ! map_has media_dnat " 41000 " && ! map_has media_snat "30000 " && map_has media_snat "30002 "; then
	pass pinhole_del_removes_elements
else
	fail pinhole_del_removes_elements "$(router_nft list table ip sipalg | grep elements | tr '\n' '|')"
fi
r=$(fw counters "$PHONE_IP" 30000 41000)
if [[ $r == "err counters: No such file"* ]]; then
	pass pinhole_counters_gone
else
	fail pinhole_counters_gone "counters after delete: $r"
fi

# Kernel expiry (pinhole 3, 1 s) and refresh (pinhole 4, 1.5 s, refreshed
# to 3 s at 0.8 s): after 1.6 s, 3 is gone and 4 is still there.
expect_ok pinhole_timeout add 3 "$PHONE_IP" 30004 41004 1000 &&
	expect_ok pinhole_timeout add 4 "$PHONE_IP" 30006 41006 1500 &&
	expect_ok pinhole_timeout commit
sleep 0.8
expect_ok pinhole_refresh refresh 4 "$PHONE_IP" 30006 41006 3000 && expect_ok pinhole_refresh commit
sleep 0.8
if ! map_has media_dnat " 41004 " && ! map_has media_snat "30004 "; then
	pass pinhole_expires_in_kernel
else
	fail pinhole_expires_in_kernel "$(router_nft list table ip sipalg | grep elements | tr '\n' '|')"
fi
if map_has media_dnat "41006 .*timeout 3s" && map_has media_snat "30006 .*timeout 3s"; then
	pass pinhole_refresh_extends
else
	fail pinhole_refresh_extends "$(router_nft list table ip sipalg | grep elements | tr '\n' '|')"
fi

# ---- stale conntrack entries (fw_ct.c) ----------------------------------------
# A flow that started before its pinhole existed was NATed by masquerade (or
# not at all); NAT is decided on a flow's first packet, so without the flush
# in fw_commit() it would keep that mapping.  Seen with baresip, whose first
# RTCP leaves ~0.2 ms before its 200 OK.

ct_id() { # conntrack id of the UDP flow with original source port $1, or ""
	nsx "$NS_ROUTER" conntrack -L -p udp --orig-port-src "$1" -o id 2>/dev/null |
		sed -n 's/.* id=\([0-9]*\).*/\1/p' | head -n 1
}

bg_start srv50010 "$NS_SERVER" "${SOCK[@]}" udp-recv 50010 6 4
bg_start ph30012 "$NS_PHONE" "${SOCK[@]}" udp-recv 30012 6 3
wait_ready "$E2E_DIR/srv50010.out" && wait_ready "$E2E_DIR/ph30012.out"
# Before the pinholes: phone 30010 -> server (masqueraded to public:30010),
# and server 50011 -> public:41012 (no NAT, nobody listens).
nsx "$NS_PHONE" "${SOCK[@]}" udp-send 30010 "$SERVER_IP" 50010 early-out 1
nsx "$NS_SERVER" "${SOCK[@]}" udp-send 50011 "$PUBLIC_IP" 41012 early-in 1
sleep 0.2
if grep -q "from=$PUBLIC_IP:30010 data=early-out" "$E2E_DIR/srv50010.out" &&
	[ -n "$(ct_id 30010)" ] && [ -n "$(ct_id 50011)" ]; then
	pass stale_ct_setup_masqueraded
else
	fail stale_ct_setup_masqueraded "server got: $(tr '\n' '|' <"$E2E_DIR/srv50010.out") conntrack: $(nsx "$NS_ROUTER" conntrack -L -p udp 2>&1 | tr '\n' '|')"
fi
expect_ok stale_ct_add add 5 "$PHONE_IP" 30010 41010 20000 &&
	expect_ok stale_ct_add add 6 "$PHONE_IP" 30012 41012 20000 &&
	expect_ok stale_ct_add commit
nsx "$NS_PHONE" "${SOCK[@]}" udp-send 30010 "$SERVER_IP" 50010 late-out 3
nsx "$NS_SERVER" "${SOCK[@]}" udp-send 50011 "$PUBLIC_IP" 41012 late-in 3
sleep 0.2
if [ "$(grep -c "from=$PUBLIC_IP:41010 data=late-out" "$E2E_DIR/srv50010.out")" = 3 ]; then
	pass stale_ct_outbound_takes_pinhole
else
	fail stale_ct_outbound_takes_pinhole "server got: $(tr '\n' '|' <"$E2E_DIR/srv50010.out") conntrack: $(nsx "$NS_ROUTER" conntrack -L -p udp 2>&1 | tr '\n' '|')"
fi
if [ "$(grep -c "from=$SERVER_IP:50011 data=late-in" "$E2E_DIR/ph30012.out")" = 3 ]; then
	pass stale_ct_inbound_takes_pinhole
else
	fail stale_ct_inbound_takes_pinhole "phone got: $(tr '\n' '|' <"$E2E_DIR/ph30012.out") conntrack: $(nsx "$NS_ROUTER" conntrack -L -p udp 2>&1 | tr '\n' '|')"
fi

# Flows already NATed by the pinhole survive a re-add (reply tuple checked).
id_out=$(ct_id 30010) id_in=$(ct_id 50011)
expect_ok stale_ct_keep add 5 "$PHONE_IP" 30010 41010 20000 &&
	expect_ok stale_ct_keep add 6 "$PHONE_IP" 30012 41012 20000 &&
	expect_ok stale_ct_keep commit
if [ -n "$id_out" ] && [ -n "$id_in" ] && [ "$(ct_id 30010)" = "$id_out" ] && [ "$(ct_id 50011)" = "$id_in" ]; then
	pass stale_ct_live_flows_kept
else
	fail stale_ct_live_flows_kept "ids before: $id_out $id_in after: $(ct_id 30010) $(ct_id 50011)"
fi

# ---- fw_close and leftovers ---------------------------------------------------

nothing_left() { # NAME
	local t r rt
	t=$(router_nft list tables | grep -c 'table ip sipalg$')
	r=$(fwmark_rules)
	rt=$(nsx "$NS_ROUTER" ip route show table 100 2>/dev/null | wc -l)
	if [ "$t" = 0 ] && [ "$r" = 0 ] && [ "$rt" = 0 ]; then
		pass "$1"
	else
		fail "$1" "tables=$t fwmark_rules=$r table100_routes=$rt"
	fi
}

expect_ok fw_close close && nothing_left fw_close_leaves_nothing
fd=${FW[1]}
exec {fd}>&-
wait "$FW_PID" 2>/dev/null

# A crashed run (fwctl exits without close) plus extra debris: a duplicate
# rule and a foreign chain in the stale table.
nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" open >/dev/null 2>&1
nsx "$NS_ROUTER" ip rule add fwmark 0x5a lookup 100
router_nft add chain ip sipalg stale_debris
if [ "$(fwmark_rules)" = 2 ] && router_nft list chain ip sipalg stale_debris >/dev/null 2>&1; then
	nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" open >/dev/null 2>&1
	check_ruleset leftover_table_replaced
	check_routing leftover_rules_cleared
	nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" open close >/dev/null 2>&1
	nothing_left leftover_then_close_leaves_nothing
else
	fail leftover_setup "could not create the leftovers"
fi

# ---- kernel SIP helper --------------------------------------------------------

r=$(nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" helper 2>&1)
if [[ $r == "ok helper attached=0 "* ]]; then
	pass sip_helper_not_attached
else
	fail sip_helper_not_attached "$r"
fi
attach_kernel_sip_helper
r=$(nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" helper 2>&1)
if [[ $r == "ok helper attached=1 "* ]] && [[ $r == *"nft delete ct helper inet sipalg_test_helper sip_udp"* ]] &&
	[[ $r == *"nft delete rule inet sipalg_test_helper pre handle"* ]]; then
	pass sip_helper_attached_detected
else
	fail sip_helper_attached_detected "$r"
fi
# A flow the helper took on keeps it after the rule and object are gone:
# the check must see the conntrack entry (as for iptables-legacy CT rules).
# (A new source port: a flow that already exists does not get a helper.)
nsx "$NS_PHONE" "${SOCK[@]}" udp-send 5070 "$SERVER_IP" 5060 "OPTIONS sip:x SIP/2.0"
sleep 0.2
nsx "$NS_ROUTER" nft delete table inet sipalg_test_helper
r=$(nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" helper 2>&1)
if [[ $r == "ok helper attached=1 "* ]] && [[ $r == *"conntrack entries use helper"* ]]; then
	pass sip_helper_conntrack_entries_detected
else
	fail sip_helper_conntrack_entries_detected "$r; conntrack: $(nsx "$NS_ROUTER" conntrack -L 2>/dev/null | grep -c helper=sip)"
fi
detach_kernel_sip_helper
r=$(nsx "$NS_ROUTER" "$FWCTL" "${FW_ARGS[@]}" helper 2>&1)
if [[ $r == "ok helper attached=0 "* ]]; then
	pass sip_helper_detached
else
	fail sip_helper_detached "$r"
fi

e2e_exit
