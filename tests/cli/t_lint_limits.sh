#!/bin/bash
# t_lint_limits.sh - `sipalg lint` on messages over sipalg's named limits
# (src/sip/limits.h): message size, header count, line length, Via count,
# MIME parts.  Each must give exit 1, a reason naming the limit and its
# value, a byte offset, and valid JSON; never a crash.  Inputs are made
# from tests/cli/data/invite.sip by python3.  One PASS:/FAIL: line per case.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIPALG=$BUILD/sipalg
D=tests/cli/data
tmp=$(mktemp -d /tmp/sipalg-t_lint_limits.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }

if [ ! -x "$SIPALG" ]; then
	fail "lint_limits/binary" "$SIPALG not built"
	exit 1
fi

python3 - "$D/invite.sip" "$tmp" <<'PY'
import sys
base = open(sys.argv[1], 'rb').read()
out = sys.argv[2]
hdr, body = base.split(b'\r\n\r\n', 1)
lines = [l for l in hdr.split(b'\r\n') if not l.lower().startswith(b'content-length')]

def msg(extra=b'', body=body, ct=None):
    ls = [l for l in lines if not (ct and l.lower().startswith(b'content-type'))]
    if ct:
        ls.append(b'Content-Type: ' + ct)
    return (b'\r\n'.join(ls) + extra + b'\r\nContent-Length: %d\r\n\r\n' % len(body) + body)

def mp(n):
    p = b'--b\r\nContent-Type: application/sdp\r\n\r\n' + body + b'\r\n'
    p += b''.join(b'--b\r\nContent-Type: text/plain\r\n\r\nhi %d\r\n' % i for i in range(n - 1))
    return p + b'--b--\r\n'

w = lambda n, b: open(out + '/' + n, 'wb').write(b)
w('headers.sip', msg(b''.join(b'\r\nX-H%d: v' % i for i in range(130))))
w('line.sip', msg(b'\r\nX-Long: ' + b'a' * 9000))
w('size.sip', msg(b''.join(b'\r\nX-H%d: ' % i + b'a' * 1000 for i in range(70))))
w('vias.sip', msg(b''.join(b'\r\nVia: SIP/2.0/UDP 192.0.2.%d;branch=z9hG4bK%d' % (i, i)
                            for i in range(75))))
w('vias1.sip', msg(b'\r\nVia: ' + b','.join(b'SIP/2.0/UDP 192.0.2.%d;branch=z9hG4bK%d' % (i, i)
                                            for i in range(75))))
w('parts.sip', msg(body=mp(9), ct=b'multipart/mixed;boundary=b'))
w('parts8.sip', msg(body=mp(8), ct=b'multipart/mixed;boundary=b'))
PY

# limit NAME FILE EXPECTED_REASON: exit 1, the reason, an offset, JSON ok.
limit() {
	local name=$1 f=$2 want=$3 rc
	"$SIPALG" lint "$tmp/$f" >"$tmp/$name.out" 2>"$tmp/$name.err"
	rc=$?
	if [ "$rc" != 1 ]; then
		fail "$name" "exit $rc, expected 1; $(head -c 300 "$tmp/$name.out" "$tmp/$name.err")"
	elif ! grep -qF -- "invalid: $want at byte " "$tmp/$name.out"; then
		fail "$name" "no 'invalid: $want at byte' in: $(head -c 300 "$tmp/$name.out")"
	elif ! grep -qF "hint: a limit of sipalg" "$tmp/$name.out"; then
		fail "$name" "no limit hint in: $(head -c 400 "$tmp/$name.out")"
	else
		pass "$name"
	fi
	"$SIPALG" lint --json "$tmp/$f" >"$tmp/$name.json" 2>/dev/null
	if python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["files"][0]["error"]; assert e["limit"] > 0 and "offset" in e' "$tmp/$name.json" 2>"$tmp/$name.jerr"; then
		pass "${name}_json"
	else
		fail "${name}_json" "$(tail -n 1 "$tmp/$name.jerr")"
	fi
}

limit limit_headers headers.sip "more than 128 header fields"
limit limit_line line.sip "header line longer than 8192 bytes"
limit limit_size size.sip "message larger than 65535 bytes"
limit limit_vias vias.sip "more than 70 Via values"
limit limit_vias_one_line vias1.sip "more than 70 Via values"
limit limit_parts parts.sip "multipart body with more than 8 parts"
"$SIPALG" lint "$tmp/parts8.sip" >"$tmp/parts8.out" 2>&1
if [ $? = 0 ]; then pass limit_parts_at_limit; else fail limit_parts_at_limit "$(head -c 300 "$tmp/parts8.out")"; fi
exit $failed
