#!/bin/bash
# t_sipp_corpus.sh - SIPp's own scenarios from the shared corpus
# (../shared/corpora/sipp-scenarios, copied unchanged from SIPp) through
# sipalgd: the built-in uac/uas call over UDP and over TCP, and the UC360
# REGISTER with a digest challenge against a registrar that verifies the
# credentials (tests/e2e/scenarios/reg_challenge_uas.xml).  Each call must
# complete, the server must see the public address in Contact and SDP, and
# the pinholes must be gone after the BYE.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"
CORPORA=${SIPALG_CORPORA:-$(cd "$E2E_REPO/.." && pwd)/shared/corpora}
SC=$CORPORA/sipp-scenarios
SIPP_TIMEOUT=${SIPP_TIMEOUT:-10}

if [ ! -f "$SC/uac.xml" ]; then
	fail corpus_scenarios "no SIPp scenarios at $SC"
	e2e_exit
fi
topo_up 1 || { fail topology "could not build the namespaces"; e2e_exit; }
alg_up || e2e_exit

no_pinholes_check() {
	[ "$E2E_ALG" = sipalgd ] || return 0
	local left i
	for i in $(seq 20); do
		left=$(pinholes)
		[ -z "$left" ] && break
		sleep 0.1
	done
	if [ -z "$left" ]; then
		pass "$1"
	else
		fail "$1" "media map elements left: $(echo "$left" | tr '\n' ';')"
	fi
}

# corpus_call NAME TRANSPORT (u1|t1) PHONE_PORT: uac.xml on the phone,
# uas.xml on the server, one call.
corpus_call() {
	local name=$1 t=$2 port=$3 srv ph log c m rc
	sipp_bg "${name}_srv" "$NS_SERVER" -sf "$SC/uas.xml" -t "$t" -i "$SERVER_IP" -p 5060 \
		-buff_size 4194304 -m 1
	srv=$BG_PID
	wait_listen "$NS_SERVER" 5060 "$t"
	sipp_bg "${name}_ph" "$NS_PHONE" -sf "$SC/uac.xml" -t "$t" "$SERVER_IP:5060" -i "$PHONE_IP" \
		-p "$port" -buff_size 4194304 -m 1 -s service
	ph=$BG_PID
	log=$E2E_DIR/${name}_srv.msg
	if [ "$t" = u1 ]; then
		pair_check "$name" "${name}_ph" "${name}_srv" "$ph" "$srv" 20
	else
		# uas.xml ends in a 4 s <timewait>; over TCP SIPp counts the
		# call failed when the UAC closes the connection then, with
		# plain masquerade too.  The UAC's status and the server's log
		# (it got the BYE and answered it) decide instead.
		bg_wait "$ph" 20
		rc=$?
		bg_wait "$srv" 8
		if [ "$rc" = 0 ] && [ "$(python3 "$E2E_LIB/siplog.py" count "$log" recv BYE)" = 1 ] &&
			[ "$(python3 "$E2E_LIB/siplog.py" count "$log" sent 200)" = 2 ]; then
			pass "$name"
		else
			fail "$name" "$(sipp_status "${name}_ph" "$rc"); BYE at the server: $(python3 "$E2E_LIB/siplog.py" count "$log" recv BYE)"
		fi
	fi
	[ "$E2E_ALG" = sipalgd ] || return 0
	c=$(python3 "$E2E_LIB/siplog.py" get "$log" recv INVITE uri_hp:Contact)
	m=$(python3 "$E2E_LIB/siplog.py" get "$log" recv INVITE sdp:c)
	if [ "${c%:*}" = "$PUBLIC_IP" ] && [ "$m" = "$PUBLIC_IP" ]; then
		pass "${name}_public_at_server"
	else
		fail "${name}_public_at_server" "INVITE at the server: Contact host:port '$c', SDP c= '$m'; want $PUBLIC_IP"
	fi
	expect_eq "${name}_content_length" \
		"$(python3 "$E2E_LIB/siplog.py" get "$log" recv INVITE clen_ok)" 1 \
		"Content-Length of the INVITE at the server matches its body"
	no_pinholes_check "${name}_no_pinhole_after_bye"
}

# 1. The built-in uac/uas call (INVITE with SDP, 180, 200, ACK, BYE).
corpus_call corpus_uac_uas_udp u1 5060
# 2. The same over TCP.
corpus_call corpus_uac_uas_tcp t1 5070

# 3. REGISTER, 401 digest challenge, REGISTER with Authorization, 200: the
# Authorization header and the Request-URI it covers (uri=) must reach
# the registrar as the phone wrote them, or verification fails (403).
sipp_bg reg_srv "$NS_SERVER" -sf "$E2E_SCEN/reg_challenge_uas.xml" -i "$SERVER_IP" -p 5060 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_bg reg_ph "$NS_PHONE" -sf "$SC/uc360_register_challenge.xml" "$SERVER_IP:5060" \
	-i "$PHONE_IP" -p 5062 -m 1
ph=$BG_PID
pair_check corpus_register_digest_challenge reg_ph reg_srv "$ph" "$srv" 20
if [ "$E2E_ALG" = sipalgd ]; then
	log=$E2E_DIR/reg_srv.msg
	c=$(python3 "$E2E_LIB/siplog.py" get "$log" recv REGISTER uri_hp:Contact 2)
	expect_eq corpus_register_contact_public "${c%:*}" "$PUBLIC_IP" \
		"host of the authenticated REGISTER's Contact at the registrar"
fi
e2e_exit
