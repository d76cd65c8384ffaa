#!/usr/bin/env python3
"""Write the small captures tests/cli/t_replay.sh needs into a directory.

Each capture is built byte by byte here (no capture library), so the test
knows exactly what went in:

  frag4.pcap        a UDP INVITE over 1500 bytes in two IPv4 fragments
  frag4_ooo.pcap    the same, fragments in reverse order
  frag4_overlap.pcap  two fragments that overlap (RFC 5722: discard)
  frag6_raw.pcap    a UDP INVITE in two IPv6 fragments, raw-IP link type
  tcp_split.pcap    handshake, an INVITE split over 3 segments, a 200 OK
                    and an ACK in one segment, teardown
  tcp_tls.pcap      the same INVITE on TCP 5061 (TLS port: never touched)
  tcp_gap.pcap      tcp_split.pcap without the INVITE's second segment
  tcp_tail.pcap     tcp_split.pcap cut after the INVITE's second segment
  sll2.pcap         a REGISTER on Linux cooked v2
  vlan.pcap         a REGISTER in an 802.1Q-tagged Ethernet frame
  null.pcap         a REGISTER on BSD loopback (DLT_NULL, host-order family)
  snap.pcap         a REGISTER captured with a 200-byte snap length
  cut.pcap          frag4.pcap cut in the middle of its last record
  bogus.pcap        a record header claiming a 16 MB packet

Addresses: inside 192.168.1.2 / fd00::2, outside 198.51.100.7 / 2001:db8::7.
Usage: gen_replay_pcaps.py OUTDIR
"""
import os
import struct
import sys

IN4, OUT4 = bytes([192, 168, 1, 2]), bytes([198, 51, 100, 7])
IN6 = bytes.fromhex("fd000000000000000000000000000002")
OUT6 = bytes.fromhex("20010db8000000000000000000000007")
MAC_A, MAC_B = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def l4sum(src, dst, proto, seg):
    pseudo = src + dst + struct.pack("!BBH", 0, proto, len(seg)) if len(src) == 4 else \
        src + dst + struct.pack("!IxxxB", len(seg), proto)
    return csum(pseudo + seg)


def udp(src, dst, sport, dport, payload):
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = l4sum(src, dst, 17, h + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), c) + payload


def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    c = l4sum(src, dst, 6, h + payload)
    return h[:16] + struct.pack("!H", c) + h[18:] + payload


def ip4(src, dst, proto, payload, ident=1, off=0, more=False):
    fl = (0x2000 if more else 0) | (off // 8)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, fl, 64, proto, 0,
                    src, dst)
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


def ip6(src, dst, nh, payload):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + src + dst + payload


def ip6_frag(src, dst, nh, chunk, off, more, ident):
    fh = struct.pack("!BBHI", nh, 0, off | (1 if more else 0), ident)
    return ip6(src, dst, 44, fh + chunk)


def eth(l3, v6=False):
    return MAC_B + MAC_A + struct.pack("!H", 0x86DD if v6 else 0x0800) + l3


def sll2(l3):
    # protocol, reserved, ifindex, hatype, pkttype, halen, address[8]
    return struct.pack("!HHIHBB8s", 0x0800, 0, 1, 1, 4, 6, MAC_A) + l3


def pcap(path, linktype, frames, snaplen=65535, cut=0, bogus=False):
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen, linktype))
    t = 1700000000
    for i, f in enumerate(frames):
        data, wirelen = (f, len(f)) if isinstance(f, bytes) else f
        caplen = 0x1000000 if bogus and i == len(frames) - 1 else len(data)
        out += struct.pack("<IIII", t, 1000 * i, caplen, wirelen) + data
    if cut:
        out = out[:-cut]
    with open(path, "wb") as fh:
        fh.write(out)


def invite(ip, pad):
    host = ip if "." in ip else "[%s]" % ip
    sdp = ("v=0\r\no=- 1 1 IN IP%s %s\r\ns=-\r\nc=IN IP%s %s\r\nt=0 0\r\n"
           "m=audio 8000 RTP/AVP 0\r\n") % ("4" if "." in ip else "6", ip,
                                             "4" if "." in ip else "6", ip)
    hdr = ("INVITE sip:bob@example.net SIP/2.0\r\n"
           "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-t1\r\n"
           "Max-Forwards: 70\r\n"
           "From: <sip:alice@example.net>;tag=a1\r\n"
           "To: <sip:bob@example.net>\r\n"
           "Call-ID: t-replay-1@%s\r\n"
           "CSeq: 1 INVITE\r\n"
           "Contact: <sip:alice@%s:5060>\r\n"
           "X-Pad: %s\r\n"
           "Content-Type: application/sdp\r\n"
           "Content-Length: %d\r\n\r\n") % (host, ip, host, "p" * pad, len(sdp))
    return (hdr + sdp).encode()


def register(ip):
    return ("REGISTER sip:example.net SIP/2.0\r\n"
            "Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-r1\r\n"
            "Max-Forwards: 70\r\n"
            "From: <sip:alice@example.net>;tag=r1\r\n"
            "To: <sip:alice@example.net>\r\n"
            "Call-ID: t-replay-reg@%s\r\n"
            "CSeq: 1 REGISTER\r\n"
            "Contact: <sip:alice@%s:5060>\r\n"
            "Expires: 3600\r\n"
            "Content-Length: 0\r\n\r\n" % (ip, ip, ip)).encode()


