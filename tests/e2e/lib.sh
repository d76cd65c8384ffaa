# lib.sh - network-namespace topology for sipalg's end-to-end tests.
# Source it from a bash test (tests/e2e/t_*.sh) or the demo; run as root.
#
#   phone  192.168.1.10/24 gw .1 ─┐
#   phone2 192.168.1.11/24 (opt) ─┤ $LAN_IF (bridge)
#                              router 192.168.1.1/24 | 203.0.113.1/24 $WAN_IF
#                                                          │
#                      server 203.0.113.20/24 (+ .21, .22 extra addresses)
#
# The router forwards and masquerades 192.168.1.0/24 out of $WAN_IF in
# `table ip sipalg_test_nat` (a home router: outside -> inside only for
# established flows or DNATed ones); sipalgd installs its own `table ip
# sipalg`.  The server has no route to 192.168.1.0/24, so an address that
# was not rewritten is unreachable from it.
#
# Interface (everything else here is internal):
#   topo_up [PHONES]          PHONES=1 (default) or 2; installs the cleanup
#                             traps; exports NS_PHONE NS_PHONE2 NS_ROUTER
#                             NS_SERVER, LAN_IF WAN_IF, PHONE_IP PHONE2_IP
#                             ROUTER_LAN_IP PUBLIC_IP SERVER_IP SERVER_IP2
#                             SERVER_IP3, E2E_DIR (logs; kept if E2E_KEEP=1)
#   topo_down                 idempotent; kills what was started in the
#                             namespaces, deletes them and E2E_DIR
#   nsx NS CMD...             run CMD in namespace NS
#   bg_start NAME NS CMD...   run CMD in NS in the background, output in
#                             $E2E_DIR/NAME.out; its pid in BG_PID
#   bg_wait PID [SECS]        wait for it (default 30 s); returns its status
#   pass NAME / fail NAME WHY print "PASS: NAME" / "FAIL: NAME: WHY"
#   e2e_exit                  exit 1 if any check failed, else 0
#   sipp_fg NAME NS ARGS...   run sipp in NS (cwd $E2E_DIR, message log
#                             $E2E_DIR/NAME.msg, limit $SIPP_TIMEOUT s, 12);
#                             returns its status
#   sipp_bg NAME NS ARGS...   the same in the background (BG_PID)
#   start_sipalgd [LINES...]  config for this topology (+ extra `key = value`
#                             lines), start $BUILD/sipalgd -c CONF -f in the
#                             router, log in $SIPALGD_LOG; wait until ready
#   stop_sipalgd              SIGTERM, wait; status in SIPALGD_RC
#   sipalg_ctl ARGS...        $BUILD/sipalg talking to this run's control socket
#   set_udp_conntrack_timeout SECS   in the router namespace
#   attach_kernel_sip_helper / detach_kernel_sip_helper   (router, UDP+TCP 5060)
#   count_add NS NAME MATCH   count packets matching nft MATCH at NS's input
#   count_get NS NAME         print that counter's packet count
#   pinholes                  print sipalgd's media map elements, one a line
#   alg_up [LINES...]         put $E2E_ALG on the router (sipalgd with the
#                             extra config lines); prints a FAIL line if not
#
# SIP steps built on this (register, call, RTP checks) are in steps.sh.
# Variables read: BUILD (default build, relative to the repository root),
# E2E_ALG=sipalgd (default) | masq | kernel: what the tests put on the
# router, so the harness itself can be checked without the daemon.

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
E2E_LIB=$E2E_REPO/tests/e2e
E2E_SCEN=$E2E_LIB/scenarios
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$E2E_REPO/$BUILD ;; esac
E2E_ALG=${E2E_ALG:-sipalgd}
E2E_FAILS=0
E2E_PASSES=0
E2E_UP=0

PHONE_IP=192.168.1.10
PHONE2_IP=192.168.1.11
ROUTER_LAN_IP=192.168.1.1
LAN_PREFIX=192.168.1.0/24
PUBLIC_IP=203.0.113.1
SERVER_IP=203.0.113.20
SERVER_IP2=203.0.113.21
SERVER_IP3=203.0.113.22
LAN_IF=brlan
WAN_IF=wan0
MEDIA_MIN=40000
MEDIA_MAX=40999

