#!/bin/bash
# t_lint_wire.sh - `sipalg lint --json` and -v report every piece of a
# message the wire rules name: compact headers, folding, URI user and
# password, IPv6 hosts, tel: URIs, quoted display names with commas and
# escapes, Via branch/received/rport (with and without value)/maddr/ttl,
# SDP IPv6 and FQDN c=, m= port/count and port 0, a=rtcp with address,
# rtcp-mux, ICE, direction.  Input: tests/cli/data/lint-wire.sip.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIPALG=$BUILD/sipalg
F=tests/cli/data/lint-wire.sip
tmp=$(mktemp -d /tmp/sipalg-t_lint_wire.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
failed=0

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; failed=1; }

if [ ! -x "$SIPALG" ]; then
	fail "lint_wire/binary" "$SIPALG not built"
	exit 1
fi
"$SIPALG" lint --json "$F" >"$tmp/j" 2>&1 || fail wire_json_exit "exit $?: $(head -c 300 "$tmp/j")"
"$SIPALG" lint -v "$F" >"$tmp/t" 2>&1 || fail wire_text_exit "exit $?: $(head -c 300 "$tmp/t")"

# jcase NAME PYTHON-EXPR: f is the file's JSON object.
jcase() {
	if python3 -c 'import json,sys
f = json.load(open(sys.argv[1]))["files"][0]
u = f["uris"]; s = f["sdp"]; h = f["headers"]
ok = eval(sys.argv[2])
sys.exit(0 if ok else 1)' "$tmp/j" "$2" 2>"$tmp/err"; then
		pass "$1"
	else
		fail "$1" "false: $2 $(tail -n 1 "$tmp/err")"
	fi
}
tcase() {
	if grep -qF -- "$2" "$tmp/t"; then pass "$1"; else fail "$1" "no '$2' in -v output"; fi
}

jcase wire_valid 'f["valid"] is True'
jcase wire_compact 'h[0]["name"] == "v" and h[0]["canonical"] == "Via" and h[0]["compact"] is True'
jcase wire_folded 'any(x["canonical"] == "Subject" and "continuation" in x["value"] for x in h)'
jcase wire_uri_user 'u["request_uri"]["uri"]["user"] == "alice"'
jcase wire_uri_password 'u["request_uri"]["uri"]["password"] == "secret"'
jcase wire_uri_ipv6 'u["request_uri"]["uri"]["host_type"] == "ipv6" and u["request_uri"]["uri"]["port"] == 5061'
jcase wire_tel 'u["contacts"][0]["uri"]["scheme"] == "tel" and u["contacts"][0]["uri"]["password"] is None'
jcase wire_quoted_comma 'len(u["contacts"]) == 2 and u["contacts"][0]["params"] == "q=0.5"'
jcase wire_via_rport_bare 'u["vias"][0]["rport"] is True and u["vias"][0]["rport_value"] is None'
jcase wire_via_rport_value 'u["vias"][1]["rport_value"] == 5070'
jcase wire_via_received 'u["vias"][0]["received"] == "198.51.100.1"'
jcase wire_via_maddr 'u["vias"][0]["maddr"] == "224.2.0.1" and u["vias"][1]["maddr"] is None'
jcase wire_via_ttl 'u["vias"][0]["ttl"] == "16"'
jcase wire_sdp_origin_v6 's["origin"]["address"] == "2001:db8::5" and s["origin"]["family"] == 6'
jcase wire_sdp_fqdn 's["connection"]["address"] == "media.example.com" and s["connection"]["family"] is None'
jcase wire_sdp_media 's["media"][0]["port"] == 49170 and s["media"][0]["count"] == 2 and s["media"][1]["port"] == 0'
jcase wire_sdp_rtcp 's["media"][0]["rtcp"]["port"] == 53020 and s["media"][0]["rtcp"]["connection"]["address"] == "192.0.2.33"'
jcase wire_sdp_mux_ice 's["media"][0]["rtcp_mux"] is True and s["media"][0]["ice"] is True and s["media"][1]["ice"] is False'
jcase wire_sdp_direction 's["media"][0]["direction"] == "sendonly"'
tcase wire_text_password "[sips user alice password secret host [2001:db8::1] (ipv6) port 5061"
tcase wire_text_via "branch=z9hG4bKa rport received=198.51.100.1 maddr=224.2.0.1 ttl=16]"
tcase wire_text_sdp "m[0] audio port 49170/2 RTP/AVP c= 2001:db8::7 (IP6) rtcp=53020 at 192.0.2.33 (IP4) rtcp-mux ICE sendonly"
tcase wire_text_port0 "m[1] video port 0 RTP/AVP"
exit $failed
