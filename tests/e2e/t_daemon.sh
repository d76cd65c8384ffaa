#!/bin/bash
# t_daemon.sh - sipalgd itself (owner: daemon): control socket and CLI,
# UDP bindings (port kept, media-range ports avoided, outside traffic with
# no binding dropped), TCP framing (pipelined and split messages, RFC 5626
# keep-alives both ways), TCP limits (partial-message timeout, connections
# per source), SIGHUP reload keeping state, SIGTERM cleanup, and the
# refusal to run beside the kernel's SIP helper; `sipalg calls|pinholes|
# clear` on a live call, and the media inactivity timer fed by the kernel
# pinhole counters.
. "$(dirname "$0")/lib.sh"
. "$E2E_LIB/steps.sh"

topo_up 2 || { fail topology "could not build the namespaces"; e2e_exit; }
DT=$E2E_DIR/dt.py
cat >"$DT" <<'PY'
import socket, sys, time
def hp(s):
	h, _, p = s.rpartition(":"); return h, int(p)
def sipmsg(n, via):
	return ("OPTIONS sip:srv@203.0.113.20 SIP/2.0\r\nVia: SIP/2.0/%s;branch=z9hG4bK-dt%d;rport\r\n"
		"From: <sip:dt@192.168.1.10>;tag=a%d\r\nTo: <sip:srv@203.0.113.20>\r\n"
		"Call-ID: dt-%d@192.168.1.10\r\nCSeq: %d OPTIONS\r\nMax-Forwards: 70\r\n"
		"Content-Length: 0\r\n\r\n" % (via, n, n, n, n)).encode()
def resp(n):
	return ("SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 192.168.1.10:5090;branch=z9hG4bK-dt%d;rport\r\n"
		"From: <sip:dt@192.168.1.10>;tag=a%d\r\nTo: <sip:srv@203.0.113.20>;tag=b\r\n"
		"Call-ID: dt-%d@192.168.1.10\r\nCSeq: %d OPTIONS\r\nContent-Length: 0\r\n\r\n" % (n, n, n, n)).encode()
cmd = sys.argv[1]
if cmd == "udp-server":   # answer one OPTIONS, print who sent it
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(hp(sys.argv[2])); s.settimeout(10)
	d, a = s.recvfrom(65535)
	print("%s:%d %s" % (a[0], a[1], d.split(b"\r\n")[0].decode()), flush=True)
	s.sendto(b"SIP/2.0 200 OK\r\n" + d.split(b"\r\n", 1)[1], a)
elif cmd == "udp-client": # send one OPTIONS from SRC, print who answered
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(hp(sys.argv[2])); s.settimeout(5)
	s.sendto(sipmsg(1, "UDP " + sys.argv[2]), hp(sys.argv[3]))
	try:
		d, a = s.recvfrom(65535); print("%s:%d %s" % (a[0], a[1], d.split(b"\r\n")[0].decode()))
	except socket.timeout:
		print("timeout")
elif cmd == "udp-listen": # count datagrams for N seconds
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(hp(sys.argv[2])); s.settimeout(float(sys.argv[3]))
	n = 0
	try:
		while True: s.recvfrom(65535); n += 1
	except socket.timeout:
		print(n)
elif cmd == "udp-blind":  # send one datagram
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(hp(sys.argv[2]))
	s.sendto(sipmsg(9, "UDP " + sys.argv[2]), hp(sys.argv[3]))
elif cmd == "tcp-server": # read 3 messages, answer 2 in one write plus a ping
	ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(hp(sys.argv[2])); ls.listen(4); ls.settimeout(10)
	c, a = ls.accept(); c.settimeout(5); got = b""
	while got.count(b"OPTIONS sip:") < 3 or not got.endswith(b"\r\n\r\n") or b"\r\n\r\n\r\n\r\n" not in got:
		b = c.recv(65535)
		if not b: break
		got += b
	print("from=%s:%d options=%d ping=%d" % (a[0], a[1], got.count(b"OPTIONS sip:"),
		int(b"\r\n\r\n\r\n\r\n" in got)), flush=True)
	c.sendall(resp(1) + resp(2) + b"\r\n\r\n")
	time.sleep(1)