pass() {
	echo "PASS: $1"
	E2E_PASSES=$((E2E_PASSES + 1))
}

fail() {
	echo "FAIL: $1: $2"
	E2E_FAILS=$((E2E_FAILS + 1))
}

e2e_exit() {
	[ "$E2E_FAILS" = 0 ] && exit 0
	exit 1
}

nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# The background processes this run started, one pid a line.
bg_start() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$@" >"$E2E_DIR/$name.out" 2>&1 &
	BG_PID=$!
	echo "$BG_PID" >>"$E2E_DIR/pids"
}

bg_wait() {
	local pid=$1 secs=${2:-30} i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt $((secs * 10)) ]; then
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
		sleep 0.1
	done
	wait "$pid"
}

_sipp_args() {
	echo -nostdin -trace_msg -message_file "$E2E_DIR/$1.msg" \
		-trace_err -error_file "$E2E_DIR/$1.err" -timeout "${SIPP_TIMEOUT:-12}s" -timeout_error \
		-max_recv_loops 100
}

sipp_fg() {
	local name=$1 ns=$2
	shift 2
	# shellcheck disable=SC2046
	ip netns exec "$ns" env -C "$E2E_DIR" sipp "$@" $(_sipp_args "$name") \
		>"$E2E_DIR/$name.out" 2>&1
}

sipp_bg() {
	local name=$1 ns=$2
	shift 2
	# shellcheck disable=SC2046
	bg_start "$name" "$ns" env -C "$E2E_DIR" sipp "$@" $(_sipp_args "$name")
}

_veth() { # _veth NS_A IF_A NS_B IF_B
	local a=e2e$$x$E2E_NVETH b=e2e$$y$E2E_NVETH
	E2E_NVETH=$((E2E_NVETH + 1))
	ip link add "$a" type veth peer name "$b" || return 1
	ip link set "$a" netns "$1" name "$2" || return 1
	ip link set "$b" netns "$3" name "$4" || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

_topo_nat() {
	nsx "$NS_ROUTER" nft -f - <<-EOF
	table ip sipalg_test_nat {
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "$WAN_IF" ip saddr $LAN_PREFIX masquerade
		}
		chain lan_guard {
			type filter hook forward priority filter; policy accept;
			iifname "$WAN_IF" oifname "$LAN_IF" ct state established,related accept
			iifname "$WAN_IF" oifname "$LAN_IF" ct status dnat accept
			iifname "$WAN_IF" oifname "$LAN_IF" counter drop
		}
	}
	EOF
}

topo_up() {
	local phones=${1:-1} ns
	E2E_NVETH=0
	E2E_DIR=$(mktemp -d /tmp/sipalg-e2e.XXXXXX)
	chmod 755 "$E2E_DIR"
	: >"$E2E_DIR/pids"
	NS_PHONE=sipalg-phone-$$
	NS_PHONE2=sipalg-phone2-$$
	NS_ROUTER=sipalg-router-$$
	NS_SERVER=sipalg-server-$$
	E2E_NSES="$NS_PHONE $NS_ROUTER $NS_SERVER"
	[ "$phones" -ge 2 ] && E2E_NSES="$E2E_NSES $NS_PHONE2"
	export NS_PHONE NS_PHONE2 NS_ROUTER NS_SERVER LAN_IF WAN_IF E2E_DIR \
		PHONE_IP PHONE2_IP ROUTER_LAN_IP PUBLIC_IP SERVER_IP SERVER_IP2 SERVER_IP3
	# exit inside the trap so that topo_down's findings set the status.
	trap 'topo_down || exit $?' EXIT
	trap 'exit 130' INT TERM
	E2E_UP=1
	for ns in $E2E_NSES; do
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_ROUTER" link add "$LAN_IF" type bridge || return 1
	ip -n "$NS_ROUTER" link set "$LAN_IF" up
	ip -n "$NS_ROUTER" addr add "$ROUTER_LAN_IP/24" dev "$LAN_IF"
	_veth "$NS_PHONE" eth0 "$NS_ROUTER" lanp1 || return 1
	ip -n "$NS_ROUTER" link set lanp1 master "$LAN_IF"
	ip -n "$NS_PHONE" addr add "$PHONE_IP/24" dev eth0
	ip -n "$NS_PHONE" route add default via "$ROUTER_LAN_IP"
	if [ "$phones" -ge 2 ]; then
		_veth "$NS_PHONE2" eth0 "$NS_ROUTER" lanp2 || return 1
		ip -n "$NS_ROUTER" link set lanp2 master "$LAN_IF"
		ip -n "$NS_PHONE2" addr add "$PHONE2_IP/24" dev eth0
		ip -n "$NS_PHONE2" route add default via "$ROUTER_LAN_IP"
	fi
	_veth "$NS_ROUTER" "$WAN_IF" "$NS_SERVER" eth0 || return 1
	ip -n "$NS_ROUTER" addr add "$PUBLIC_IP/24" dev "$WAN_IF"
	for ns in $SERVER_IP $SERVER_IP2 $SERVER_IP3; do
		ip -n "$NS_SERVER" addr add "$ns/24" dev eth0
	done
	nsx "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1
	_topo_nat || return 1
	# Bridge ports may pass through listening/learning; wait for forwarding.
	local i
	for i in $(seq 50); do
		bridge -n "$NS_ROUTER" link show | grep -q 'state \(listening\|learning\|blocking\|disabled\)' || return 0
		sleep 0.1
	done
	echo "topo_up: LAN bridge ports never forwarded" >&2
	return 1
}

