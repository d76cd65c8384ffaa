#!/usr/bin/env python3
"""bctl.py - drive a headless baresip over its ctrl_tcp module.

ctrl_tcp speaks JSON objects framed as netstrings ("LEN:JSON,").  A
command is {"command": NAME, "params": ARGS, "token": T}; baresip answers
{"response": true, "ok": BOOL, "data": TEXT, "token": T} and pushes
{"event": true, "type": ..., ...} on the connection.  baresip 1.0 keeps
only one connection (a new one replaces the old), so one session holds it
for both commands and events:

    bctl.py session HOST:PORT FIFO   read "TOKEN COMMAND [PARAMS]" lines
                                     from FIFO, send each as a command;
                                     print every event and response as
                                     one JSON line (flushed, with "t")
Written for sipalg's tests/e2e/t_kamailio.sh (realua_lib.sh ua_cmd).
"""
import json
import os
import select
import socket
import sys
import time


def connect(hp):
    host, port = hp.rsplit(":", 1)
    deadline = time.monotonic() + 5
    while True:
        try:
            return socket.create_connection((host, int(port)), timeout=5)
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def frames(buf):
    """Split complete netstrings off buf: (list of dicts, rest)."""
    out = []
    while True:
        colon = buf.find(b":")
        if colon <= 0:
            return out, buf
        n = int(buf[:colon])
        if len(buf) < colon + 1 + n + 1:
            return out, buf
        out.append(json.loads(buf[colon + 1:colon + 1 + n].decode("utf-8", "replace")))
        buf = buf[colon + 1 + n + 1:]


def send(sock, line):
    parts = line.strip().split(" ", 2)
    if len(parts) < 2:
        return
    msg = {"token": parts[0], "command": parts[1]}
    if len(parts) == 3:
        msg["params"] = parts[2]
    body = json.dumps(msg).encode()
    sock.sendall(b"%d:%s," % (len(body), body))


def session(hp, fifo):
    sock = connect(hp)
    sock.settimeout(None)
    # O_RDWR: the FIFO never reports EOF when a writer closes it.
    fd = os.open(fifo, os.O_RDWR | os.O_NONBLOCK)
    pending = b""
    buf = b""
    sys.stdout.write(json.dumps({"connected": hp, "t": round(time.time(), 3)}) + "\n")
    sys.stdout.flush()
    while True:
        ready, _, _ = select.select([sock, fd], [], [])
        if fd in ready:
            pending += os.read(fd, 65536)
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                send(sock, line.decode())
        if sock in ready:
            data = sock.recv(65536)
            if not data:
                return 0
            objs, buf = frames(buf + data)
            for obj in objs:
                obj["t"] = round(time.time(), 3)
                sys.stdout.write(json.dumps(obj) + "\n")
            sys.stdout.flush()


def main(argv):
    if len(argv) == 4 and argv[1] == "session":
        return session(argv[2], argv[3])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
