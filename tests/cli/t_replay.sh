#!/bin/bash
# t_replay.sh - `sipalg replay` on every capture of ../shared/corpora/pcaps
# and on small captures made by tests/cli/data/gen_replay_pcaps.py.  The
# output captures are read back with tshark: no new malformed packets or
# expert errors, named fields rewritten, everything else byte-identical.
# Prints PASS:/FAIL: lines; exits 1 if any case failed.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
SIPALG=$BUILD/sipalg
CORP=${SIPALG_CORPORA:-$(cd .. && pwd)/shared/corpora}/pcaps
PUB=203.0.113.1
T=$(mktemp -d /tmp/t_replay.XXXXXX)
trap 'rm -rf "$T"' EXIT
fails=0

pass() { echo "PASS: $1"; }
fail() {
	echo "FAIL: $1: $2"
	fails=$((fails + 1))
}
# check NAME CONDITION-COMMAND... : PASS if the command succeeds.
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "${WHY:-check failed}"; fi
	WHY=
}
ts() { tshark -n -r "$@" 2>/dev/null; }
count() {
	local f=$1 y=$2
	shift 2
	ts "$f" -Y "$y" "$@" -T fields -e frame.number | wc -l
}

if [ ! -x "$SIPALG" ] || ! command -v tshark >/dev/null; then
	fail setup "need $SIPALG and tshark"
	exit 1
fi
python3 tests/cli/data/gen_replay_pcaps.py "$T/gen" || fail setup "generator failed"
G=$T/gen

# replay NAME IN ARGS...: run, keep report in $T/NAME.txt, output $T/NAME.pcap.
replay() {
	local name=$1 in=$2
	shift 2
	"$SIPALG" replay "$in" -o "$T/$name.pcap" "$@" >"$T/$name.txt" 2>"$T/$name.err"
	echo $? >"$T/$name.rc"
}
rc() { cat "$T/$1.rc"; }

# stats FILE: "frames malformed expert-errors", one tshark pass, cached.
stats() {
	local c
	c="$T/stats.$(echo "$1" | md5sum | cut -c1-12)"
	[ -s "$c" ] || ts "$1" -T fields -e _ws.expert.severity -e _ws.malformed | awk -F'\t' '
		{ n++ } $2 != "" { m++ } $1 ~ /8388608/ { e++ }
		END { printf "%d %d %d\n", n, m, e }' >"$c"
	cat "$c"
}

# The capture was read to the end, a report printed, and tshark finds no
# malformed packet or expert error the input did not have.
sane() {
	local name=$1 in=$2 si so
	WHY="exit $(rc "$name"): $(head -c 300 "$T/$name.err")"
	[ "$(rc "$name")" = 0 ] && grep -q '^SIP messages: ' "$T/$name.txt" || return 1
	read -r -a si <<<"$(stats "$in")"
	read -r -a so <<<"$(stats "$T/$name.pcap")"
	WHY="frames in/out ${si[0]}/${so[0]}, malformed ${si[1]}/${so[1]}, expert errors ${si[2]}/${so[2]}"
	[ "${so[0]}" = "${si[0]}" ] && [ "${so[1]}" -le "${si[1]}" ] && [ "${so[2]}" -le "${si[2]}" ]
}

# ---- the corpus, one sensible --inside each ----
replay aaa "$CORP/aaa.pcap" --inside 192.168.1.0/24 --public $PUB
replay g711 "$CORP/SIP_CALL_RTP_G711.pcap" --inside 200.57.7.195/32 --public $PUB
replay eyebeam "$CORP/SIP_Eyebeam2Eyebeam_Video_Audio.pcap" --inside 192.168.1.87/32 --public $PUB
replay eyebeam_lan "$CORP/SIP_Eyebeam2Eyebeam_Video_Audio.pcap" --inside 192.168.1.0/24 --public $PUB
replay v6 "$CORP/ipv6frag.pcap" --inside fd17:625c:f037:2:a00:27ff:feb9:1521/128 \
	--public 2001:db8::1 --ports 5062
replay v6_v4pub "$CORP/ipv6frag.pcap" --inside fd17:625c:f037:2:a00:27ff:feb9:1521/128 \
	--public $PUB --ports any