topo_down() {
	local rc=$? pid ns
	[ "$E2E_UP" = 1 ] || return $rc
	E2E_UP=0
	if [ -n "${SIPALGD_PID:-}" ]; then
		kill "$SIPALGD_PID" 2>/dev/null
		wait "$SIPALGD_PID" 2>/dev/null
	fi
	if [ -f "$E2E_DIR/pids" ]; then
		while read -r pid; do
			kill "$pid" 2>/dev/null
		done <"$E2E_DIR/pids"
	fi
	for ns in $E2E_NSES; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			kill -9 "$pid" 2>/dev/null
		done
	done
	wait 2>/dev/null
	# A sanitizer build of sipalgd reports into its log: never pass silently.
	if [ -n "${SIPALGD_LOG:-}" ] &&
		grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SIPALGD_LOG" 2>/dev/null; then
		echo "FAIL: sipalgd_sanitizer: $(grep -m1 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$SIPALGD_LOG")"
		[ "$rc" = 0 ] && rc=1
	fi
	for ns in $E2E_NSES; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "logs kept in $E2E_DIR" >&2
	else
		rm -rf "$E2E_DIR"
	fi
	return $rc
}

set_udp_conntrack_timeout() {
	nsx "$NS_ROUTER" sysctl -qw net.netfilter.nf_conntrack_udp_timeout="$1" \
		net.netfilter.nf_conntrack_udp_timeout_stream="$1"
}

# Linux's own SIP ALG (nf_conntrack_sip + nf_nat_sip), attached by rule as
# kernels >= 6.0 require.
attach_kernel_sip_helper() {
	nsx "$NS_ROUTER" nft -f - <<-'EOF'
	table inet sipalg_test_helper {
		ct helper sip_udp { type "sip" protocol udp; l3proto ip; }
		ct helper sip_tcp { type "sip" protocol tcp; l3proto ip; }
		chain pre {
			type filter hook prerouting priority filter; policy accept;
			udp dport 5060 ct helper set "sip_udp"
			tcp dport 5060 ct helper set "sip_tcp"
		}
	}
	EOF
}

detach_kernel_sip_helper() {
	nsx "$NS_ROUTER" nft delete table inet sipalg_test_helper 2>/dev/null
	nsx "$NS_ROUTER" conntrack -F >/dev/null 2>&1
	return 0
}

count_add() {
	local ns=$1 name=$2
	shift 2
	if ! nsx "$ns" nft list table ip e2e_count >/dev/null 2>&1; then
		nsx "$ns" nft -f - <<-'EOF' || return 1
		table ip e2e_count {
			chain in { type filter hook input priority -300; policy accept; }
		}
		EOF
	fi
	nsx "$ns" nft add counter ip e2e_count "$name" &&
		nsx "$ns" nft add rule ip e2e_count in "$@" counter name "$name"
}

