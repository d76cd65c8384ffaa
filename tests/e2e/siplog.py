#!/usr/bin/env python3
"""siplog.py - read SIPp message logs (-trace_msg) for the end-to-end tests.

  siplog.py get FILE DIR START FIELD [N]   print FIELD of the Nth (1-based,
                                           default 1) matching message
  siplog.py count FILE DIR START           number of matching messages
  siplog.py rawget FILE FIELD              FIELD of the one raw message in FILE
  siplog.py lost A B ANAME BNAME           messages one side sent that the other
                                           never received (by kind, CSeq, Call-ID)

DIR is `recv`, `sent` or `any`.  START is a method (INVITE) or a status
code (200), or `*`.  FIELD is a header name (first occurrence; compact
forms are not expanded), `start` (the start line), `body`, `raw`, `sdp:c`
(first c= address), `sdp:m` (first m= port), `sdp:dir` (first of
sendrecv/sendonly/recvonly/inactive, or sendrecv), `sdp:o` (o= address), `sdp:rtcp` (a=rtcp port [address]),
`uri_hp:HEADER` (host:port of the first URI in HEADER, port 5060 if none),
`totag` (tag parameter of To), `clen_ok` (1 if Content-Length equals the
body length, else 0).  Exit status 1 if no such message or field.
"""
import re
import sys

SEP = "-" * 47 + " "


def messages(path):
	"""Yield (direction, text) for each message in a SIPp message log."""
	with open(path, "rb") as f:
		data = f.read().decode("latin-1")
	blocks = data.split("\n" + SEP)
	if data.startswith(SEP):
		blocks[0] = blocks[0][len(SEP):]
	for b in blocks:
		lines = b.split("\n", 3)
		if len(lines) < 4:
			continue
		what = lines[1]
		if " message received " in what:
			d = "recv"
		elif " message sent " in what:
			d = "sent"
		else:
			continue
		text = lines[3]
		# SIPp ends each record with "\n\n"; SIP lines end with CRLF.
		while text.endswith("\n") and not text.endswith("\r\n"):
			text = text[:-1]
		yield d, text


def split(text):
	"""Headers (list of lines) and body of one message text."""
	text = text.replace("\r\n", "\n")
	head, _, body = text.partition("\n\n")
	# SIPp's log adds blank lines after each message.
	body = body.rstrip("\n")
	if body:
		body += "\n"
	return head.split("\n"), body


def matches(text, start):
	first = text.replace("\r\n", "\n").split("\n", 1)[0]
	if start == "*":
		return True
	if start.isdigit():
		return first.startswith("SIP/2.0 " + start)
	return first.startswith(start + " ")


def header(lines, name):
	for line in lines[1:]:
		k, sep, v = line.partition(":")
		if sep and k.strip().lower() == name.lower():
			return v.strip()
	return None


def sdp(body, what):
	for line in body.split("\n"):
		if what == "c" and line.startswith("c="):
			return line.split()[-1]
		if what == "o" and line.startswith("o="):
			return line.split()[-1]
		if what == "m" and line.startswith("m="):
			return line.split()[1]
		if what == "rtcp" and line.startswith("a=rtcp:"):
			# RFC 3605: a=rtcp:port [nettype addrtype address]
			f = line[7:].split()
			return f[0] + (" " + f[3] if len(f) >= 4 else "")
	if what == "dir":
		for line in body.split("\n"):
			if line.strip() in ("a=sendrecv", "a=sendonly", "a=recvonly", "a=inactive"):
				return line.strip()[2:]
		return "sendrecv"
	return None


def field(text, name):
	lines, body = split(text)
	if name == "start":
		return lines[0]
	if name == "body":
		return body
	if name == "raw":
		return text
	if name.startswith("sdp:"):
		return sdp(body, name[4:])
	if name.startswith("uri_hp:"):
		v = header(lines, name[7:])
		m = v and re.search(r"sips?:(?:[^@>;]*@)?([^;>:\s]+)(?::(\d+))?", v)
		return m and "%s:%s" % (m.group(1), m.group(2) or "5060")
	if name == "totag":
		v = header(lines, "To") or ""
		m = re.search(r";\s*tag=([^;\s>]+)", v)
		return m and m.group(1)
	if name == "clen_ok":
		v = header(lines, "Content-Length")
		n = len(text.partition("\r\n\r\n")[2].encode("latin-1"))
		return "1" if v is not None and v.isdigit() and int(v) == n else "0"
	return header(lines, name)


def key(text):
	lines, _ = split(text)
	first = lines[0].split()
	kind = first[1] if first and first[0] == "SIP/2.0" else (first[0] if first else "?")
	return (kind, header(lines, "CSeq") or "", header(lines, "Call-ID") or "")


def lost(a, b, aname, bname):
	"""Messages A sent that B never received, and the other way round."""
	out = []
	for src, dst, sn, dn in ((a, b, aname, bname), (b, a, bname, aname)):
		got = {key(t) for d, t in messages(dst) if d == "recv"}
		seen = set()
		for d, t in messages(src):
			k = key(t)
			if d == "sent" and k not in got and k not in seen:
				seen.add(k)
				out.append("%s sent %s (CSeq %s) that %s never got" % (sn, k[0], k[1], dn))
	print("; ".join(out))
	return 0


def main(argv):
	if argv[1] == "lost":
		return lost(argv[2], argv[3], argv[4], argv[5])
	if argv[1] == "rawget":
		# One message stored raw in a file (e.g. what a TCP sink received).
		v = field(open(argv[2], "rb").read().decode("latin-1"), argv[3])
		if v is None:
			return 1
		sys.stdout.write(v if v.endswith("\n") else v + "\n")
		return 0
	cmd, path, d, start = argv[1:5]
	found = [t for dd, t in messages(path) if (d == "any" or dd == d) and matches(t, start)]
	if cmd == "count":
		print(len(found))
		return 0
	n = int(argv[6]) if len(argv) > 6 else 1
	if len(found) < n:
		return 1
	v = field(found[n - 1], argv[5])
	if v is None:
		return 1
	sys.stdout.write(v if v.endswith("\n") else v + "\n")
	return 0


if __name__ == "__main__":
	sys.exit(main(sys.argv))