replay tcp "$CORP/fragmented_tcp_sip.pcap" --inside 10.192.243.79/32 --public $PUB
replay tcp_keep "$CORP/fragmented_tcp_sip.pcap" --inside 10.192.243.79/32 --public $PUB \
	--keep-addresses
replay udpfrag "$CORP/fragmented_udp_sip.pcap" --inside 10.0.0.0/8 --public $PUB
replay udpfrag_nat "$CORP/fragmented_udp_sip.pcap" --inside 10.192.243.79/32 --public $PUB
replay cancel "$CORP/cancel.pcap" --inside 127.0.0.0/8 --public $PUB --ports 5060,5090

for c in aaa:aaa g711:SIP_CALL_RTP_G711 eyebeam:SIP_Eyebeam2Eyebeam_Video_Audio \
	eyebeam_lan:SIP_Eyebeam2Eyebeam_Video_Audio v6:ipv6frag v6_v4pub:ipv6frag \
	tcp:fragmented_tcp_sip tcp_keep:fragmented_tcp_sip udpfrag:fragmented_udp_sip \
	udpfrag_nat:fragmented_udp_sip cancel:cancel; do
	check "corpus ${c%%:*}: report, tshark clean" sane "${c%%:*}" "$CORP/${c#*:}.pcap"
done

# ---- aaa.pcap: by name ----
F='-T fields -E separator=| -e frame.number -e ip.src -e sip.contact.uri -e sdp.connection_info'
ts "$CORP/aaa.pcap" -Y 'sip && ip.src==192.168.1.2' $F >"$T/aaa.in.f"
ts "$T/aaa.pcap" -Y 'sip && ip.src==203.0.113.1' $F >"$T/aaa.out.f"
WHY="outbound SIP frames: $(wc -l <"$T/aaa.in.f") in, $(wc -l <"$T/aaa.out.f") out"
check "aaa: outbound SIP leaves from $PUB" \
	test "$(wc -l <"$T/aaa.in.f")" = "$(wc -l <"$T/aaa.out.f")" -a -s "$T/aaa.out.f"
WHY="a private Contact/c= address left in an outbound message"
check "aaa: no private Contact or c= outbound" \
	test "$(cut -d'|' -f3,4 "$T/aaa.out.f" | grep -c '192\.168\.1\.')" = 0
WHY="no Contact/c= with the public address"
check "aaa: Contact and c= became $PUB" \
	bash -c "grep -q 'sip:[^|]*@203\.0\.113\.1' '$T/aaa.out.f' && grep -q 'IN IP4 203\.0\.113\.1' '$T/aaa.out.f'"
# Fields the ALG must never touch: identical, frame by frame.
K='-T fields -e frame.number -e sip.Call-ID -e sip.from.addr -e sip.to.addr -e sip.CSeq
   -e sip.Via.branch -e sip.to.tag -e sip.from.tag -e sip.Method -e sip.Status-Code'
ts "$CORP/aaa.pcap" -Y sip $K >"$T/aaa.keep.in"
ts "$T/aaa.pcap" -Y sip $K >"$T/aaa.keep.out"
WHY="Call-ID/From/To/CSeq/branch/tags differ"
check "aaa: Call-ID, From, To, CSeq, branch, tags unchanged" cmp -s "$T/aaa.keep.in" "$T/aaa.keep.out"
WHY="Call-IDs with the private address are gone"
check "aaa: Call-ID keeps the private address" grep -q '@192\.168\.1\.2' "$T/aaa.keep.out"
# Inbound and non-SIP frames are copied byte for byte.
ts "$CORP/aaa.pcap" -Y '!(ip.src==192.168.1.2 && udp.port==5060)' -x >"$T/aaa.rest.in"
ts "$T/aaa.pcap" -Y '!(ip.src==203.0.113.1 && udp.port==5060)' -x >"$T/aaa.rest.out"
WHY="inbound or non-SIP frames changed"
check "aaa: every other frame byte-identical" cmp -s "$T/aaa.rest.in" "$T/aaa.rest.out"
WHY="no pinhole line"
check "aaa: report lists pinholes and rewrites" \
	bash -c "grep -q 'pinhole open .*203.0.113.1:[0-9]* <-> 192.168.1.2:' '$T/aaa.txt' && grep -q 'Contact\[0\].hostport *192.168.1.2:5060 -> 203.0.113.1:5060' '$T/aaa.txt'"

