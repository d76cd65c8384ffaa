#!/bin/bash
# t_sipalgd_check_config.sh - `sipalgd --check-config`: the effective
# configuration is printed and parses back; errors name FILE:LINE and exit 1;
# bad arguments exit 2.  Needs no root (nothing is opened but the file).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
D=$BUILD/sipalgd
fails=0
tmp=$(mktemp -d /tmp/sipalgd-cc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1: $2"; fails=$((fails + 1)); }

if [ ! -x "$D" ]; then
	fail built "$D is not built"
	exit 1
fi

cat >"$tmp/ok.conf" <<'CONF'
# a comment
inside_interfaces = lan0 lan1
inside_prefixes = 192.168.1.0/24, 10.0.0.0/8
outside_interface = wan0
public_address = 198.51.100.1
sip_ports = 5060 5080
media_ports = 30000-30999
media_timeout = 90s   # trailing comment
max_call_duration = 4h
mode = pinhole
strict_register = no
CONF
out=$("$D" -c "$tmp/ok.conf" --check-config 2>&1)
rc=$?
if [ $rc = 0 ] && echo "$out" | grep -qx 'media_timeout = 90s' &&
	echo "$out" | grep -qx 'max_call_duration = 4h' &&
	echo "$out" | grep -qx 'inside_prefixes = 192.168.1.0/24 10.0.0.0/8' &&
	echo "$out" | grep -qx 'mode = pinhole'; then
	pass check_config_prints_effective
else
	fail check_config_prints_effective "rc=$rc: $out"
fi

echo "$out" >"$tmp/again.conf"
out2=$("$D" -c "$tmp/again.conf" --check-config 2>&1)
if [ "$out" = "$out2" ]; then
	pass check_config_output_parses_back
else
	fail check_config_output_parses_back "differs: $(diff <(echo "$out") <(echo "$out2") | head -3)"
fi

printf 'inside_interfaces = lan0\n\n# x\nmedia_ports = 5-4\n' >"$tmp/bad.conf"
err=$("$D" -c "$tmp/bad.conf" --check-config 2>&1)
rc=$?
if [ $rc = 1 ] && [ "$err" = "sipalgd: $tmp/bad.conf:4: media_ports: media ports must be within 1024-65535, at least 2 ports" ]; then
	pass check_config_error_line
else
	fail check_config_error_line "rc=$rc: $err"
fi

printf 'inside_prefixes = 10.0.0.0/8\noutside_interface = wan0\npublic_address = 198.51.100.1\n' >"$tmp/miss.conf"
err=$("$D" -c "$tmp/miss.conf" --check-config 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$err" | grep -q "inside_interfaces is required"; then
	pass check_config_required_key
else
	fail check_config_required_key "rc=$rc: $err"
fi

err=$("$D" -c "$tmp/nonexistent.conf" --check-config 2>&1)
rc=$?
if [ $rc = 1 ] && echo "$err" | grep -q "nonexistent.conf: No such file"; then
	pass check_config_missing_file
else
	fail check_config_missing_file "rc=$rc: $err"
fi

"$D" --bogus >/dev/null 2>&1
rc=$?
if [ $rc = 2 ]; then pass bad_option_exit_2; else fail bad_option_exit_2 "rc=$rc"; fi
"$D" --log file --check-config >/dev/null 2>&1
rc=$?
if [ $rc = 2 ]; then pass bad_log_target_exit_2; else fail bad_log_target_exit_2 "rc=$rc"; fi

[ $fails = 0 ]
