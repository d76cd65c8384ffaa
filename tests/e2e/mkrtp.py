#!/usr/bin/env python3
"""mkrtp.py OUT.pcap [COUNT] [SSRC] - write a short RTP stream for SIPp.

SIPp's play_pcap_audio replays the UDP payloads of a pcap with the pcap's
timing, to the address the peer's SDP names.  The corpus pcap lasts 7 s;
the end-to-end tests want about one second, so they make their own: COUNT
(default 50) G.711 A-law packets 20 ms apart (RFC 3551: PT 8, 160 samples
per packet), Ethernet/IPv4/UDP framing (addresses are placeholders, SIPp
replaces them).  A distinct SSRC lets a receiver tell two streams apart.
"""
import struct
import sys


def packet(seq, ssrc):
	rtp = struct.pack("!BBHII", 0x80, 8, seq & 0xFFFF, seq * 160, ssrc)
	rtp += bytes([0xD5]) * 160  # A-law silence
	udp = struct.pack("!HHHH", 30000, 30000, 8 + len(rtp), 0) + rtp
	ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF, 0,
			 64, 17, 0, bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2]))
	eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
	return eth + ip + udp


def main():
	out = sys.argv[1]
	count = int(sys.argv[2]) if len(sys.argv) > 2 else 50
	ssrc = int(sys.argv[3], 0) if len(sys.argv) > 3 else 0x5A1A0001
	with open(out, "wb") as f:
		# pcap global header: magic, v2.4, tz 0, sigfigs 0, snaplen, DLT_EN10MB
		f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
		t = 1_700_000_000.0
		for i in range(count):
			pkt = packet(i, ssrc)
			ts = t + i * 0.020
			sec = int(ts)
			usec = int(round((ts - sec) * 1e6))
			f.write(struct.pack("<IIII", sec, usec, len(pkt), len(pkt)))
			f.write(pkt)


if __name__ == "__main__":
	main()