# ---- TCP: the INVITE over 3 segments ----
WHY="INVITE not rewritten"
check "tcp: reassembled INVITE rewritten" \
	bash -c "ts() { tshark -n -r \"\$@\" 2>/dev/null; }; ts '$T/tcp.pcap' -Y 'sip.Method==\"INVITE\"' -T fields -e sip.contact.uri -e sdp.connection_info | grep -q '@203.0.113.1:.*IN IP4 203.0.113.1'"
for n in tcp tcp_keep; do
	WHY="SIP messages in/out differ"
	check "$n: tshark reassembles the same SIP messages" test \
		"$(ts "$CORP/fragmented_tcp_sip.pcap" -Y sip -T fields -e sip.CSeq | tr -d '\n')" = \
		"$(ts "$T/$n.pcap" -Y sip -T fields -e sip.CSeq | tr -d '\n')"
	WHY="TCP analysis flags (lost segment, bad ack, ...) or bad checksums in the output"
	check "$n: sequence numbers and checksums consistent" test \
		"$(count "$T/$n.pcap" 'tcp.analysis.flags || tcp.checksum.status==0 || ip.checksum.status==0' \
			-o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE)" = 0
done

# ---- the partial UDP datagram ----
WHY="frame 1 not reported as incomplete"
check "udpfrag: partial datagram reported at frame 1" bash -c \
	"grep -A1 '^  #1 ' '$T/udpfrag_nat.txt' | grep -q 'incomplete IP datagram'"
WHY="frame 1 changed"
check "udpfrag: partial datagram forwarded byte for byte" test \
	"$(ts "$CORP/fragmented_udp_sip.pcap" -Y frame.number==1 -x | md5sum)" = \
	"$(ts "$T/udpfrag_nat.pcap" -Y frame.number==1 -x | md5sum)"

# ---- hairpin / not NATed: the capture comes back byte for byte ----
check "eyebeam 192.168.1.0/24: all hairpin, output identical" \
	cmp -s "$CORP/SIP_Eyebeam2Eyebeam_Video_Audio.pcap" "$T/eyebeam_lan.pcap"
check "cancel on loopback: output identical" cmp -s "$CORP/cancel.pcap" "$T/cancel.pcap"
check "fragmented_udp_sip 10/8: output identical" \
	cmp -s "$CORP/fragmented_udp_sip.pcap" "$T/udpfrag.pcap"
WHY="no hairpin reason"
check "eyebeam 192.168.1.0/24: reason given" grep -q 'hairpin' "$T/eyebeam_lan.txt"

# ---- Eyebeam with one phone inside: audio and video ports ----
WHY="m= ports not both rewritten"
check "eyebeam .87: audio and video m= rewritten, 4 pinholes" bash -c \
	"grep -q 'sdp.m\[0\].port *5062 -> ' '$T/eyebeam.txt' && grep -q 'sdp.m\[1\].port *5064 -> ' '$T/eyebeam.txt' && test \$(grep -c 'pinhole open' '$T/eyebeam.txt') = 4"

# ---- IPv6 fragments on Linux cooked capture ----
WHY="IPv6 INVITE not rewritten to 2001:db8::1"
check "ipv6frag: fragmented INVITE reassembled and rewritten" \
	grep -q 'Contact\[0\].hostport.* -> \[2001:db8::1\]' "$T/v6.txt"
WHY="tshark does not find the rewritten INVITE"
check "ipv6frag: output INVITE re-fragmented, tshark reassembles it" test \
	"$(count "$T/v6.pcap" 'sip.Method=="INVITE" && sip.contact.uri contains "2001:db8::1"')" -ge 1
WHY="no reason for the IPv4-only public address"
check "ipv6frag with an IPv4 public address: unchanged with reason" \
	grep -q 'no public address of this IP family' "$T/v6_v4pub.txt"

