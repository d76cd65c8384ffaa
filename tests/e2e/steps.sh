# steps.sh - SIP steps shared by the end-to-end tests and the demo.
# Source after lib.sh and topo_up.  Each step returns 0 or 1 and leaves
# STEP_WHY (one line, why it failed) and the logs it made in $E2E_DIR
# (SIPp message logs NAME_srv.msg, NAME_ph.msg, read with siplog.py).
#
#   media_init                      make $E2E_DIR/rtp.pcap ($RTP_N packets)
#   step_register NAME EXPIRES [T] [PHONE_NS PHONE_IP]
#       REGISTER from the phone to the server's registrar (T = u1 | t1);
#       sets REG_BINDING (host:port the server would call the phone at)
#   step_call NAME DIR [T] [PHONE_NS PHONE_IP SRV_IP TARGET UAC UAS]
#       DIR out: the phone calls the server; in: the server calls TARGET
#       (the phone's binding).  Scenarios default to call_uac/call_uas.
#       Sets RTP_AT_PHONE / RTP_AT_SERVER (packets received, from the
#       peer's public address, on media port 6000) and checks both >= RTP_MIN.
#   rtp_count_setup NAME NS SRV_IP  counters NAME_ph / NAME_srv for one call
#   wait_listen NS PORT [T]         until something listens there (3 s)
#   pair_why PH SRV RC RC           why a SIPp pair failed + lost messages
#   step_check NAME / rtp_check NAME / expect_eq NAME GOT WANT WHAT
#                                   print the PASS/FAIL line for a check
#   is_public_hp HOST:PORT          true if HOST is the router's public address
#   pinhole_watch_start / _stop     record media map elements while a call runs
#   siplog ARGS...                  tests/e2e/siplog.py

RTP_N=${RTP_N:-50}
RTP_MIN=${RTP_MIN:-40}
STEP_SEQ=0

siplog() {
	python3 "$E2E_LIB/siplog.py" "$@"
}

media_init() {
	python3 "$E2E_LIB/mkrtp.py" "$E2E_DIR/rtp.pcap" "$RTP_N"
}

# wait_listen NS PORT [PROTO]: until something listens there (3 s).
wait_listen() {
	local i opt=-Hlun
	[ "${3:-u1}" = t1 ] && opt=-Hltn
	for i in $(seq 30); do
		[ -n "$(nsx "$1" ss $opt "sport = :$2")" ] && return 0
		sleep 0.1
	done
	return 1
}

# sipp_status NAME RC: a readable reason for a SIPp failure.
sipp_status() {
	local err
	# SIPp's error log runs events together, each after a timestamp.
	err=$(tr -d '\n' <"$E2E_DIR/$1.err" 2>/dev/null |
		sed 's/[0-9]\{4\}-[0-9-]*\t[0-9:.]*\t[0-9.]*: /\n/g' |
		grep -v -e 'prefers looking for pcap' -e 'The following events' |
		tail -n 1 | cut -c1-200)
	case $2 in
	124) echo "$1: sipp did not finish in time${err:+ ($err)}" ;;
	*) echo "$1: sipp exit $2${err:+ ($err)}" ;;
	esac
}

# wait_msgs FILE DIR START N SECS: until FILE logs N such messages.
wait_msgs() {
	local i
	for i in $(seq $(($5 * 10))); do
		[ "$(siplog count "$1" "$2" "$3" 2>/dev/null || echo 0)" -ge "$4" ] && return 0
		sleep 0.1
	done
	return 1
}

# pair_check NAME PH SRV PH_PID SRV_PID SECS: the phone/server SIPp pair
# PH/SRV ends well, the phone within SECS and then the server within 5 s.
pair_check() {
	local rc rc2
	bg_wait "$4" "$6"
	rc=$?
	bg_wait "$5" 5
	rc2=$?
	if [ "$rc" = 0 ] && [ "$rc2" = 0 ]; then
		pass "$1"
	else
		fail "$1" "$(pair_why "$2" "$3" "$rc" "$rc2")"
	fi
}

# pair_why PH SRV RC_PH RC_SRV: why a phone/server SIPp pair failed, with
# the messages that were lost on the way (siplog.py lost).
pair_why() {
	local why='' lost
	[ "$3" = 0 ] || why="$(sipp_status "$1" "$3")"
	[ "$4" = 0 ] || why="${why:+$why; }$(sipp_status "$2" "$4")"
	lost=$(siplog lost "$E2E_DIR/$1.msg" "$E2E_DIR/$2.msg" phone server 2>/dev/null)
	echo "$why${lost:+; lost: $lost}"
}

step_register() {
	local name=$1 exp=$2 t=${3:-u1} ns=${4:-$NS_PHONE} ip=${5:-$PHONE_IP} rc srv hp
	STEP_WHY=
	REG_BINDING=
	sipp_bg "${name}_srv" "$NS_SERVER" -sf "$E2E_SCEN/reg_uas.xml" -t "$t" \
		-i "$SERVER_IP" -p 5060 -m 1
	srv=$BG_PID
	wait_listen "$NS_SERVER" 5060 "$t"
	sipp_fg "${name}_ph" "$ns" -sf "$E2E_SCEN/reg_uac.xml" "$SERVER_IP:5060" -t "$t" \
		-i "$ip" -p 5060 -m 1 -s phone -key expires "$exp"
	rc=$?
	bg_wait "$srv" 5
	if [ "$rc" != 0 ]; then
		STEP_WHY=$(pair_why "${name}_ph" "${name}_srv" "$rc" 0)
		return 1
	fi
	hp=$(siplog get "$E2E_DIR/${name}_srv.msg" recv REGISTER uri_hp:Contact)
	REG_BINDING=$hp
	# Without an ALG only a registrar that uses the source address (RFC
	# 3581 rport, the NAT's own mapping) can reach the phone.
	case $hp in 192.168.*) REG_BINDING=$PUBLIC_IP:5060 ;; esac
	return 0
}

