#!/bin/bash
# demo.sh - what `make demo` runs: a phone on a private LAN, a router running
# sipalgd, a SIP server on TEST-NET, all in network namespaces made for the
# run and removed after it.  Five steps, each OK or FAIL, then what sipalgd
# rewrote, the pinholes it opened and closed, and the media counts.
# Exit status 0 only if every step passed.  E2E_ALG=masq|kernel runs the
# same steps against plain masquerade or Linux's own SIP helper instead.
set -u
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

CT_TIMEOUT=5
DEMO_FAILS=0

need() {
	command -v "$1" >/dev/null 2>&1 || { echo "demo: '$1' not found (make deps-test installs it)" >&2; exit 2; }
}

step() { # step N TITLE STATUS DETAIL
	local mark=OK
	[ "$3" = 0 ] || { mark=FAIL; DEMO_FAILS=$((DEMO_FAILS + 1)); }
	printf '  (%s) %-52s %s\n' "$1" "$2" "$mark"
	[ -n "$4" ] && printf '      %s\n' "$4"
}

# ctl COMMAND: what `sipalg COMMAND` says (control socket), indented.
ctl() {
	[ "$E2E_ALG" = sipalgd ] && [ -x "$BUILD/sipalg" ] || return 0
	echo "      \$ sipalg $1"
	sipalg_ctl "$1" 2>&1 | sed 's/^/        /'
}

rtp_line() {
	echo "RTP phone->server $RTP_AT_SERVER, server->phone $RTP_AT_PHONE packets (of $RTP_N each way)"
}

[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 2; }
need sipp
need nft
need python3
if [ "$E2E_ALG" = sipalgd ] && [ ! -x "$BUILD/sipalgd" ]; then
	echo "demo: $BUILD/sipalgd is not built (run make)" >&2
	exit 2
fi

t0=$(date +%s)
echo "sipalg demo: phone 192.168.1.10 -- router (sipalgd, public 203.0.113.1) -- server 203.0.113.20"
topo_up 1 || { echo "demo: could not build the namespaces" >&2; exit 1; }
set_udp_conntrack_timeout "$CT_TIMEOUT"
media_init
if ! alg_up >"$E2E_DIR/alg_up.out"; then
	cat "$E2E_DIR/alg_up.out"
	exit 1
fi
echo "  namespaces $NS_PHONE, $NS_ROUTER, $NS_SERVER; router UDP conntrack timeout ${CT_TIMEOUT}s; ALG: $E2E_ALG"
echo

# (1) register
step_register reg 60
rc=$?
contact=$(siplog get "$E2E_DIR/reg_srv.msg" recv REGISTER uri_hp:Contact 2>/dev/null)
[ "$rc" = 0 ] && ! is_public_hp "$contact" && rc=1 && STEP_WHY="registrar saw a private Contact $contact"
step 1 "phone registers (Expires 60)" "$rc" \
	"${STEP_WHY:-registrar sees Contact $contact; phone reachable at $REG_BINDING}"
binding=$REG_BINDING
ctl registrations

# (2) outgoing call with RTP both ways; sipalg's view 1.5 s into the call
(sleep 1.5 && { ctl calls; ctl pinholes; } >"$E2E_DIR/ctl_mid" 2>&1) &
mid=$!
step_call out out
rc=$?
[ "$rc" = 0 ] && ! rtp_ok && rc=1
wait "$mid"
step 2 "phone calls the server, RTP both ways" "$rc" "${STEP_WHY:+$STEP_WHY; }$(rtp_line)"
cat "$E2E_DIR/ctl_mid" 2>/dev/null

# (3) incoming call after the conntrack timeout
sleep $((CT_TIMEOUT + 2))
n=$(nsx "$NS_ROUTER" conntrack -L -p udp 2>/dev/null | grep -c 'port=5060')
step_call in in u1 "$NS_PHONE" "$PHONE_IP" "$SERVER_IP" "$binding"
rc=$?
[ "$rc" = 0 ] && ! rtp_ok && rc=1
step 3 "$((CT_TIMEOUT + 2))s later (> ${CT_TIMEOUT}s conntrack), server calls phone" "$rc" \
	"${STEP_WHY:+$STEP_WHY; }SIP conntrack entries left before the call: $n; $(rtp_line)"

# (4) hold and resume, (5) hang up
rtp_count_setup hold "$NS_PHONE" "$SERVER_IP"
sipp_bg hold_srv "$NS_SERVER" -sf "$E2E_SCEN/hold_uas.xml" -i "$SERVER_IP" -p 5060 \
	-mi "$SERVER_IP" -mp 6000 -m 1
srv=$BG_PID
wait_listen "$NS_SERVER" 5060
sipp_fg hold_ph "$NS_PHONE" -sf "$E2E_SCEN/hold_uac.xml" "$SERVER_IP:5060" -i "$PHONE_IP" \
	-p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob
rc=$?
bg_wait "$srv" 5
rc2=$?
log=$E2E_DIR/hold_srv.msg
p1=$(siplog get "$log" recv INVITE sdp:m 1 2>/dev/null)
p2=$(siplog get "$log" recv INVITE sdp:m 2 2>/dev/null)
p4=$(siplog get "$log" recv INVITE sdp:m 4 2>/dev/null)
d2=$(siplog get "$log" recv INVITE sdp:dir 2 2>/dev/null)
RTP_AT_PHONE=$(count_get "$NS_PHONE" hold_ph)
RTP_AT_SERVER=$(count_get "$NS_SERVER" hold_srv)
hrc=0
why=
[ "$(siplog count "$log" recv INVITE 2>/dev/null)" = 4 ] || { hrc=1; why="the server did not get all 4 INVITEs; "; }
[ -n "$p1" ] && [ "$p1" = "$p2" ] && [ "$p1" = "$p4" ] || { hrc=1; why="${why}public port changed; "; }
[ "$RTP_AT_PHONE" -ge $((2 * RTP_MIN)) ] && [ "$RTP_AT_SERVER" -ge $((2 * RTP_MIN)) ] || hrc=1
step 4 "hold (a=sendonly, c=0.0.0.0) and resume" "$hrc" \
	"${why}public media port $p1 -> hold $p2 ($d2) -> resume $p4; RTP before+after: phone->server $RTP_AT_SERVER, server->phone $RTP_AT_PHONE (of $((2 * RTP_N)))"
brc=0
[ "$rc" = 0 ] && [ "$rc2" = 0 ] || { brc=1; why="$(pair_why hold_ph hold_srv "$rc" "$rc2")"; }
sleep 0.5
left=
[ "$E2E_ALG" = sipalgd ] && left=$(pinholes)
[ -z "$left" ] || brc=1
step 5 "hang up (BYE, 200), no pinhole left" "$brc" \
	"$([ "$brc" = 0 ] && echo "BYE answered; media map elements left: 0" || echo "${why:-} ${left:+left: $(echo "$left" | tr '\n' ';')}")"

if [ "$E2E_ALG" = sipalgd ] && [ -s "$SIPALGD_LOG" ]; then
	echo
	echo "What sipalgd rewrote (field: before -> after, rule), from its log:"
	sed -n 's/.*event=rewrite call_id=\([^ ]*\) field=\([^ ]*\) before=\([^ ]*\) after=\([^ ]*\) rule="\([^"]*\)".*/\2: \3 -> \4  (\5)/p' \
		"$SIPALGD_LOG" | sort | uniq -c | sort -rn | sed 's/^ */    /; s/^\(    [0-9]*\) /\1x /'
	echo
	echo "Pinholes (public <-> inside):"
	printf '    opened %s, closed %s\n' "$(grep -c 'event=pinhole_open' "$SIPALGD_LOG")" \
		"$(grep -c 'event=pinhole_close' "$SIPALGD_LOG")"
	sed -n 's/.*event=pinhole_\(open\|close\) call_id="\([^"]*\)".* public=\([^ ]*\) inside=\([^ ]*\).*/    \1  \3 <-> \4  call \2/p' \
		"$SIPALGD_LOG" | sed 's/^    open /    open  /'
	echo
	echo "Calls (sipalgd's records; media counted by the kernel pinholes):"
	sed -n 's/.*event=call_end call_id=\([^ ]*\).* duration_s=\([^ ]*\) reason=\([^ ]*\) pkts_in=\([0-9]*\).* pkts_out=\([0-9]*\).*/    \1: \2 s, ended by \3, packets in (server->phone) \4, out (phone->server) \5/p' \
		"$SIPALGD_LOG"
	if [ -x "$BUILD/sipalg" ]; then
		echo
		echo "sipalg stats (non-zero counters):"
		sipalg_ctl stats 2>&1 | awk '$2 != "0" { printf "%s=%s ", $1, $2 } END { print "" }' |
			fold -s -w 88 | sed 's/^/    /'
	fi
	stop_sipalgd
	src=$?
	left=$(nsx "$NS_ROUTER" nft list tables | grep -w sipalg; nsx "$NS_ROUTER" ip rule | grep -i fwmark)
	echo
	if [ "$src" = 0 ] && [ -z "$left" ]; then
		echo "sipalgd stopped (SIGTERM, exit 0); no nft table or ip rule left."
	else
		echo "sipalgd stop: exit $SIPALGD_RC; left: $(echo "$left" | tr '\n' ';')"
		DEMO_FAILS=$((DEMO_FAILS + 1))
	fi
fi

echo
if [ "$DEMO_FAILS" = 0 ]; then
	echo "demo: all 5 steps OK in $(($(date +%s) - t0)) s"
	exit 0
fi
echo "demo: $DEMO_FAILS failed (logs: rerun with E2E_KEEP=1 to keep $E2E_DIR)"
exit 1