# ---- generated captures ----
for n in frag4 frag4_ooo; do
	replay $n "$G/$n.pcap" --inside 192.168.1.0/24 --public $PUB
	# One line per frame: IP length, checksum states, Contact, c=, malformed.
	ts "$T/$n.pcap" -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields \
		-E separator='|' -e ip.len -e ip.checksum.status -e udp.checksum.status \
		-e sip.contact.uri -e sdp.connection_info -e _ws.malformed >"$T/$n.f"
	WHY="$(tr '\n' ' ' <"$T/$n.f")"
	check "$n: rewritten, re-fragmented (<= 1500), tshark reassembles" awk -F'|' '
		$1 > 1500 { bad = 1 } $4 ~ /@203\.0\.113\.1/ && $5 ~ /203\.0\.113\.1/ { ok = 1 }
		END { exit !(ok && !bad) }' "$T/$n.f"
	check "$n: checksums right, not malformed" awk -F'|' '
		$2 != 1 || ($3 != "" && $3 != 1) || $6 != "" { bad = 1 } END { exit bad }' "$T/$n.f"
done
replay overlap "$G/frag4_overlap.pcap" --inside 192.168.1.0/24 --public $PUB
check "overlapping fragments: reported, forwarded unchanged" bash -c \
	"grep -q 'overlapping' '$T/overlap.txt' && cmp -s '$G/frag4_overlap.pcap' '$T/overlap.pcap'"
replay frag6 "$G/frag6_raw.pcap" --inside fd00::/8 --public 2001:db8::1
check "raw-IP IPv6 fragments: rewritten, tshark reassembles" test \
	"$(count "$T/frag6.pcap" 'sdp.connection_info contains "2001:db8::1"')" = 1
replay tsplit "$G/tcp_split.pcap" --inside 192.168.1.0/24 --public $PUB --keep-addresses
WHY="Contact not rewritten in the INVITE, ACK and BYE"
check "TCP: split INVITE + pipelined ACK/BYE all rewritten" test \
	"$(count "$T/tsplit.pcap" 'sip.contact.uri contains "203.0.113.1"')" = 2
check "TCP: no analysis flags after the size change" test "$(count "$T/tsplit.pcap" \
	'tcp.analysis.flags || tcp.checksum.status==0' -o tcp.check_checksum:TRUE)" = 0
replay tls "$G/tcp_tls.pcap" --inside 192.168.1.0/24 --public $PUB --ports 5060,5061
check "TCP 5061 (TLS) never touched" cmp -s "$G/tcp_tls.pcap" "$T/tls.pcap"
replay gap "$G/tcp_gap.pcap" --inside 192.168.1.0/24 --public $PUB --keep-addresses
check "TCP segment missing: reported, stream passed through" bash -c \
	"grep -q 'gap in the TCP stream' '$T/gap.txt' && cmp -s '$G/tcp_gap.pcap' '$T/gap.pcap'"
replay tail "$G/tcp_tail.pcap" --inside 192.168.1.0/24 --public $PUB --keep-addresses
check "TCP message cut by the end of capture: reported, copied" bash -c \
	"grep -q 'TCP stream ends inside a message (2800 bytes)' '$T/tail.txt' && cmp -s '$G/tcp_tail.pcap' '$T/tail.pcap'"
replay sll2 "$G/sll2.pcap" --inside 192.168.1.0/24 --public $PUB
check "Linux cooked v2: REGISTER rewritten" test \
	"$(count "$T/sll2.pcap" 'sip.contact.uri contains "203.0.113.1"')" = 1
for n in vlan null; do
	replay $n "$G/$n.pcap" --inside 192.168.1.0/24 --public $PUB
	check "$n link layer: REGISTER rewritten, checksums right" test \
		"$(count "$T/$n.pcap" 'sip.contact.uri contains "203.0.113.1" && ip.src == 203.0.113.1 && ip.checksum.status==1 && udp.checksum.status==1' -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE)" = 1
done
editcap -F pcapng "$CORP/fragmented_tcp_sip.pcap" "$T/ng.pcapng" 2>/dev/null
replay ng "$T/ng.pcapng" --inside 10.192.243.79/32 --public $PUB
check "pcapng input: read, written as pcap, same SIP messages" bash -c \
	"test \$(cat '$T/ng.rc') = 0 && cmp -s '$T/tcp.pcap' '$T/ng.pcap'"
