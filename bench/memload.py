#!/usr/bin/env python3
"""memload.py - SIP load for bench/bench_memory.sh (python3 stdlib only).

  memload.py server IP PORT
      Stateless responder: 200 OK to every REGISTER (Contact;expires=3600)
      and to every INVITE (with SDP, media on IP), nothing to ACK.  Answers
      go to the datagram's source (the router's public address:port).
  memload.py register N PHONE_IP BASE_PORT SERVER_IP
  memload.py call N PHONE_IP BASE_PORT SERVER_IP MEDIA_BASE
      N UDP sockets on PHONE_IP:BASE_PORT.. (one inside endpoint each); each
      sends one REGISTER (Expires: 3600) or one INVITE with SDP (then ACKs
      the 200 and never hangs up).  At most WINDOW requests are unanswered
      at a time; an unanswered request is retransmitted after RETRY s.
      Prints "done ok=N sent=S retrans=R secs=T"; exits 1 unless all N got
      their 200.
"""
import hashlib
import select
import socket
import sys
import time

WINDOW = 200
RETRY = 1.0
LIMIT = 60.0


def header(msg, name):
	for line in msg.split("\r\n"):
		if line.lower().startswith(name.lower() + ":"):
			return line
	return None


def sdp(ip, port, sess):
	body = ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		"m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n") % (sess, ip, ip, port)
	return body


def serve(ip, port):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
	s.bind((ip, port))
	print("ready", flush=True)
	calls = 0
	seen = {}
	while True:
		data, src = s.recvfrom(65535)
		msg = data.decode("latin-1")
		method = msg.split(" ", 1)[0]
		if method not in ("REGISTER", "INVITE"):
			continue
		callid = header(msg, "Call-ID")
		tag = hashlib.md5(callid.encode()).hexdigest()[:10]
		lines = ["SIP/2.0 200 OK"]
		lines += [l for l in msg.split("\r\n") if l.lower().startswith("via:")]
		lines += [header(msg, "From"), header(msg, "To") + ";tag=" + tag,
			  callid, header(msg, "CSeq")]
		body = ""
		if method == "REGISTER":
			lines.append(header(msg, "Contact") + ";expires=3600")
		else:
			if callid not in seen:
				seen[callid] = calls
				calls += 1
			mport = 20000 + 2 * (seen[callid] % 20000)
			lines.append("Contact: <sip:callee@%s:%d>" % (ip, port))
			lines.append("Content-Type: application/sdp")
			body = sdp(ip, mport, seen[callid])
		lines.append("Content-Length: %d" % len(body))
		s.sendto(("\r\n".join(lines) + "\r\n\r\n" + body).encode(), src)


def request(kind, i, pip, port, sip_, mbase):
	via = "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-%s-%d;rport" % (pip, port, kind[0], i)
	common = [via, "Max-Forwards: 70"]
	contact = "Contact: <sip:u%d@%s:%d>" % (i, pip, port)
	if kind == "register":
		return "\r\n".join(["REGISTER sip:%s SIP/2.0" % sip_] + common + [
			"From: <sip:u%d@%s>;tag=f%d" % (i, sip_, i),
			"To: <sip:u%d@%s>" % (i, sip_),
			"Call-ID: reg-%d@%s" % (i, pip), "CSeq: 1 REGISTER", contact,
			"Expires: 3600", "Content-Length: 0", "", ""])
	body = sdp(pip, mbase + 2 * i, i)
	return "\r\n".join(["INVITE sip:callee@%s SIP/2.0" % sip_] + common + [
		"From: <sip:u%d@%s>;tag=c%d" % (i, sip_, i),
		"To: <sip:callee@%s>" % sip_,
		"Call-ID: call-%d@%s" % (i, pip), "CSeq: 1 INVITE", contact,
		"Content-Type: application/sdp", "Content-Length: %d" % len(body),
		"", body])


def ack(resp, i, pip, port):
	to = header(resp, "To")
	contact = header(resp, "Contact")
	uri = contact.split("<", 1)[1].split(">", 1)[0]
	return "\r\n".join(["ACK %s SIP/2.0" % uri,
		"Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK-a-%d;rport" % (pip, port, i),
		"Max-Forwards: 70", header(resp, "From"), to, header(resp, "Call-ID"),
		"CSeq: 1 ACK", "Content-Length: 0", "", ""]).encode()


def load(kind, n, pip, base, sip_, mbase):
	socks, byfd, reqs = [], {}, []
	ep = select.epoll()
	for i in range(n):
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((pip, base + i))
		s.setblocking(False)
		socks.append(s)
		byfd[s.fileno()] = i
		ep.register(s.fileno(), select.EPOLLIN)
		reqs.append(request(kind, i, pip, base + i, sip_, mbase).encode())
	dst = (sip_, 5060)
	sent_at, done = {}, set()
	nxt = sent = retrans = 0
	t0 = time.monotonic()
	while len(done) < n and time.monotonic() - t0 < LIMIT:
		while len(sent_at) < WINDOW and nxt < n:
			socks[nxt].sendto(reqs[nxt], dst)
			sent_at[nxt] = time.monotonic()
			nxt += 1
			sent += 1
		for fd, _ in ep.poll(0.05):
			i = byfd[fd]
			try:
				data = socks[i].recv(65535)
			except BlockingIOError:
				continue
			resp = data.decode("latin-1")
			if not resp.startswith("SIP/2.0 200"):
				continue
			if kind == "call":
				socks[i].sendto(ack(resp, i, pip, base + i), dst)
			done.add(i)
			sent_at.pop(i, None)
		now = time.monotonic()
		for i, t in list(sent_at.items()):
			if now - t > RETRY:
				socks[i].sendto(reqs[i], dst)
				sent_at[i] = now
				retrans += 1
	print("done ok=%d sent=%d retrans=%d secs=%.2f" % (len(done), sent, retrans,
	      time.monotonic() - t0), flush=True)
	# Let the last ACKs leave before the sockets close.
	time.sleep(0.2)
	return 0 if len(done) == n else 1


def main(a):
	if len(a) == 4 and a[1] == "server":
		serve(a[2], int(a[3]))
		return 0
	if len(a) == 6 and a[1] == "register":
		return load("register", int(a[2]), a[3], int(a[4]), a[5], 0)
	if len(a) == 7 and a[1] == "call":
		return load("call", int(a[2]), a[3], int(a[4]), a[5], int(a[6]))
	print(__doc__, file=sys.stderr)
	return 2


if __name__ == "__main__":
	sys.exit(main(sys.argv))