# rtp_count_setup NAME PHONE_NS SRV_IP: counters for one call.
rtp_count_setup() {
	count_add "$2" "$1_ph" ip saddr "$3" udp dport 6000 &&
		count_add "$NS_SERVER" "$1_srv" ip daddr "$3" ip saddr "$PUBLIC_IP" udp dport 6000
}

step_call() {
	local name=$1 dir=$2 t=${3:-u1} ns=${4:-$NS_PHONE} ip=${5:-$PHONE_IP}
	local sip=${6:-$SERVER_IP} target=${7:-} uac=${8:-call_uac} uas=${9:-call_uas}
	local rc rc2 srv c
	STEP_WHY=
	STEP_SEQ=$((STEP_SEQ + 1))
	c=c$STEP_SEQ
	rtp_count_setup "$c" "$ns" "$sip" || { STEP_WHY="counters"; return 1; }
	if [ "$dir" = out ]; then
		sipp_bg "${name}_srv" "$NS_SERVER" -sf "$E2E_SCEN/$uas.xml" -t "$t" \
			-i "$sip" -p 5060 -mi "$sip" -mp 6000 -m 1
		srv=$BG_PID
		wait_listen "$NS_SERVER" 5060 "$t"
		sipp_fg "${name}_ph" "$ns" -sf "$E2E_SCEN/$uac.xml" "$sip:5060" -t "$t" \
			-i "$ip" -p 5060 -mi "$ip" -mp 6000 -m 1 -s bob -d 2000
		rc=$?
		bg_wait "$srv" 8
		rc2=$?
	else
		sipp_bg "${name}_ph" "$ns" -sf "$E2E_SCEN/$uas.xml" -t "$t" \
			-i "$ip" -p 5060 -mi "$ip" -mp 6000 -m 1
		srv=$BG_PID
		wait_listen "$ns" 5060 "$t"
		sipp_fg "${name}_srv" "$NS_SERVER" -sf "$E2E_SCEN/$uac.xml" "$target" -t "$t" \
			-i "$sip" -p 5060 -mi "$sip" -mp 6000 -m 1 -s phone -d 2000
		rc=$?
		bg_wait "$srv" 8
		rc2=$?
		# rc was the server's status, rc2 the phone's: phone first.
		set -- "$rc2" "$rc"
		rc=$1
		rc2=$2
	fi
	sleep 0.2
	RTP_AT_PHONE=$(count_get "$ns" "${c}_ph")
	RTP_AT_SERVER=$(count_get "$NS_SERVER" "${c}_srv")
	if [ "$rc" != 0 ] || [ "$rc2" != 0 ]; then
		STEP_WHY=$(pair_why "${name}_ph" "${name}_srv" "$rc" "$rc2")
		return 1
	fi
	return 0
}

# rtp_ok: both directions carried at least RTP_MIN of RTP_N packets.
rtp_ok() {
	[ "${RTP_AT_PHONE:-0}" -ge "$RTP_MIN" ] && [ "${RTP_AT_SERVER:-0}" -ge "$RTP_MIN" ]
}

rtp_why() {
	echo "RTP packets received: phone $RTP_AT_PHONE, server $RTP_AT_SERVER (each side sent $RTP_N, need >= $RTP_MIN)"
}

# expect_eq NAME GOT WANT WHAT: PASS if GOT = WANT, else FAIL naming WHAT.
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$4: got '$2', want '$3'"
	fi
}

# step_check NAME: PASS/FAIL from the last step's status ($?) and STEP_WHY.
step_check() {
	local rc=$?
	if [ "$rc" = 0 ]; then
		pass "$1"
	else
		fail "$1" "${STEP_WHY:-failed}"
	fi
	return $rc
}

# rtp_check NAME: PASS if RTP flowed both ways in the last call.
rtp_check() {
	if rtp_ok; then
		pass "$1"
	else
		fail "$1" "$(rtp_why)"
	fi
}

# Public address check: host of HP is the router's public address.
is_public_hp() {
	case $1 in "$PUBLIC_IP":*) return 0 ;; esac
	return 1
}

# pinhole_watch_start / pinhole_watch_stop: record sipalgd's media map
# elements every 0.2 s into $E2E_DIR/pinholes.watch while a call runs.
pinhole_watch_start() {
	: >"$E2E_DIR/pinholes.watch"
	(while :; do
		pinholes >>"$E2E_DIR/pinholes.watch"
		sleep 0.2
	done) &
	PINHOLE_WATCH=$!
	echo "$PINHOLE_WATCH" >>"$E2E_DIR/pids"
}

pinhole_watch_stop() {
	kill "$PINHOLE_WATCH" 2>/dev/null
	wait "$PINHOLE_WATCH" 2>/dev/null
}