count_get() {
	nsx "$1" nft list counter ip e2e_count "$2" 2>/dev/null |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | head -n1
}

# ---- sipalgd --------------------------------------------------------------

SIPALGD_PID=
SIPALGD_RC=

sipalgd_conf() {
	local l
	cat <<-EOF
	# written by tests/e2e/lib.sh for this run's namespaces
	inside_interface = $LAN_IF
	inside_prefix = $LAN_PREFIX
	outside_interface = $WAN_IF
	public_address = $PUBLIC_IP
	sip_ports = 5060
	media_ports = $MEDIA_MIN-$MEDIA_MAX
	control_socket = $E2E_DIR/sipalgd.sock
	log_level = debug
	EOF
	for l in "$@"; do
		echo "$l"
	done
}

start_sipalgd() {
	local i
	SIPALGD_CONF=$E2E_DIR/sipalg.conf
	SIPALGD_LOG=$E2E_DIR/sipalgd.log
	SIPALGD_CTL=$E2E_DIR/sipalgd.sock
	sipalgd_conf "$@" >"$SIPALGD_CONF"
	if [ ! -x "$BUILD/sipalgd" ]; then
		echo "start_sipalgd: $BUILD/sipalgd is not built" >"$SIPALGD_LOG"
		return 1
	fi
	# ip netns exec execs sipalgd: $! is the daemon itself.
	ip netns exec "$NS_ROUTER" "$BUILD/sipalgd" -c "$SIPALGD_CONF" -f 2>"$SIPALGD_LOG" &
	SIPALGD_PID=$!
	echo "$SIPALGD_PID" >>"$E2E_DIR/pids"
	for i in $(seq 100); do
		if ! kill -0 "$SIPALGD_PID" 2>/dev/null; then
			wait "$SIPALGD_PID"
			SIPALGD_RC=$?
			SIPALGD_PID=
			return 1
		fi
		if nsx "$NS_ROUTER" nft list table ip sipalg >/dev/null 2>&1 &&
			{ [ -S "$SIPALGD_CTL" ] || [ "$i" -gt 20 ]; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# Why sipalgd did not start, on one line (for fail messages).
sipalgd_why() {
	if [ ! -x "$BUILD/sipalgd" ]; then
		echo "$BUILD/sipalgd is not built"
		return
	fi
	echo "sipalgd not ready (exit ${SIPALGD_RC:-none}); log: $(tail -n 3 "$SIPALGD_LOG" 2>/dev/null | tr '\n' ' ')"
}

stop_sipalgd() {
	local i
	SIPALGD_RC=
	[ -n "$SIPALGD_PID" ] || return 1
	kill -TERM "$SIPALGD_PID" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$SIPALGD_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SIPALGD_PID" 2>/dev/null; then
		kill -KILL "$SIPALGD_PID"
		wait "$SIPALGD_PID" 2>/dev/null
		SIPALGD_RC=timeout
		SIPALGD_PID=
		return 1
	fi
	wait "$SIPALGD_PID"
	SIPALGD_RC=$?
	SIPALGD_PID=
	[ "$SIPALGD_RC" = 0 ]
}

sipalg_ctl() {
	nsx "$NS_ROUTER" "$BUILD/sipalg" -s "$SIPALGD_CTL" "$@"
}

# The media map elements, one a line ("addr . port ... : addr . port").
pinholes() {
	local m
	for m in media_dnat media_snat; do
		nsx "$NS_ROUTER" nft list map ip sipalg "$m" 2>/dev/null |
			tr -d '\n' | sed -n 's/.*elements = {\(.*\)}.*/\1/p' |
			tr ',' '\n' | sed 's/^ *//; /^$/d; s/^/'"$m"' /'
	done
}

# Put the ALG under test on the router: sipalgd (default), nothing but the
# masquerade (E2E_ALG=masq) or the kernel's helper (E2E_ALG=kernel).
# Extra arguments are sipalgd config lines.  Prints a FAIL line and returns
# 1 if it could not.
alg_up() {
	case $E2E_ALG in
	masq) return 0 ;;
	kernel) attach_kernel_sip_helper ;;
	*)
		start_sipalgd "$@" && return 0
		fail sipalgd_start "$(sipalgd_why)"
		return 1
		;;
	esac
}
