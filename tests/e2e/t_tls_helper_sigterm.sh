#!/bin/bash
# t_tls_helper_sigterm.sh - TLS port 5061 passes byte-identical; SIGTERM
# leaves no nft table, ip rule or route behind; with the kernel's SIP helper
# attached sipalgd refuses to start and says how to detach it.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
alg_up || e2e_exit

# 1. 5061: a cleartext INVITE full of private addresses (what a naive ALG
# would rewrite) followed by random bytes, both ways, sent in pieces.
blob=$E2E_DIR/tls_blob
python3 "$E2E_LIB/nettool.py" sip-invite "$blob" "$PHONE_IP:5061" "$SERVER_IP:5061"
head -c 20000 /dev/urandom >>"$blob"
bg_start tls_sink "$NS_SERVER" python3 "$E2E_LIB/nettool.py" tcp-sink "$SERVER_IP:5061" \
	"$E2E_DIR/tls_at_server" 1.5 1
sink=$BG_PID
wait_listen "$NS_SERVER" 5061 t1
nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" tcp-send "$SERVER_IP:5061" "$blob" \
	"$E2E_DIR/tls_back" 1000 5 >"$E2E_DIR/tls_send.out" 2>&1
bg_wait "$sink" 10
sum() { sha256sum <"$1" | cut -c1-16; }
expect_eq tls_5061_byte_identical_out "$(sum "$E2E_DIR/tls_at_server")" "$(sum "$blob")" \
	"sha256 of what the server received vs what the phone sent"
expect_eq tls_5061_byte_identical_in "$(sum "$E2E_DIR/tls_back")" "$(sum "$blob")" \
	"sha256 of what the phone got back vs what the server echoed"

# A real TLS session on 5061 (throwaway self-signed certificate): the
# handshake completes and the SIP inside arrives unchanged.
if openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$SERVER_IP" \
	-keyout "$E2E_DIR/tls.key" -out "$E2E_DIR/tls.crt" >/dev/null 2>&1; then
	bg_start tls_srv "$NS_SERVER" python3 "$E2E_LIB/nettool.py" tls-server "$SERVER_IP:5061" \
		"$E2E_DIR/tls.crt" "$E2E_DIR/tls.key" "$E2E_DIR/tlss_at_server"
	srv=$BG_PID
	wait_listen "$NS_SERVER" 5061 t1
	head -c 1200 "$blob" >"$E2E_DIR/tlss_sent"
	nsx "$NS_PHONE" python3 "$E2E_LIB/nettool.py" tls-client "$SERVER_IP:5061" "$E2E_DIR/tls.crt" \
		"$E2E_DIR/tlss_sent" "$E2E_DIR/tlss_back" >"$E2E_DIR/tls_client.out" 2>&1
	bg_wait "$srv" 10
	if [ -s "$E2E_DIR/tlss_back" ] && [ "$(sum "$E2E_DIR/tlss_back")" = "$(sum "$E2E_DIR/tlss_sent")" ] &&
		[ "$(sum "$E2E_DIR/tlss_at_server")" = "$(sum "$E2E_DIR/tlss_sent")" ]; then
		pass tls_5061_handshake_and_data
	else
		fail tls_5061_handshake_and_data "TLS session failed or data changed: $(tail -n 1 "$E2E_DIR/tls_client.out" "$E2E_DIR/tls_srv.out" 2>/dev/null | tr '\n' ' ')"
	fi
else
	fail tls_5061_handshake_and_data "openssl req could not make a certificate"
fi

[ "$E2E_ALG" = sipalgd ] || e2e_exit

# leftovers: what sipalgd may have left in the router namespace.
leftovers() {
	nsx "$NS_ROUTER" nft list tables | grep -w sipalg
	nsx "$NS_ROUTER" ip rule | grep -i fwmark
	nsx "$NS_ROUTER" ip route show table 100 2>/dev/null
}

# 2. SIGTERM: exit 0 and nothing left.
if [ -n "$(nsx "$NS_ROUTER" ip rule | grep -i fwmark)" ] &&
	nsx "$NS_ROUTER" nft list table ip sipalg >/dev/null 2>&1; then
	pass sipalgd_installs_table_and_rule
else
	fail sipalgd_installs_table_and_rule "while running: no table ip sipalg or no fwmark ip rule"
fi
if stop_sipalgd; then
	pass sigterm_exit_0
else
	fail sigterm_exit_0 "exit status $SIPALGD_RC; log: $(tail -n 2 "$SIPALGD_LOG" | tr '\n' ' ')"
fi
left=$(leftovers)
if [ -z "$left" ]; then
	pass sigterm_leaves_nothing
else
	fail sigterm_leaves_nothing "left behind: $(echo "$left" | tr '\n' ';')"
fi

# 3. The kernel's helper attached: refuse to start, explain how to detach.
attach_kernel_sip_helper
if start_sipalgd; then
	fail refuses_with_kernel_helper "sipalgd started although the kernel SIP helper is attached"
	stop_sipalgd
else
	if [ -n "$SIPALGD_RC" ] && [ "$SIPALGD_RC" != 0 ]; then
		pass refuses_with_kernel_helper
	else
		fail refuses_with_kernel_helper "sipalgd neither started nor exited non-zero (rc '${SIPALGD_RC}')"
	fi
	if grep -qiE 'helper' "$SIPALGD_LOG" && grep -qiE 'nft|detach|delete|remove' "$SIPALGD_LOG"; then
		pass refuse_message_says_how_to_detach
	else
		fail refuse_message_says_how_to_detach "log: $(tr '\n' ' ' <"$SIPALGD_LOG" | cut -c1-200)"
	fi
fi
left=$(leftovers)
if [ -z "$left" ]; then
	pass refused_start_leaves_nothing
else
	fail refused_start_leaves_nothing "left behind: $(echo "$left" | tr '\n' ';')"
fi
detach_kernel_sip_helper

e2e_exit
