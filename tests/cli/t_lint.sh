#!/bin/bash
# t_lint.sh - `sipalg lint`: verdicts, reasons and offsets, stdin, --tcp,
# --json (checked with python3), -v, and exit statuses.  One PASS:/FAIL:
# line per case; exit 1 if any failed.  Inputs: tests/cli/data/*.sip.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIPALG=$BUILD/sipalg
D=tests/cli/data
CORPORA=${SIPALG_CORPORA:-$(cd .. && pwd)/shared/corpora}
tmp=$(mktemp -d /tmp/sipalg-t_lint.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }

# run NAME EXPECTED_RC ARGS...: run sipalg lint, keep stdout/stderr in
# $tmp/NAME.{out,err}; a wrong exit status fails the case (returns 1).
run() {
	local name=$1 want=$2 rc
	shift 2
	"$SIPALG" lint "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, expected $want; $(head -c 300 "$tmp/$name.out" "$tmp/$name.err")"
		return 1
	fi
}

# expect NAME PATTERN: the case passes if stdout matches the fixed string.
expect() {
	if grep -qF -- "$2" "$tmp/$1.out"; then
		pass "$1"
	else
		fail "$1" "no '$2' in: $(head -c 300 "$tmp/$1.out")"
	fi
}

if [ ! -x "$SIPALG" ]; then
	fail "lint/binary" "$SIPALG not built"
	exit 1
fi

# ---- valid messages ----
for f in invite register ok200_ice compact no_clen; do
	run "valid_$f" 0 "$D/$f.sip" && expect "valid_$f" "$D/$f.sip: valid: "
done
run valid_summary 0 "$D/invite.sip" &&
	expect valid_summary "INVITE sip:bob@biloxi.example.com (UDP datagram, 658 bytes, 9 headers, SDP with 2 media)"

# ---- invalid messages: reason, byte offset, line and column ----
run bad_version 1 "$D/bad_version.sip" &&
	expect bad_version "invalid: unsupported SIP version at byte 34 (line 1, column 35)"
run bad_cseq 1 "$D/bad_cseq.sip" &&
	expect bad_cseq "invalid: malformed CSeq or CSeq method mismatch at byte 278 (line 7, column 14) in header CSeq"
run bad_sdp_port 1 "$D/bad_sdp_port.sip" &&
	expect bad_sdp_port "invalid: m= port above 65535 at byte 489 (line 17, column 9) in the SDP"
# sdp_parse says which SDP line failed (RFC 8866 §5.14: a /count of 0).
run bad_sdp_line 1 "$D/bad_sdp_count.sip" &&
	expect bad_sdp_line "invalid: malformed SDP at byte 345 (line 16, column 1) in the SDP"
run bad_clen 1 "$D/bad_clen.sip" &&
	expect bad_clen "invalid: body shorter than Content-Length at byte 658 (line 25, column 1)"
run missing_callid 1 "$D/missing_callid.sip" &&
	expect missing_callid "invalid: mandatory header missing (Call-ID)"
# The Via error may point anywhere on the Via line (bytes 43..84).
if run bad_via 1 "$D/bad_via.sip"; then
	off=$(sed -n 's/.*invalid: malformed Via at byte \([0-9]*\) (line 2, .*in header Via$/\1/p' "$tmp/bad_via.out")
	if [ -n "$off" ] && [ "$off" -ge 43 ] && [ "$off" -le 84 ]; then
		pass bad_via
	else
		fail bad_via "$(head -n 1 "$tmp/bad_via.out")"
	fi
fi
# Abuse limits (src/sip/limits.h): 128 header lines, 65535 bytes.
python3 -c "
import sys
open(sys.argv[1], 'w', newline='').write('OPTIONS sip:a@b SIP/2.0\r\n' +
    ''.join('X-H%d: v\r\n' % i for i in range(200)) + '\r\n')
open(sys.argv[2], 'w', newline='').write('OPTIONS sip:a@b SIP/2.0\r\nX: ' + 'a' * 70000 + '\r\n\r\n')
" "$tmp/many.sip" "$tmp/big.sip"
run too_many_headers 1 "$tmp/many.sip" &&
	expect too_many_headers "invalid: more than 128 header fields at byte 1323 (line 130, column 1)"
run too_big 1 "$tmp/big.sip" && expect too_big "invalid: message larger than 65535 bytes at byte 65535"
# The offending line is shown with a caret under the error's column.
if run caret 1 "$D/bad_version.sip"; then
	if [ "$(sed -n 2p "$tmp/caret.out")" = "    | INVITE sip:bob@biloxi.example.com SIP/7.0" ] &&
		[ "$(sed -n 3p "$tmp/caret.out")" = "    | $(printf '%34s' '')^" ]; then
		pass caret
	else
		fail caret "$(cat "$tmp/caret.out")"
	fi
