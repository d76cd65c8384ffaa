#!/usr/bin/env python3
"""nettool.py - small UDP/TCP helpers for the end-to-end tests (stdlib only).

  udp-send SRC_IP:PORT DST_IP:PORT COUNT   COUNT RTP-sized datagrams, 20 ms apart
  tcp-sink IP:PORT OUT [IDLE_S [ECHO]]   accept one connection, write every byte
                                           received to OUT, echo it back (unless ECHO
                                           is 0), stop after IDLE_S (1.5) s idle
  tcp-send DST_IP:PORT IN OUT CHUNK DELAY_MS [SRC_IP:PORT]
                                           send IN in CHUNK-byte writes (TCP_NODELAY,
                                           DELAY_MS apart), write what comes back to OUT
  tls-server IP:PORT CERT KEY OUT           one TLS connection: record and echo
  tls-client DST_IP:PORT CERT IN OUT       send IN over TLS, trusting CERT
  udp-sink IP:PORT OUT [SRC_OUT]           write the first datagram received to OUT
                                           (and its source IP:PORT to SRC_OUT)
  udp-file SRC_IP:PORT DST_IP:PORT IN      send IN as one datagram
  sip-invite FILE FROM_IP:PORT TO_IP:PORT [TRANSPORT [PAD]]
                                           write a SIP INVITE with an SDP body whose
                                           Content-Length is right (CRLF lines),
                                           padded by about PAD bytes of a= lines
"""
import socket
import ssl
import sys
import time


def hostport(s):
	h, _, p = s.rpartition(":")
	return h, int(p)


def udp_send(src, dst, count):
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(hostport(src))
	for i in range(int(count)):
		s.sendto(bytes([0x80, 8, 0, i & 0xFF]) + b"\x00" * 168, hostport(dst))
		time.sleep(0.02)
	return 0


def tcp_sink(addr, out, idle="1.5", echo="1"):
	ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(hostport(addr))
	ls.listen(1)
	ls.settimeout(20)
	c, _ = ls.accept()
	c.settimeout(float(idle))
	got = b""
	while True:
		try:
			b = c.recv(65536)
		except socket.timeout:
			break
		if not b:
			break
		got += b
		if echo == "1":
			c.sendall(b)
	with open(out, "wb") as f:
		f.write(got)
	c.close()
	return 0


def udp_sink(addr, out, src_out=None):
	"""Write the first datagram that arrives (10 s at most) to OUT, and
	its source IP:PORT to SRC_OUT if given."""
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(hostport(addr))
	s.settimeout(10)
	d, src = s.recvfrom(65535)
	open(out, "wb").write(d)
	if src_out:
		open(src_out, "w").write("%s:%d\n" % src)
	return 0


def udp_file(src, dst, inp):
	"""Send IN as one datagram (IP fragments it if it exceeds the MTU)."""
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind(hostport(src))
	s.sendto(open(inp, "rb").read(), hostport(dst))
	return 0


def tcp_send(dst, inp, out, chunk, delay_ms, src=None):
	data = open(inp, "rb").read()
	s = socket.create_connection(hostport(dst), timeout=10,
		source_address=hostport(src) if src else None)
	s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	n = int(chunk)
	for i in range(0, len(data), n):
		s.sendall(data[i:i + n])
		time.sleep(int(delay_ms) / 1000.0)
	got = b""
	s.settimeout(3)
	try:
		while len(got) < len(data):
			b = s.recv(65536)
			if not b:
				break
			got += b
	except socket.timeout:
		pass
	with open(out, "wb") as f:
		f.write(got)
	s.close()
	return 0


def sip_invite(path, frm, to, transport="tcp", pad="0"):
	fh, fp = hostport(frm)
	th, tp = hostport(to)
	body = ("v=0\r\no=alice 7 7 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
		"m=audio 6000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n" % (fh, fh))
	# Padding as SDP attribute lines (RFC 4566 §5.13 allows unknown ones).
	for i in range(int(pad) // 72):
		body += "a=x-pad:%04d%s\r\n" % (i, "p" * 60)
	head = ("INVITE sip:bob@%s:%d;transport={T} SIP/2.0\r\n"
		"Via: SIP/2.0/{TU} %s:%d;branch=z9hG4bK-split-1;rport\r\n"
		"From: \"Alice %s\" <sip:alice@%s>;tag=split1\r\n"
		"To: <sip:bob@%s>\r\n"
		"Call-ID: split-1@%s\r\n"
		"CSeq: 1 INVITE\r\n"
		"Contact: <sip:alice@%s:%d;transport={T}>\r\n"
		"Max-Forwards: 70\r\n"
		"Content-Type: application/sdp\r\n"
		"Content-Length: %d\r\n\r\n" % (th, tp, fh, fp, fh, fh, th, fh, fh, fp, len(body)))
	head = head.replace("{T}", transport).replace("{TU}", transport.upper())
	with open(path, "wb") as f:
		f.write((head + body).encode())
	return 0


def tls_server(addr, cert, key, out):
	"""Accept one TLS connection, record the cleartext, echo it back."""
	ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
	ctx.load_cert_chain(cert, key)
	ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	ls.bind(hostport(addr))
	ls.listen(1)
	ls.settimeout(20)
	c, _ = ls.accept()
	t = ctx.wrap_socket(c, server_side=True)
	t.settimeout(1.5)
	got = b""
	while True:
		try:
			b = t.recv(65536)
		except (socket.timeout, ssl.SSLError):
			break
		if not b:
			break
		got += b
		t.sendall(b)
	open(out, "wb").write(got)
	return 0


def tls_client(dst, cafile, inp, out):
	"""Send IN over TLS (the server's self-signed cert is the only CA)."""
	ctx = ssl.create_default_context(cafile=cafile)
	ctx.check_hostname = False
	data = open(inp, "rb").read()
	s = ctx.wrap_socket(socket.create_connection(hostport(dst), timeout=10))
	s.sendall(data)
	got = b""
	s.settimeout(3)
	try:
		while len(got) < len(data):
			b = s.recv(65536)
			if not b:
				break
			got += b
	except socket.timeout:
		pass
	open(out, "wb").write(got)
	s.close()
	return 0


CMDS = {"udp-sink": udp_sink, "udp-file": udp_file, "tls-server": tls_server, "tls-client": tls_client,"udp-send": udp_send, "tcp-sink": tcp_sink, "tcp-send": tcp_send,
	"sip-invite": sip_invite}

if __name__ == "__main__":
	sys.exit(CMDS[sys.argv[1]](*sys.argv[2:]))