def frag4_frames(order=1, overlap=False):
    seg = udp(IN4, OUT4, 5060, 5060, invite("192.168.1.2", 1600))
    a, b = seg[:1480], seg[1480:]
    f1 = eth(ip4(IN4, OUT4, 17, a, ident=77, off=0, more=True))
    boff = 1472 if overlap else 1480
    f2 = eth(ip4(IN4, OUT4, 17, seg[boff:], ident=77, off=boff))
    return [f1, f2][::order]


def frag6_frames():
    seg = udp(IN6, OUT6, 5060, 5060, invite("fd00::2", 1600))
    return [ip6_frag(IN6, OUT6, 17, seg[:1448], 0, True, 99),
            ip6_frag(IN6, OUT6, 17, seg[1448:], 1448, False, 99)]


def tcp_frames(port):
    c, s = 1000, 5000
    msg = invite("192.168.1.2", 3000).replace(b"SIP/2.0/UDP", b"SIP/2.0/TCP")
    ok = (b"SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 192.168.1.2:5060;branch=z9hG4bK-t1\r\n"
          b"From: <sip:alice@example.net>;tag=a1\r\nTo: <sip:bob@example.net>;tag=b1\r\n"
          b"Call-ID: t-replay-1@192.168.1.2\r\nCSeq: 1 INVITE\r\n"
          b"Contact: <sip:bob@198.51.100.7:5060;transport=tcp>\r\nContent-Length: 0\r\n\r\n")
    ack = (b"ACK sip:bob@198.51.100.7:5060;transport=tcp SIP/2.0\r\n"
           b"Via: SIP/2.0/TCP 192.168.1.2:5060;branch=z9hG4bK-t2\r\nMax-Forwards: 70\r\n"
           b"From: <sip:alice@example.net>;tag=a1\r\nTo: <sip:bob@example.net>;tag=b1\r\n"
           b"Call-ID: t-replay-1@192.168.1.2\r\nCSeq: 1 ACK\r\n"
           b"Contact: <sip:alice@192.168.1.2:5060;transport=tcp>\r\nContent-Length: 0\r\n\r\n")
    bye = ack.replace(b"ACK sip", b"BYE sip").replace(b"1 ACK", b"2 BYE").replace(b"-t2", b"-t3")
    up = lambda seq, ackn, fl, p=b"": eth(ip4(IN4, OUT4, 6, tcp(IN4, OUT4, 40000, port, seq, ackn, fl, p)))
    down = lambda seq, ackn, fl, p=b"": eth(ip4(OUT4, IN4, 6, tcp(OUT4, IN4, port, 40000, seq, ackn, fl, p)))
    f = [up(c, 0, 0x02), down(s, c + 1, 0x12), up(c + 1, s + 1, 0x10)]
    p1, p2, p3 = msg[:1400], msg[1400:2800], msg[2800:]
    f += [up(c + 1, s + 1, 0x18, p1), down(s + 1, c + 1 + 1400, 0x10),
          up(c + 1 + 1400, s + 1, 0x18, p2), up(c + 1 + 2800, s + 1, 0x18, p3),
          down(s + 1, c + 1 + len(msg), 0x10)]
    n = c + 1 + len(msg)
    f += [down(s + 1, n, 0x18, ok), up(n, s + 1 + len(ok), 0x18, ack + bye)]
    n += len(ack) + len(bye)
    f += [down(s + 1 + len(ok), n, 0x10), up(n, s + 1 + len(ok), 0x11),
          down(s + 1 + len(ok), n + 1, 0x11), up(n + 1, s + 2 + len(ok), 0x10)]
    return f


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    pcap(os.path.join(d, "frag4.pcap"), 1, frag4_frames())
    pcap(os.path.join(d, "frag4_ooo.pcap"), 1, frag4_frames(order=-1))
    pcap(os.path.join(d, "frag4_overlap.pcap"), 1, frag4_frames(overlap=True))
    pcap(os.path.join(d, "frag6_raw.pcap"), 101, frag6_frames())
    pcap(os.path.join(d, "tcp_split.pcap"), 1, tcp_frames(5060))
    pcap(os.path.join(d, "tcp_tls.pcap"), 1, tcp_frames(5061))
    f = tcp_frames(5060)
    pcap(os.path.join(d, "tcp_gap.pcap"), 1, f[:5] + f[6:])
    pcap(os.path.join(d, "tcp_tail.pcap"), 1, f[:6])
    reg_ip = ip4(IN4, OUT4, 17, udp(IN4, OUT4, 5060, 5060, register("192.168.1.2")))
    reg = eth(reg_ip)
    pcap(os.path.join(d, "vlan.pcap"), 1,
         [MAC_B + MAC_A + struct.pack("!HHH", 0x8100, 42, 0x0800) + reg_ip])
    pcap(os.path.join(d, "null.pcap"), 0, [struct.pack("<I", 2) + reg_ip])
    pcap(os.path.join(d, "sll2.pcap"), 276,
         [sll2(ip4(IN4, OUT4, 17, udp(IN4, OUT4, 5060, 5060, register("192.168.1.2"))))])
    pcap(os.path.join(d, "snap.pcap"), 1, [(reg[:200], len(reg))], snaplen=200)
    pcap(os.path.join(d, "cut.pcap"), 1, frag4_frames() + [reg], cut=40)
    pcap(os.path.join(d, "bogus.pcap"), 1, [reg, reg], bogus=True)


if __name__ == "__main__":
    main()