elif cmd == "tcp-client": # 3 pipelined OPTIONS + a ping, in 7-byte writes
	s = socket.create_connection(hp(sys.argv[3]), timeout=5, source_address=hp(sys.argv[2]))
	s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	data = sipmsg(1, "TCP 192.168.1.10:5090") + sipmsg(2, "TCP 192.168.1.10:5090") + b"\r\n\r\n" + sipmsg(3, "TCP 192.168.1.10:5090")
	for i in range(0, len(data), 7):
		s.sendall(data[i:i + 7]); time.sleep(0.002)
	got = b""
	try:
		while got.count(b"SIP/2.0 200") < 2 or not got.endswith(b"\r\n\r\n\r\n\r\n"):
			b = s.recv(65535)
			if not b: break
			got += b
	except socket.timeout:
		pass
	print("responses=%d ping=%d" % (got.count(b"SIP/2.0 200 OK"), int(got.endswith(b"\r\n\r\n\r\n\r\n"))))
elif cmd == "tcp-partial": # half a message, then see how long until closed
	s = socket.create_connection(hp(sys.argv[2]), timeout=8)
	s.sendall(sipmsg(5, "TCP 192.168.1.10:5091")[:40]); t = time.time()
	try:
		b = s.recv(10); print("closed after %.1f" % (time.time() - t) if not b else "data")
	except socket.timeout:
		print("still open")
	except ConnectionResetError:
		print("closed after %.1f" % (time.time() - t))
elif cmd == "tcp-hold":   # accept connections for N seconds, keep them open
	ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(hp(sys.argv[2])); ls.listen(16); ls.settimeout(0.2); keep = []; t = time.time()
	while time.time() - t < float(sys.argv[3]):
		try:
			keep.append(ls.accept()[0])
		except socket.timeout:
			pass
elif cmd == "tcp-many":   # open N connections, count the ones still open after 1 s
	socks = [socket.create_connection(hp(sys.argv[2]), timeout=3) for _ in range(int(sys.argv[3]))]
	time.sleep(1); alive = 0
	for s in socks:
		s.setblocking(False)
		try:
			alive += 0 if s.recv(1) == b"" else 1
		except BlockingIOError:
			alive += 1
		except ConnectionResetError:
			pass
	print(alive)
PY

dpid() { # the sipalgd process in the router namespace
	local p
	for p in $(ip netns pids "$NS_ROUTER"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = sipalgd ] && echo "$p"
	done
}
ctl() { nsx "$NS_ROUTER" "$BUILD/sipalg" -s "$SIPALGD_CTL" "$@"; }
stat_of() { ctl stats | awk -v k="$1" '$1 == k { print $2 }'; }

# --- refusal beside the kernel helper (before anything else runs) ---
attach_kernel_sip_helper
if start_sipalgd; then
	fail refuses_kernel_helper "started with nf_conntrack_sip attached"
	stop_sipalgd
else
	if [ "$SIPALGD_RC" = 1 ] && grep -q "refusing to start" "$SIPALGD_LOG"; then
		pass refuses_kernel_helper
	else
		fail refuses_kernel_helper "exit ${SIPALGD_RC:-?}: $(head -c 200 "$SIPALGD_LOG")"
	fi
fi
detach_kernel_sip_helper

start_sipalgd "tcp_partial_timeout = 1s" "tcp_max_per_source = 3" \
	"media_timeout = 3s" "media_poll_interval = 1s" "sip_ports = 5060 5080" ||
	{ fail sipalgd_start "$(sipalgd_why)"; e2e_exit; }
PID=$(dpid)