replay snap "$G/snap.pcap" --inside 192.168.1.0/24 --public $PUB
check "snap-length-truncated SIP: reported, copied" bash -c \
	"test \$(cat '$T/snap.rc') = 0 && grep -q 'truncated packet (200 of 342' '$T/snap.txt' && cmp -s '$G/snap.pcap' '$T/snap.pcap'"

# ---- bad input and usage ----
replay cut "$G/cut.pcap" --inside 192.168.1.0/24 --public $PUB
check "capture cut mid-record: exit 1, report and output kept" bash -c \
	"test \$(cat '$T/cut.rc') = 1 && grep -q 'capture cut short' '$T/cut.txt' && test \$(tshark -r '$T/cut.pcap' 2>/dev/null | wc -l) = 2"
replay bogus "$G/bogus.pcap" --inside 192.168.1.0/24 --public $PUB
check "bogus record length: exit 1, no crash" test "$(rc bogus)" = 1
replay missing "$T/nonexistent.pcap" --inside 192.168.1.0/24 --public $PUB
check "unreadable capture: exit 1" test "$(rc missing)" = 1
"$SIPALG" replay "$G/frag4.pcap" --public $PUB -o "$T/u.pcap" >/dev/null 2>&1
check "usage: no --inside: exit 2" test $? = 2
"$SIPALG" replay "$G/frag4.pcap" --inside 300.1.1.0/24 --public $PUB -o "$T/u.pcap" >/dev/null 2>&1
check "usage: bad prefix: exit 2" test $? = 2
"$SIPALG" replay "$G/frag4.pcap" --inside 10.0.0.0/8 --public $PUB --bogus -o "$T/u.pcap" >/dev/null 2>&1
check "usage: unknown option: exit 2" test $? = 2

cp "$G/frag4.pcap" "$T/same.pcap"
"$SIPALG" replay "$T/same.pcap" --inside 10.0.0.0/8 --public $PUB -o "$T/same.pcap" >/dev/null 2>&1
check "usage: output over the capture refused, capture intact" bash -c \
	"test $? = 2 && cmp -s '$G/frag4.pcap' '$T/same.pcap'"

# ---- JSON ----
"$SIPALG" replay "$CORP/aaa.pcap" --inside 192.168.1.0/24 --public $PUB --json -o "$T/j.pcap" >"$T/j.json"
WHY="not valid JSON or totals wrong"
check "json: valid, totals match the text report" python3 -c "
import json, sys, re
d = json.load(open('$T/j.json'))
t = d['totals']
txt = open('$T/aaa.txt').read()
m = re.search(r'SIP messages: (\d+) \((\d+) rewritten', txt)
ev = [e for c in d['calls'] for e in c['events'] if e['kind'] == 'message']
rw = [e for e in ev if e['fate'] == 'rewritten']
assert t['messages'] == int(m.group(1)) and t['rewritten'] == int(m.group(2)), t
assert all(e['rewrites'] for e in rw) and any(e['dir'] == 'in' for e in ev)
assert t['frames_in'] == t['frames_out'] == 691
"

# ---- damaged captures: never a crash ----
python3 - "$T/mut" "$CORP/fragmented_tcp_sip.pcap" "$CORP/ipv6frag.pcap" "$G/frag4.pcap" \
	"$G/tcp_split.pcap" <<'EOF'
import os, random, struct, sys
random.seed(7)
out = sys.argv[1]
os.makedirs(out)
for src in sys.argv[2:]:
    data = open(src, 'rb').read()
    for i in range(10):
        d = bytearray(data)
        if i % 3 == 0:
            d = d[:random.randrange(24, len(d))]
        else:
            for _ in range(random.randint(1, 30)):
                p = random.randrange(24, len(d))
                d[p] = random.randrange(256)
        open(os.path.join(out, '%s.%d.pcap' % (os.path.basename(src), i)), 'wb').write(d)
EOF
crashed=0
for m in "$T"/mut/*.pcap; do
	"$SIPALG" replay "$m" --inside 10.192.243.79/32 --inside 192.168.1.0/24 --inside fd17::/16 \
		--public $PUB --ports any -o "$T/m.pcap" >/dev/null 2>&1
	[ $? -le 1 ] || { crashed=$((crashed + 1)); echo "    crashed on $(basename "$m")"; }
done
WHY="$crashed crashes"
check "40 damaged captures: no crash" test $crashed = 0

[ $fails = 0 ]
