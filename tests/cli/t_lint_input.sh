#!/bin/bash
# t_lint_input.sh - `sipalg lint` on inputs support engineers really paste:
# an empty file, a message whose CRLF became bare LF (Content-Length now
# too large), '-' given twice, and a mix of valid, invalid and unreadable
# files.  One PASS:/FAIL: line per case; exit 1 if any failed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIPALG=$BUILD/sipalg
D=tests/cli/data
tmp=$(mktemp -d /tmp/sipalg-t_lint_input.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }

# check NAME WANT_RC FILE(out|err) PATTERN ARGS...
check() {
	local name=$1 want=$2 which=$3 pat=$4 rc
	shift 4
	"$SIPALG" lint "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" <"${STDIN:-/dev/null}"
	rc=$?
	if [ "$rc" != "$want" ]; then
		fail "$name" "exit $rc, expected $want; $(head -c 300 "$tmp/$name.out" "$tmp/$name.err")"
	elif ! grep -qF -- "$pat" "$tmp/$name.$which"; then
		fail "$name" "no '$pat' in $which: $(head -c 300 "$tmp/$name.$which")"
	else
		pass "$name"
	fi
}

if [ ! -x "$SIPALG" ]; then
	fail "lint_input/binary" "$SIPALG not built"
	exit 1
fi

: >"$tmp/empty.sip"
check empty_file 1 out "empty.sip: invalid: empty file, no SIP message at byte 0" "$tmp/empty.sip"
sed 's/\r$//' "$D/invite.sip" >"$tmp/lf.sip"
check bare_lf_reason 1 out "invalid: body shorter than Content-Length at byte 634" "$tmp/lf.sip"
check bare_lf_hint 1 out "hint: Content-Length is 264 but 251 bytes follow the headers; the file has bare LF line endings" "$tmp/lf.sip"
# A CRLF message cut short: the hint gives the counts, no line-ending talk.
head -c 600 "$D/invite.sip" >"$tmp/cut.sip"
check cut_hint 1 out "hint: Content-Length is 264 but 206 bytes follow the headers" "$tmp/cut.sip"
if grep -q "bare LF" "$tmp/cut_hint.out"; then
	fail cut_no_lf_hint "bare LF hint on a CRLF file"
else
	pass cut_no_lf_hint
fi
check bare_lf_json 1 out '"hint": "Content-Length is 264 but 251 bytes' --json "$tmp/lf.sip"
if python3 -m json.tool "$tmp/bare_lf_json.out" >/dev/null 2>&1; then
	pass bare_lf_json_valid
else
	fail bare_lf_json_valid "not JSON"
fi
# A trailing newline after the body (common when pasting) stays valid.
{ cat "$D/invite.sip"; printf '\n'; } >"$tmp/trail.sip"
check trailing_newline 0 out "trail.sip: valid: " "$tmp/trail.sip"
# Standard input can be read once: '-' twice is a usage error.
STDIN=$D/invite.sip check dash_twice 2 err "'-' (standard input) given more than once" - -
STDIN=$D/invite.sip check dash_once 0 out "-: valid: INVITE" -
# Mixed files: a verdict each; invalid gives 1, an unreadable file gives 2.
check mixed_invalid 1 out "2 files: 1 valid, 1 invalid, 0 unreadable" "$D/invite.sip" "$D/bad_cseq.sip"
check mixed_missing 2 err "sipalg lint: $tmp/nope.sip: No such file or directory" \
	"$D/invite.sip" "$tmp/nope.sip" "$D/bad_cseq.sip"
check mixed_missing_verdicts 2 out "3 files: 1 valid, 1 invalid, 1 unreadable" \
	"$D/invite.sip" "$tmp/nope.sip" "$D/bad_cseq.sip"
check directory 2 err "Is a directory" "$D"
# Windows editors may save a UTF-8 byte order mark; a paste may start with
# blank lines.  Both are invalid datagrams; the hint says what to do.
{ printf '\357\273\277'; cat "$D/register.sip"; } >"$tmp/bom.sip"
check bom_hint 1 out "hint: the file starts with a UTF-8 byte order mark" "$tmp/bom.sip"
{ printf '\r\n\r\n'; cat "$D/register.sip"; } >"$tmp/lead.sip"
check leading_blank_hint 1 out "hint: the file starts with blank lines" "$tmp/lead.sip"
check leading_blank_tcp 0 out "lead.sip: valid: " --tcp "$tmp/lead.sip"
exit $failed