# A second instance must not tear down the first one's table.
out=$(nsx "$NS_ROUTER" "$BUILD/sipalgd" -c "$SIPALGD_CONF" -f 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "another sipalgd" && kill -0 "$PID" &&
	nsx "$NS_ROUTER" nft list table ip sipalg >/dev/null 2>&1; then
	pass second_instance_refused
else
	fail second_instance_refused "rc=$rc: $out"
fi

# --- control socket ---
out=$(ctl stats)
if echo "$out" | grep -q '^uptime_seconds [0-9]' && echo "$out" | grep -q '^bindings 0$'; then
	pass ctl_stats
else
	fail ctl_stats "got: $(echo "$out" | head -3 | tr '\n' ' ')"
fi
out=$(ctl metrics)
if echo "$out" | grep -q '^# TYPE sipalg_udp_rx_inside_total counter$' &&
	echo "$out" | grep -q '^sipalg_bindings [0-9]'; then
	pass ctl_metrics_prometheus
else
	fail ctl_metrics_prometheus "got: $(echo "$out" | head -3 | tr '\n' ' ')"
fi
out=$(ctl frobnicate 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$out" | grep -q "^error: unknown command"; then
	pass ctl_unknown_command
else
	fail ctl_unknown_command "rc=$rc: $out"
fi

# --- UDP: the phone's port is kept, answers come from the server ---
bg_start udpsrv "$NS_SERVER" python3 "$DT" udp-server "$SERVER_IP:5060"
sleep 0.3
out=$(nsx "$NS_PHONE" python3 "$DT" udp-client "$PHONE_IP:5070" "$SERVER_IP:5060")
bg_wait "$BG_PID" 5
srv=$(cat "$E2E_DIR/udpsrv.out")
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "got '$2', want '$3'"; fi; }
expect udp_leaves_from_binding_port "${srv%% *}" "$PUBLIC_IP:5070"
expect udp_answer_from_server "$out" "$SERVER_IP:5060 SIP/2.0 200 OK"
out=$(ctl bindings)
if echo "$out" | grep -q "inside=$PHONE_IP:5070 public=$PUBLIC_IP:5070 transport=udp"; then
	pass ctl_bindings_lists_binding
else
	fail ctl_bindings_lists_binding "got: $out"
fi

# A server on another SIP port (5080): its answer reaches the phone from
# server:5080 (a transparent socket bound to that address and port).
bg_start udpsrv5080 "$NS_SERVER" python3 "$DT" udp-server "$SERVER_IP:5080"
sleep 0.3
out=$(nsx "$NS_PHONE" python3 "$DT" udp-client "$PHONE_IP:5072" "$SERVER_IP:5080")
bg_wait "$BG_PID" 5
expect udp_other_server_port_answer_source "$out" "$SERVER_IP:5080 SIP/2.0 200 OK"

# A second phone on the same port gets another public port, and its answer
# comes back to it, not to the first phone.
bg_start udpsrv3 "$NS_SERVER" python3 "$DT" udp-server "$SERVER_IP:5060"
sleep 0.3
out=$(nsx "$NS_PHONE2" python3 "$DT" udp-client "$PHONE2_IP:5070" "$SERVER_IP:5060")
bg_wait "$BG_PID" 5
srv=$(cut -d' ' -f1 "$E2E_DIR/udpsrv3.out")
case $srv in
"$PUBLIC_IP:5070" | "") fail udp_second_phone_own_binding "server saw '$srv'" ;;
"$PUBLIC_IP:"*) expect udp_second_phone_own_binding "$out" "$SERVER_IP:5060 SIP/2.0 200 OK" ;;
*) fail udp_second_phone_own_binding "server saw '$srv'" ;;
esac

# SIP to the router's own LAN address is not a NAT case: no binding, no loop.
before=$(stat_of bindings_created)
nsx "$NS_PHONE" python3 "$DT" udp-blind "$PHONE_IP:5071" "$ROUTER_LAN_IP:5060"
sleep 0.5
after=$(stat_of bindings_created)
if [ "$before" = "$after" ] && grep -q "dst=$ROUTER_LAN_IP:5060 .*to this host" "$SIPALGD_LOG"; then
	pass udp_to_router_itself_not_proxied
else
	fail udp_to_router_itself_not_proxied "bindings_created $before -> $after"
fi