fi
# Control octets of a hostile message are escaped, never sent to the terminal.
if run escape 1 "$D/weird_bytes.sip"; then
	if grep -qF 'X-Bytes: \xff\xfe \x01\x7f' "$tmp/escape.out" &&
		! LC_ALL=C grep -q $'[\x01\x7f]' "$tmp/escape.out"; then
		pass escape
	else
		fail escape "$(cat -A "$tmp/escape.out" | head -n 3)"
	fi
fi

# ---- standard input, several files, --tcp ----
run stdin 0 - <"$D/invite.sip" && expect stdin "-: valid: INVITE"
run stdin_invalid 1 - <"$D/bad_cseq.sip" && expect stdin_invalid "-: invalid: malformed CSeq"
if run several 1 "$D/invite.sip" "$D/bad_via.sip" "$D/register.sip"; then
	if [ "$(grep -c ': valid: ' "$tmp/several.out")" = 2 ] &&
		[ "$(grep -c ': invalid: ' "$tmp/several.out")" = 1 ] &&
		[ "$(tail -n 1 "$tmp/several.out")" = "3 files: 2 valid, 1 invalid, 0 unreadable" ]; then
		pass several
	else
		fail several "$(cat "$tmp/several.out")"
	fi
fi
run tcp_valid 0 --tcp "$D/invite.sip" && expect tcp_valid "(TCP stream, 658 bytes"
# RFC 3261 §18.3: Content-Length is mandatory on a stream, optional in a datagram.
run tcp_no_clen 1 --tcp "$D/no_clen.sip" && expect tcp_no_clen "invalid: bad or conflicting Content-Length"
run options_after_file 1 "$D/no_clen.sip" --tcp && expect options_after_file "invalid:"

# ---- -v ----
if run verbose 0 -v "$D/invite.sip"; then
	if grep -qF "      Contact: <sip:alice@192.168.1.20:5060;transport=udp>" "$tmp/verbose.out" &&
		grep -qF "    Via          sent-by 192.168.1.20:5060  [UDP host (ipv4) branch=z9hG4bK776asdhds rport]" "$tmp/verbose.out" &&
		grep -qF "      m[0] audio port 16384 RTP/AVP rtcp=16385 sendrecv" "$tmp/verbose.out" &&
		grep -qF "      m[1] video port 16386 RTP/AVP c= 192.168.1.21 (IP4) recvonly" "$tmp/verbose.out"; then
		pass verbose
	else
		fail verbose "$(cat "$tmp/verbose.out")"
	fi
fi
run verbose_compact 0 -v "$D/compact.sip" && expect verbose_compact "      v (Via): SIP/2.0/TCP"

# ---- exit statuses for usage errors ----
run usage_no_file 2 && pass usage_no_file
run usage_unknown_option 2 --frobnicate "$D/invite.sip" &&
	if grep -q "unknown option '--frobnicate'" "$tmp/usage_unknown_option.err"; then
		pass usage_unknown_option
	else
		fail usage_unknown_option "$(cat "$tmp/usage_unknown_option.err")"
	fi
run usage_unknown_short 2 -x "$D/invite.sip" && pass usage_unknown_short
if run unreadable 2 "$tmp/does-not-exist.sip" "$D/invite.sip"; then
	if grep -q "does-not-exist.sip: No such file or directory" "$tmp/unreadable.err" &&
		grep -q "invite.sip: valid" "$tmp/unreadable.out"; then
		pass unreadable
	else
		fail unreadable "$(cat "$tmp/unreadable.err" "$tmp/unreadable.out")"
	fi
fi
run unreadable_dir 2 "$D" &&
	if grep -q "data: Is a directory" "$tmp/unreadable_dir.err"; then
		pass unreadable_dir
	else
		fail unreadable_dir "$(cat "$tmp/unreadable_dir.err")"
	fi
run unreadable_wins 2 "$D/bad_via.sip" "$tmp/nope" && pass unreadable_wins
run help 0 --help && expect help "usage: sipalg lint"

# ---- --json ----
# json_check NAME PYTHON: the document must pass `python3 -m json.tool`,
# then PYTHON (with d = the document, f = d["files"]) must not raise.
json_check() {
	local name=$1 code=$2 why
	if ! python3 -m json.tool "$tmp/$name.out" >/dev/null 2>"$tmp/$name.jt"; then
		fail "$name" "not JSON: $(head -c 200 "$tmp/$name.jt")"
		return
	fi
	if why=$(python3 - "$tmp/$name.out" 2>&1 <<EOF
import json, os, sys
d = json.load(open(sys.argv[1]))
f = d["files"]
raw = {x["file"]: open(x["file"], "rb").read() for x in f if os.path.isfile(x["file"])}
$code
EOF
	); then
		pass "$name"
	else
		fail "$name" "$(echo "$why" | tail -n 3 | tr '\n' ' ')"
	fi
}

