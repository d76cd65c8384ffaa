# shellcheck shell=bash
# realua_lib.sh - Kamailio and baresip in the e2e namespaces, for
# t_kamailio.sh.  Source after lib.sh and topo_up.  Every process starts
# through bg_start, so topo_down kills it with the namespaces.
#
#   kam_start NS IP            Kamailio from kamailio/kamailio.cfg on IP:5060
#                              UDP+TCP in NS; log $E2E_DIR/kamailio.out;
#                              waits until its control socket answers
#   kam_rpc CMD...             kamcmd on this run's control socket
#   kam_contacts AOR           "contact received expires call-id cseq", one
#                              line per binding of AOR in the location table
#                              (received is "-" when Kamailio stored none)
#   ua_start NAME NS LISTEN USER REGINT [TRANSPORT [CTRL_PORT]]
#                              baresip NAME in NS: SIP on LISTEN (ip:port),
#                              ctrl_tcp on 127.0.0.1:CTRL_PORT (4444) of NS,
#                              account
#                              sip:USER@$SERVER_IP, auto-answer; events and
#                              responses in $E2E_DIR/NAME.ev.out (JSON lines)
#   ua_stop_all                SIGTERM every baresip and session started
#                              here, wait for them (2 s); topo_down kills
#                              what is left
#   ua_cmd NAME COMMAND [PARAMS]   a ctrl_tcp command; prints its data
#   port_set_add NS NAME MATCH... / port_set_get NS NAME
#                              UDP source ports seen at NS (nft set)
#   ua_wait_event NAME TYPE [SECS] [AFTER]
#                              until event TYPE shows in NAME.ev.out (after
#                              line AFTER); prints its line
#   ua_ev_lines NAME           number of event lines so far

KAM_SRC=$E2E_LIB/kamailio/kamailio.cfg
UA_SRC=$E2E_LIB/baresip

kam_start() {
	local ns=$1 ip=$2 d=$E2E_DIR/kam
	mkdir -p "$d"
	sed -e "s|@SERVER_IP@|$ip|g; s|@RUNDIR@|$d|g" "$KAM_SRC" >"$d/kamailio.cfg"
	KAM_CTL=unix:$d/kamailio_ctl
	KAM_NS=$ns
	bg_start kamailio "$ns" kamailio -DD -E -f "$d/kamailio.cfg" -Y "$d" -P "$d/pid" \
		-w "$d" -m 32 -M 4
	KAM_PID=$BG_PID
	for _ in $(seq 100); do
		kill -0 "$KAM_PID" 2>/dev/null || return 1
		kam_rpc core.version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

kam_rpc() {
	nsx "$KAM_NS" kamcmd -s "$KAM_CTL" "$@"
}

# kamcmd prints ul.dump as nested "Key: value" lines; one line per
# contact out of it.
kam_contacts() {
	kam_rpc ul.dump | awk -v aor="$1" '
		/AoR:/ { cur = $2 }
		cur == aor && /Address:/ { a = $2 }
		cur == aor && /Expires:/ { e = $2 }
		cur == aor && /Call-ID:/ { c = $2 }
		cur == aor && /CSeq:/ { s = $2 }
		cur == aor && /Received:/ { r = ($2 == "[not") ? "-" : $2 }
		cur == aor && /Last-Modified:/ { print a, r, e, c, s }'
}

ua_start() {
	local name=$1 ns=$2 listen=$3 user=$4 regint=$5 t=${6:-udp} d=$E2E_DIR/$1
	local ctrl=127.0.0.1:${7:-4444}
	mkdir -p "$d"
	sed -e "s|@SIP_LISTEN@|$listen|; s|@CTRL_LISTEN@|$ctrl|; s|@IFACE@|eth0|" \
		-e "s|@PLAYER@|aubridge,$name|" "$UA_SRC/config" >"$d/config"
	sed -e "s|@USER@|$user|; s|@REGISTRAR@|$SERVER_IP|; s|@TRANSPORT@|$t|" \
		-e "s|@REGINT@|$regint|" "$UA_SRC/accounts" >"$d/accounts"
	: >"$d/contacts"
	bg_start "$name" "$ns" baresip -4 -f "$d"
	UA_PIDS="${UA_PIDS:-} $BG_PID"
	for _ in $(seq 50); do
		[ -n "$(nsx "$ns" ss -Hltn "sport = :${ctrl##*:}")" ] && break
		sleep 0.1
	done
	mkfifo "$d/cmd"
	bg_start "$name.ev" "$ns" python3 "$UA_SRC/bctl.py" session "$ctrl" "$d/cmd"
	UA_PIDS="$UA_PIDS $BG_PID"
	UA_SEQ=0
	# Events before the session connects are lost: wait for it (5 s).
	for _ in $(seq 50); do
		grep -qs '"connected"' "$E2E_DIR/$name.ev.out" && return 0
		sleep 0.1
	done
	return 1
}

# ua_cmd NAME COMMAND [PARAMS]: send it through NAME's session, wait for
# the response (5 s), print its data, return 1 unless it was ok.
ua_cmd() {
	local name=$1 tok l
	shift
	UA_SEQ=$((UA_SEQ + 1))
	tok=tok$UA_SEQ.$$
	echo "$tok $*" >"$E2E_DIR/$name/cmd"
	for _ in $(seq 50); do
		l=$(grep -m1 "\"token\": \"$tok\"" "$E2E_DIR/$name.ev.out")
		if [ -n "$l" ]; then
			python3 -c 'import json,sys; o=json.loads(sys.argv[1]); print(o.get("data","")); sys.exit(0 if o.get("ok") else 1)' "$l"
			return
		fi
		sleep 0.1
	done
	return 1
}

ua_ev_lines() {
	wc -l <"$E2E_DIR/$1.ev.out"
}

# ua_wait_event NAME TYPE [SECS] [AFTER]: the first event TYPE after line
# AFTER of NAME's log, printed; 1 if none came within SECS (10).
ua_wait_event() {
	local name=$1 type=$2 secs=${3:-10} after=${4:-0} l
	for _ in $(seq $((secs * 10))); do
		l=$(tail -n +$((after + 1)) "$E2E_DIR/$name.ev.out" | grep -m1 "\"type\": \"$type\"")
		if [ -n "$l" ]; then
			echo "$l"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# port_set_add NS NAME MATCH...: remember the UDP source port of every
# packet matching MATCH at NS's input (a dynamic nft set next to lib.sh's
# counters).  port_set_get NS NAME: those ports, sorted, space-separated.
port_set_add() {
	local ns=$1 name=$2
	shift 2
	if ! nsx "$ns" nft list table ip e2e_count >/dev/null 2>&1; then
		nsx "$ns" nft -f - <<-'EOF2' || return 1
		table ip e2e_count {
			chain in { type filter hook input priority -300; policy accept; }
		}
		EOF2
	fi
	nsx "$ns" nft add set ip e2e_count "$name" '{ type inet_service; flags dynamic; }' &&
		nsx "$ns" nft add rule ip e2e_count in "$@" add @"$name" '{ udp sport }'
}

port_set_get() {
	nsx "$1" nft list set ip e2e_count "$2" 2>/dev/null | tr -d '\n' |
		sed -n 's/.*elements = {\([^}]*\)}.*/\1/p' | tr -cs '0-9' '\n' |
		sed '/^$/d' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

ua_stop_all() {
	local p
	for p in ${UA_PIDS:-}; do
		kill -TERM "$p" 2>/dev/null
	done
	for p in ${UA_PIDS:-}; do
		bg_wait "$p" 2 >/dev/null 2>&1
	done
	UA_PIDS=
}