# A phone port inside the media range is not kept (the DNAT map owns it).
bg_start udpsrv2 "$NS_SERVER" python3 "$DT" udp-server "$SERVER_IP:5060"
sleep 0.3
nsx "$NS_PHONE" python3 "$DT" udp-client "$PHONE_IP:$((MEDIA_MIN + 10))" "$SERVER_IP:5060" >/dev/null
bg_wait "$BG_PID" 5
p=$(cut -d' ' -f1 "$E2E_DIR/udpsrv2.out" | cut -d: -f2)
if [ -n "$p" ] && { [ "$p" -lt "$MEDIA_MIN" ] || [ "$p" -gt "$MEDIA_MAX" ]; }; then
	pass udp_media_range_port_not_kept
else
	fail udp_media_range_port_not_kept "public port '$p' (media $MEDIA_MIN-$MEDIA_MAX)"
fi

# Outside -> public:5060 with no binding on that port: never reaches the phone.
before=$(stat_of not_inside)
bg_start blind "$NS_PHONE" python3 "$DT" udp-listen "$PHONE_IP:5060" 2
sleep 0.3
nsx "$NS_SERVER" python3 "$DT" udp-blind "$SERVER_IP:5060" "$PUBLIC_IP:5060"
bg_wait "$BG_PID" 5
after=$(stat_of not_inside)
if [ "$(cat "$E2E_DIR/blind.out")" = 0 ] && [ "${after:-0}" -gt "${before:-0}" ]; then
	pass udp_unsolicited_outside_dropped
else
	fail udp_unsolicited_outside_dropped "phone got $(cat "$E2E_DIR/blind.out"), not_inside $before -> $after"
fi

# --- TCP: pipelined + split messages, keep-alives both ways ---
bg_start tcpsrv "$NS_SERVER" python3 "$DT" tcp-server "$SERVER_IP:5060"
sleep 0.3
out=$(nsx "$NS_PHONE" python3 "$DT" tcp-client "$PHONE_IP:5090" "$SERVER_IP:5060")
bg_wait "$BG_PID" 10
srv=$(cat "$E2E_DIR/tcpsrv.out")
expect tcp_pipelined_split_at_server "$srv" "from=$PUBLIC_IP:5090 options=3 ping=1"
expect tcp_responses_and_ping_at_phone "$out" "responses=2 ping=1"

# Half a message: closed after tcp_partial_timeout (1 s) + the 1 s tick.
bg_start tcpsink "$NS_SERVER" python3 "$E2E_LIB/nettool.py" tcp-sink "$SERVER_IP:5060" "$E2E_DIR/sink.bin" 6 0
sleep 0.3
out=$(nsx "$NS_PHONE" python3 "$DT" tcp-partial "$SERVER_IP:5060")
bg_wait "$BG_PID" 10
case $out in
"closed after "[123].*) pass tcp_partial_timeout ;;
*) fail tcp_partial_timeout "$out" ;;
esac

# tcp_max_per_source = 3: a fourth connection is closed at once.
bg_start hold "$NS_SERVER" python3 "$DT" tcp-hold "$SERVER_IP:5060" 4
sleep 0.3
out=$(nsx "$NS_PHONE" python3 "$DT" tcp-many "$SERVER_IP:5060" 4 2>&1)
bg_wait "$BG_PID" 8
expect tcp_max_per_source "$out" 3

# --- a live call: calls, pinholes, clear; then the media timer ---
media_init
call_bg() { # NAME: a call from the phone that stays up 20 s after 1 s of RTP
	sipp_bg "$1_srv" "$NS_SERVER" -sf "$E2E_SCEN/call_uas.xml" -i "$SERVER_IP" -p 5060 \
		-mi "$SERVER_IP" -mp 6000 -m 1
	wait_listen "$NS_SERVER" 5060
	sipp_bg "$1_ph" "$NS_PHONE" -sf "$E2E_SCEN/call_uac.xml" "$SERVER_IP:5060" \
		-i "$PHONE_IP" -p 5060 -mi "$PHONE_IP" -mp 6000 -m 1 -s bob -d 20000
}
call_bg clr
sleep 1.5
out=$(ctl calls)
if [ "$(echo "$out" | grep -c 'state=confirmed direction=out')" = 1 ]; then
	pass ctl_calls_lists_call
else
	fail ctl_calls_lists_call "got: $out"
