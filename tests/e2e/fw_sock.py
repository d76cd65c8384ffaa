#!/usr/bin/env python3
"""fw_sock.py - tiny socket tools for tests/e2e/t_fw.sh.

  fw_sock.py tproxy-udp PORT SECS     transparent UDP listener on 0.0.0.0:PORT;
                                      prints "from=IP:PORT origdst=IP:PORT data=..."
  fw_sock.py tproxy-tcp PORT SECS     transparent TCP listener; prints
                                      "from=IP:PORT local=IP:PORT data=..."
  fw_sock.py udp-recv PORT SECS [N]   plain UDP listener; prints "from=IP:PORT data=..."
                                      (stops after N datagrams)
  fw_sock.py udp-send SPORT IP PORT DATA [COUNT]
  fw_sock.py tcp-send IP PORT DATA
  fw_sock.py tcp-listen PORT SECS     plain TCP listener; echoes, prints "from=IP:PORT data=..."
  fw_sock.py tproxy-connect SRC_IP SRC_PORT IP PORT DATA
                                      TCP from a foreign source address (IP_TRANSPARENT);
                                      prints the reply

Each listener prints "ready" first (flushed), so the caller can wait for it.
"""
import socket
import struct
import sys
import time

IP_TRANSPARENT = 19
IP_RECVORIGDSTADDR = 20
IP_ORIGDSTADDR = 20


def out(line):
    print(line, flush=True)


def tproxy_udp(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    s.setsockopt(socket.SOL_IP, IP_RECVORIGDSTADDR, 1)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    out("ready")
    end = time.time() + secs
    while time.time() < end:
        try:
            data, anc, _flags, src = s.recvmsg(2048, 256)
        except socket.timeout:
            continue
        odst = "?"
        for level, typ, val in anc:
            if level == socket.SOL_IP and typ == IP_ORIGDSTADDR:
                p, a = struct.unpack_from("!2xH4s", val)
                odst = "%s:%d" % (socket.inet_ntoa(a), p)
        out("from=%s:%d origdst=%s data=%s" % (src[0], src[1], odst, data.decode()))


def tproxy_tcp(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(8)
    s.settimeout(secs)
    out("ready")
    try:
        c, src = s.accept()
    except socket.timeout:
        return
    c.settimeout(2)
    loc = c.getsockname()
    data = c.recv(2048)
    c.sendall(b"echo:" + data)
    out("from=%s:%d local=%s:%d data=%s" % (src[0], src[1], loc[0], loc[1], data.decode()))
    c.close()


def udp_recv(port, secs, limit):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    out("ready")
    end = time.time() + secs
    n = 0
    while time.time() < end and n < limit:
        try:
            data, src = s.recvfrom(2048)
        except socket.timeout:
            continue
        n += 1
        out("from=%s:%d data=%s" % (src[0], src[1], data.decode()))


def udp_send(sport, ip, port, data, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    for _ in range(count):
        s.sendto(data.encode(), (ip, port))
        time.sleep(0.01)


def tcp_send(ip, port, data):
    s = socket.create_connection((ip, port), timeout=3)
    s.sendall(data.encode())
    out(s.recv(2048).decode())


def tcp_listen(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    s.listen(8)
    s.settimeout(secs)
    out("ready")
    try:
        c, src = s.accept()
    except socket.timeout:
        return
    c.settimeout(2)
    data = c.recv(2048)
    c.sendall(b"echo:" + data)
    out("from=%s:%d data=%s" % (src[0], src[1], data.decode()))
    c.close()


def tproxy_connect(sip, sport, ip, port, data):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
    s.bind((sip, sport))
    s.settimeout(2)
    try:
        s.connect((ip, port))
        s.sendall(data.encode())
        out(s.recv(2048).decode())
    except OSError as e:
        out("error=%s" % e)


def main(a):
    if a[0] == "tproxy-udp":
        tproxy_udp(int(a[1]), float(a[2]))
    elif a[0] == "tproxy-tcp":
        tproxy_tcp(int(a[1]), float(a[2]))
    elif a[0] == "udp-recv":
        udp_recv(int(a[1]), float(a[2]), int(a[3]) if len(a) > 3 else 1 << 30)
    elif a[0] == "udp-send":
        udp_send(int(a[1]), a[2], int(a[3]), a[4], int(a[5]) if len(a) > 5 else 1)
    elif a[0] == "tcp-listen":
        tcp_listen(int(a[1]), float(a[2]))
    elif a[0] == "tproxy-connect":
        tproxy_connect(a[1], int(a[2]), a[3], int(a[4]), a[5])
    elif a[0] == "tcp-send":
        tcp_send(a[1], int(a[2]), a[3])
    else:
        sys.exit("usage: see the header of fw_sock.py")


if __name__ == "__main__":
    main(sys.argv[1:])
