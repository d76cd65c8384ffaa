#!/bin/bash
# t_rewrite.sh - `sipalg rewrite`: the golden scenarios under tests/alg/
# (script + messages in, NNN.sip / NNN.explain out, byte for byte) and the
# single-message contract (stdout = bytes sent, exit 0/1/2, --explain,
# --json, --in with --inside-ep).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIPALG=$BUILD/sipalg
tmp=$(mktemp -d /tmp/sipalg-rewrite.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
pass() { echo "PASS: $1"; }
bad() { echo "FAIL: $1: $2"; fail=1; }
COMMON=(--inside 192.168.1.0/24 --public 203.0.113.1 --media-ports 40100-40199)

if [ ! -x "$SIPALG" ]; then
	bad "rewrite" "$SIPALG not built"
	exit 1
fi

# Golden scenarios: every output file must match.
for s in tests/alg/*/; do
	name=$(basename "$s")
	out="$tmp/$name"
	"$SIPALG" rewrite "${COMMON[@]}" --script "$s/script" -o "$out" 2>"$tmp/$name.err"
	rc=$?
	if [ "$rc" = 2 ]; then
		bad "scenario $name" "exit 2: $(head -1 "$tmp/$name.err")"
		continue
	fi
	for exp in "$s"expected/*; do
		f=$(basename "$exp")
		if cmp -s "$exp" "$out/$f"; then
			pass "scenario $name/$f"
		else
			bad "scenario $name/$f" "differs from golden: $(diff <(tr -d '\r' <"$exp") <(tr -d '\r' <"$out/$f" 2>/dev/null) | head -3 | tr '\n' ' ')"
		fi
	done
	n_exp=$(ls "$s"expected | wc -l)
	n_out=$(ls "$out" | wc -l)
	[ "$n_exp" = "$n_out" ] && pass "scenario $name produces exactly the golden files" ||
		bad "scenario $name" "$n_out outputs, $n_exp golden"
done

R=tests/alg/register_inbound
# Single message: stdout is exactly the golden bytes, exit 0, explanation on stderr.
"$SIPALG" rewrite --out --src 192.168.1.10:5062 --dst 203.0.113.20:5070 --binding 203.0.113.1:40001 \
	"${COMMON[@]}" --explain "$R/01_register.sip" >"$tmp/1.sip" 2>"$tmp/1.err"
rc=$?
[ "$rc" = 0 ] && cmp -s "$tmp/1.sip" "$R/expected/001.sip" &&
	grep -q '^edit: Contact\[0\].hostport: 192.168.1.10:5062 -> 203.0.113.1:40001 (R1' "$tmp/1.err" &&
	pass "single --out: stdout = bytes sent, exit 0, --explain names field/before/after/rule" ||
	bad "single --out" "rc=$rc $(head -2 "$tmp/1.err")"

# --binding defaults to PUBLIC:src-port.
"$SIPALG" rewrite --out --src 192.168.1.10:5062 --dst 203.0.113.20:5070 "${COMMON[@]}" \
	"$R/01_register.sip" 2>/dev/null | grep -q 'Contact: <sip:100@203.0.113.1:5062;transport=udp>' &&
	pass "--binding defaults to the public address with the inside port" ||
	bad "--binding default" "Contact not mapped to 203.0.113.1:5062"

# --in with --inside-ep: the Request-URI carrying the binding is restored.
"$SIPALG" rewrite --in --src 203.0.113.20:5070 --dst 203.0.113.1:40001 --inside-ep 192.168.1.10:5062 \
	"${COMMON[@]}" "$R/04_invite.sip" >"$tmp/4.sip" 2>/dev/null
rc=$?
[ "$rc" = 0 ] && head -1 "$tmp/4.sip" | grep -q '^INVITE sip:100@192.168.1.10:5062 SIP/2.0' &&
	pass "single --in --inside-ep restores the Request-URI (R1)" || bad "single --in" "rc=$rc"

# --json: one JSON object on stderr with the edits.
"$SIPALG" rewrite --out --src 192.168.1.10:5062 --dst 203.0.113.20:5070 --binding 203.0.113.1:40001 \
	"${COMMON[@]}" --json tests/alg/invite_variants/03_multipart.sip >/dev/null 2>"$tmp/j.json"
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["verdict"]=="forward-rewritten"; assert any(e["field"]=="sdp.c" for e in d["edits"]); assert any(a["kind"]=="pinhole-open" for a in d["actions"])' "$tmp/j.json" 2>/dev/null; then
	pass "--json: verdict, edits and actions as JSON"
else
	bad "--json" "$(head -c 200 "$tmp/j.json")"
fi

# Unparseable: forwarded unchanged, exit 0, reason given.
printf 'INVITE sip:x SIP/2.0\r\nVia: nonsense\r\n\r\n' >"$tmp/junk.sip"
"$SIPALG" rewrite --out --src 192.168.1.10:5062 --dst 203.0.113.20:5060 "${COMMON[@]}" --explain \
	"$tmp/junk.sip" >"$tmp/junk.out" 2>"$tmp/junk.err"
rc=$?
[ "$rc" = 0 ] && cmp -s "$tmp/junk.sip" "$tmp/junk.out" && grep -q '^reason: ' "$tmp/junk.err" &&
	pass "unparseable message forwarded byte-identical with a reason (R5)" || bad "unparseable" "rc=$rc"

# Dropped (strict_register is per engine: use a script) -> exit 1.
cp "$R"/0[123]_*.sip "$tmp/"
cat >"$tmp/drop.script" <<EOS
out 192.168.1.10:5062 203.0.113.20:5070 01_register.sip binding=203.0.113.1:40001
in 203.0.113.20:5070 203.0.113.1:40001 02_register_200.sip
in 198.51.100.66:5070 203.0.113.1:40001 03_invite_from_other.sip
EOS
"$SIPALG" rewrite "${COMMON[@]}" --script "$tmp/drop.script" -o "$tmp/drop" 2>/dev/null
rc=$?
[ "$rc" = 1 ] && [ ! -s "$tmp/drop/003.sip" ] && pass "dropped message: exit 1, nothing sent (R9 strict_register)" ||
	bad "drop exit" "rc=$rc"

# TCP: the framing needs Content-Length; with it the message is rewritten.
"$SIPALG" rewrite --out --transport tcp --src 192.168.1.10:5062 --dst 203.0.113.20:5070 \
	--binding 203.0.113.1:40001 "${COMMON[@]}" tests/alg/invite_variants/03_multipart.sip \
	>"$tmp/tcp.sip" 2>/dev/null
rc=$?
"$SIPALG" rewrite --out --src 192.168.1.10:5062 --dst 203.0.113.20:5070 \
	--binding 203.0.113.1:40001 "${COMMON[@]}" tests/alg/invite_variants/03_multipart.sip \
	>"$tmp/udp.sip" 2>/dev/null
[ "$rc" = 0 ] && cmp -s "$tmp/tcp.sip" "$tmp/udp.sip" &&
	! cmp -s "$tmp/tcp.sip" tests/alg/invite_variants/03_multipart.sip &&
	pass "--transport tcp rewrites like UDP when Content-Length is present" || bad "tcp" "rc=$rc"
"$SIPALG" rewrite --out --transport tcp --src 192.168.1.10:5062 --dst 203.0.113.20:5070 \
	"${COMMON[@]}" --explain tests/alg/invite_variants/07_no_clen.sip >"$tmp/tcp2.sip" 2>"$tmp/tcp2.err"
rc=$?
[ "$rc" = 0 ] && cmp -s "$tmp/tcp2.sip" tests/alg/invite_variants/07_no_clen.sip &&
	grep -q '^reason: ' "$tmp/tcp2.err" &&
	pass "--transport tcp without Content-Length: forwarded unchanged with a reason (R5)" ||
	bad "tcp no clen" "rc=$rc"

# Usage errors -> exit 2.
"$SIPALG" rewrite --out --src 192.168.1.10:5062 "$R/01_register.sip" >/dev/null 2>&1
[ $? = 2 ] && pass "usage error: exit 2" || bad "usage" "exit not 2"
"$SIPALG" rewrite --out --src 192.168.1.10:99999 --dst 1.2.3.4:5 "${COMMON[@]}" x >/dev/null 2>&1
[ $? = 2 ] && pass "bad port: exit 2" || bad "bad port" "exit not 2"

exit $fail