run json_invite 0 --json "$D/invite.sip" && json_check json_invite '
x = f[0]
assert x["valid"] is True and x["error"] is None and x["transport"] == "udp"
assert d["valid"] == 1 and d["invalid"] == 0 and d["unreadable"] == 0
s = x["start_line"]
assert s["type"] == "request" and s["method"] == "INVITE" and s["request_uri"] == "sip:bob@biloxi.example.com", s
assert len(x["headers"]) == 9
b = raw[x["file"]]
for h in x["headers"]:
    v = b[h["offset"]:h["offset"] + h["length"]].decode()
    assert v == h["value"], (v, h)
c = [h for h in x["headers"] if h["canonical"] == "Contact"][0]
assert c["name"] == "Contact" and c["compact"] is False
u = x["uris"]
assert u["request_uri"]["uri"]["host"] == "biloxi.example.com"
assert u["from"]["uri"]["user"] == "alice" and u["from"]["tag"] == "1928301774"
assert u["to"]["display"] == "Bob" and u["to"]["tag"] is None
assert [k["uri"]["hostport"] for k in u["contacts"]] == ["192.168.1.20:5060"]
assert u["contacts"][0]["uri"]["port"] == 5060 and u["contacts"][0]["uri"]["params"] == "transport=udp"
v = u["vias"][0]
assert v["sent_by"] == "192.168.1.20:5060" and v["host"] == "192.168.1.20" and v["port"] == 5060
assert v["transport"] == "UDP" and v["rport"] is True and v["branch"] == "z9hG4bK776asdhds"
assert b[v["sent_by_offset"]:v["sent_by_offset"] + 17] == b"192.168.1.20:5060"
p = x["sdp"]
assert p["parsed"] and p["origin"]["address"] == "192.168.1.20" and p["origin"]["family"] == 4
assert p["connection"]["address"] == "192.168.1.20" and p["ice"] is False
m = p["media"]
assert [k["port"] for k in m] == [16384, 16386] and [k["media"] for k in m] == ["audio", "video"]
assert m[0]["rtcp"] == {"port": 16385, "connection": None} and m[0]["direction"] == "sendrecv"
assert m[0]["connection"] is None and m[0]["count"] == 1 and m[0]["proto"] == "RTP/AVP"
assert m[1]["connection"]["address"] == "192.168.1.21" and m[1]["direction"] == "recvonly"
assert b[m[0]["port_offset"]:m[0]["port_offset"] + 5] == b"16384"
assert x["content_length"] == 264 and x["body_length"] == 264 and x["trailing_bytes"] == 0
'
run json_response_ice 0 --json "$D/ok200_ice.sip" && json_check json_response_ice '
x = f[0]
s = x["start_line"]
assert s["type"] == "response" and s["status"] == 200 and s["reason"] == "OK"
assert x["uris"]["request_uri"] is None
v = x["uris"]["vias"][0]
assert v["received"] == "192.0.2.1" and v["rport_value"] == 5060
p = x["sdp"]
assert p["ice"] is True and p["direction"] is None
m = p["media"][0]
assert m["ice"] is True and m["rtcp_mux"] is True and m["direction"] == "sendonly" and m["rtcp"] is None
'
# More m= lines than the ALG keeps (SDP_MAX_MEDIA, 16) is valid SDP: it was
# reported "invalid: out of space".  Lint summarises it and says what the
# ALG will do with it.
run many_media 0 "$D/many_media.sip" &&
	expect many_media "valid: INVITE sip:bob@example.com (UDP datagram, 822 bytes, 8 headers, SDP with 20 media)" &&
	expect many_media "note         more than 16 m= lines: sipalgd leaves this SDP unchanged"