fi
out=$(ctl pinholes)
if [ "$(echo "$out" | grep -c "inside=$PHONE_IP:600[01]")" = 2 ] && echo "$out" | grep -q 'pkts_out=[1-9]'; then
	pass ctl_pinholes_with_counters
else
	fail ctl_pinholes_with_counters "got: $out"
fi
out=$(ctl clear)
sleep 0.3
if [ "$out" = "cleared=1" ] && grep -q "event=call_end .*reason=cleared" "$SIPALGD_LOG" &&
	[ -z "$(pinholes)" ] && [ -z "$(ctl calls)" ]; then
	pass ctl_clear_ends_call
else
	fail ctl_clear_ends_call "answer '$out', pinholes '$(pinholes | tr '\n' ';')'"
fi
nsx "$NS_SERVER" pkill -f "clr_srv" 2>/dev/null
nsx "$NS_PHONE" pkill -f "clr_ph" 2>/dev/null
sleep 0.5

# RTP for 1 s, then silence: media_timeout (3 s) ends the call.
call_bg mto
for i in $(seq 100); do
	grep -q "event=call_end .*reason=media_timeout" "$SIPALGD_LOG" && break
	sleep 0.1
done
rec=$(grep "event=call_end .*reason=media_timeout" "$SIPALGD_LOG" | head -n1)
if [ -n "$rec" ] && [ -z "$(pinholes)" ] && echo "$rec" | grep -q "pkts_out=[1-9]"; then
	pass media_timeout_ends_silent_call
else
	fail media_timeout_ends_silent_call "record '$rec', pinholes '$(pinholes | tr '\n' ';')'"
fi

# --- SIGHUP: reload keeps bindings; a bad file keeps the old config ---
sed -i 's/^log_level = .*/log_level = notice/' "$SIPALGD_CONF"
kill -HUP "$PID"
sleep 0.5
if kill -0 "$PID" 2>/dev/null && grep -q "event=reload" "$SIPALGD_LOG" &&
	ctl bindings | grep -q "inside=$PHONE_IP:5070"; then
	pass sighup_reload_keeps_bindings
else
	fail sighup_reload_keeps_bindings "alive=$(kill -0 "$PID" 2>/dev/null && echo yes); $(tail -n 2 "$SIPALGD_LOG" | tr '\n' ' ')"
fi
# A reload that changes the SIP ports: the new port is intercepted and
# answered from the right source (firewall rebuilt, listeners reopened).
sed -i 's/^sip_ports = 5060 5080$/sip_ports = 5060 5090/' "$SIPALGD_CONF"
kill -HUP "$PID"
sleep 0.5
bg_start udpsrv5090 "$NS_SERVER" python3 "$DT" udp-server "$SERVER_IP:5090"
sleep 0.3
out=$(nsx "$NS_PHONE" python3 "$DT" udp-client "$PHONE_IP:5073" "$SERVER_IP:5090")
bg_wait "$BG_PID" 5
expect sighup_new_sip_port "$out" "$SERVER_IP:5090 SIP/2.0 200 OK"

echo "media_timeout = never" >>"$SIPALGD_CONF"
kill -HUP "$PID"
sleep 0.5
if kill -0 "$PID" 2>/dev/null && grep -q "event=config_error.*media_timeout" "$SIPALGD_LOG"; then
	pass sighup_bad_config_kept_running
else
	fail sighup_bad_config_kept_running "$(tail -n 2 "$SIPALGD_LOG" | tr '\n' ' ')"
fi

# --- SIGTERM: table, policy rule and control socket removed ---
kill -TERM "$PID"
for i in $(seq 50); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$PID" 2>/dev/null; then
	fail sigterm_exits "still running after 5 s"
else
	pass sigterm_exits
fi
left=""
nsx "$NS_ROUTER" nft list table ip sipalg >/dev/null 2>&1 && left="$left table"
nsx "$NS_ROUTER" ip rule | grep -q "fwmark 0x5a" && left="$left rule"
[ -S "$SIPALGD_CTL" ] && left="$left socket"
if [ -z "$left" ]; then pass sigterm_cleans_up; else fail sigterm_cleans_up "left:$left"; fi
SIPALGD_PID=

e2e_exit