run json_many_media 0 --json "$D/many_media.sip" && json_check json_many_media '
x = f[0]
assert x["valid"] is True and x["sdp"]["parsed"] is True
assert len(x["sdp"]["media"]) == 20 and x["sdp"]["over_alg_media_limit"] is True
'
run json_register 0 --json "$D/register.sip" && json_check json_register '
x = f[0]
c = x["uris"]["contacts"]
assert len(c) == 2, c
assert c[0]["expires"] == "3600" and c[0]["uri"]["host_type"] == "ipv4"
assert c[1]["uri"]["host"] == "[2001:db8::30]" and c[1]["uri"]["host_type"] == "ipv6" and c[1]["uri"]["port"] == 5062
assert x["sdp"] is None
'
run json_compact 0 --json "$D/compact.sip" && json_check json_compact '
x = f[0]
h = {k["name"]: k for k in x["headers"]}
assert h["v"]["canonical"] == "Via" and h["v"]["compact"] is True
assert h["i"]["canonical"] == "Call-ID" and h["l"]["canonical"] == "Content-Length"
assert h["X-Custom"]["canonical"] is None and h["X-Custom"]["compact"] is False
assert h["X-Custom"]["value"] == "\"quoted \\\"value\\\"\" and\ttab", h["X-Custom"]["value"]
assert h["s"]["value"] == "caf\u00e9 \u260e"
'
run json_invalid 1 --json "$D/bad_cseq.sip" "$D/invite.sip" && json_check json_invalid '
x = f[0]
e = x["error"]
assert x["valid"] is False and e["stage"] == "validate" and e["code"] == "SIP_ECSEQ"
assert e["offset"] == 278 and e["line"] == 7 and e["column"] == 14 and e["header"] == "CSeq", e
assert f[1]["valid"] is True and d["valid"] == 1 and d["invalid"] == 1
'
run json_sdp_error 1 --json "$D/bad_sdp_port.sip" && json_check json_sdp_error '
e = f[0]["error"]
assert e["stage"] == "sdp" and e["code"] == "SIP_ESDP" and e["offset"] == 489, e
assert f[0]["sdp"]["parsed"] is True and f[0]["sdp"]["media"][0]["port"] == 70000
'
run json_parse_error 1 --json "$D/bad_version.sip" && json_check json_parse_error '
x = f[0]
assert x["error"]["stage"] == "parse" and x["error"]["code"] == "SIP_EVERSION" and x["error"]["offset"] == 34
assert "headers" not in x and "start_line" not in x
'
# Octets that are not UTF-8 come out as \u00XX, control octets escaped.
run json_bytes 1 --json "$D/weird_bytes.sip" && json_check json_bytes '
h = [k for k in f[0]["headers"] if k["name"] == "X-Bytes"][0]
assert h["value"] == "\u00ff\u00fe \u0001\u007f </script> \\ \"", repr(h["value"])
'
run json_stdin_tcp 0 --json --tcp - <"$D/invite.sip" && json_check json_stdin_tcp '
assert f[0]["file"] == "-" and f[0]["transport"] == "tcp" and f[0]["length"] == 658
'
# The SDP of a multipart body: its span is the part's content, inside the body.
run json_multipart 0 --json "$D/multipart.sip" && json_check json_multipart '
x = f[0]
p = x["sdp"]
assert p["offset"] == 378 and p["length"] == 94, p
b = raw[x["file"]]
assert b[378:381] == b"v=0" and b[378 + 94 - 2:378 + 94] == b"\r\n"
assert p["media"][0]["port"] == 40000 and p["connection"]["address"] == "192.168.1.50"
'
run json_unreadable 2 --json "$tmp/nope.sip" "$D/register.sip" && json_check json_unreadable '
assert f[0]["valid"] is False and f[0]["error"]["stage"] == "read"
assert d["unreadable"] == 1 and d["valid"] == 1
'

# ---- every corpus message: a verdict, never a crash ----
if [ -d "$CORPORA/rfc4475" ]; then
	bad=""
	for m in "$CORPORA"/rfc4475/*.dat "$CORPORA"/rfc5118/wire/*; do
		"$SIPALG" lint --json "$m" >"$tmp/c.out" 2>&1
		rc=$?
		if [ "$rc" -gt 1 ] || ! python3 -m json.tool "$tmp/c.out" >/dev/null 2>&1; then
			bad="$bad $(basename "$m")($rc)"
		fi
	done
	[ -z "$bad" ] && pass corpus_verdicts || fail corpus_verdicts "$bad"
	run rfc4475_wsinv 0 "$CORPORA/rfc4475/wsinv.dat" && pass rfc4475_wsinv
	# RFC 4475 §3.1.1.8: octets after the Content-Length body are not the message's.
	run rfc4475_dblreq 0 -v "$CORPORA/rfc4475/dblreq.dat" &&
		expect rfc4475_dblreq "    note         450 bytes after the message are not part of it"
	run rfc4475_badvers 1 "$CORPORA/rfc4475/badvers.dat" && expect rfc4475_badvers "unsupported SIP version"
else
	fail corpus_verdicts "no corpora at $CORPORA"
fi

exit $failed
