#!/usr/bin/env python3
"""make_seeds.py - (re)build the seed corpora fuzz/seeds/<target>/ from the
shared corpora (RFC 4475, RFC 5118 wire forms, RFC 3665 call flows), the CLI
test inputs (tests/cli/data) and the benchmark's INVITE.  Run from anywhere:

    fuzz/make_seeds.py [CORPORA]     (default ../shared/corpora)

Seeds only start the fuzzer somewhere interesting, so they need not be
valid; they must stay small (the whole tree well under 1 MB).
fuzz_edit_render's seeds carry its 4 control bytes first (see the target).
"""
import glob
import hashlib
import os
import re
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CORPORA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, '..', 'shared', 'corpora')


def rfc3665_messages():
    """The messages of the RFC 3665 YAML files: '- |+' blocks, 2-space
    indented, LF endings turned into CRLF."""
    out = []
    for path in sorted(glob.glob(os.path.join(CORPORA, 'extras', 'rfc3665-callflows', '*.yaml'))):
        cur = None
        for line in open(path, encoding='utf-8', errors='replace'):
            line = line.rstrip('\n')
            if line.startswith('- |'):
                if cur:
                    out.append(cur)
                cur = []
            elif cur is not None and (line.startswith('  ') or line == ''):
                cur.append(line[2:])
            elif cur is not None:
                out.append(cur)
                cur = None
        if cur:
            out.append(cur)
    msgs = []
    for lines in out:
        while lines and lines[-1] == '' and len(lines) > 1 and lines[-2] == '':
            lines.pop()
        msgs.append(('\r\n'.join(lines)).encode('utf-8'))
    return msgs


PROTOS_SUBS = {b'<To>': b'bob@192.0.2.10', b'<From>': b'alice@192.168.1.20',
               b'<From-Address>': b'192.168.1.20', b'<Teardown-Method>': b'CANCEL',
               b'<Local-Port>': b'5060', b'<CSeq>': b'1', b'<Branch-ID>': b'1',
               b'<From-IP>': b'192.168.1.20', b'<Call-ID>': b'protos1'}


def protos_messages():
    """The INVITE template of each PROTOS c07-sip sample case, placeholders
    filled in the way the suite's driver does (see protos/INDEX.md)."""
    out = []
    for path in sorted(glob.glob(os.path.join(CORPORA, 'protos', 'sample', '*'))):
        d = open(path, 'rb').read()
        sp = d.find(b' ')
        if sp <= 0 or not d[:sp].isdigit():
            continue
        t = d[sp + 1:sp + 1 + int(d[:sp])]
        for k, v in PROTOS_SUBS.items():
            t = t.replace(k, v)
        i = t.find(b'\r\n\r\n')
        body = t[i + 4:] if i >= 0 else b''
        out.append(t.replace(b'<Content-Length>', str(len(body)).encode()))
    return out


def bench_invite():
    src = open(os.path.join(ROOT, 'bench', 'bench_parse.c')).read()
    a = src.index('static const char invite[] =')
    b = src.index(';', src.index('"a=sendrecv'))
    lits = re.findall(r'"((?:[^"\\]|\\.)*)"', src[a:b])
    return ''.join(lits).encode().decode('unicode_escape').encode('latin-1')


def read_all(pattern):
    return [open(p, 'rb').read() for p in sorted(glob.glob(pattern))]


def sdp_of(msg):
    i = msg.find(b'\r\n\r\n')
    body = msg[i + 4:] if i >= 0 else b''
    return body if body.startswith(b'v=') else None


def write(target, seeds):
    d = os.path.join(HERE, 'seeds', target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    seen = set()
    for s in seeds:
        h = hashlib.sha1(s).hexdigest()[:16]
        if h in seen or len(s) > 8192:
            continue
        seen.add(h)
        open(os.path.join(d, h), 'wb').write(s)
    print(f'{target}: {len(seen)} seeds')


def main():
    rfc4475 = read_all(os.path.join(CORPORA, 'rfc4475', '*.dat'))
    rfc5118 = read_all(os.path.join(CORPORA, 'rfc5118', 'wire', '*'))
    tests = read_all(os.path.join(ROOT, 'tests', 'cli', 'data', '*.sip'))
    flows = rfc3665_messages()
    invite = bench_invite()
    protos = protos_messages()[::3]
    msgs = rfc4475 + rfc5118 + tests + flows[::10] + protos + [invite]
    # A TCP stream: two messages, a CRLFCRLF keep-alive, a lone CRLF.
    stream = tests[0] + b'\r\n\r\n' + invite + b'\r\n'
    write('fuzz_sip_parse', msgs + [stream])
    with_sdp = [m for m in rfc4475 + rfc5118 + tests + flows[::4] + [invite] if b'v=0' in m]
    bodies = [b for b in map(sdp_of, with_sdp) if b]
    write('fuzz_sdp_parse', with_sdp + bodies)
    # Control byte 0: 0x00 no edits, 0x3f all ALG edits, 0x7f plus random
    # spans, 0xbf all ALG edits parsed as a stream.
    ctl = [b'\x00\x01\x02\x03', b'\x3f\x11\x22\x33', b'\x7f\x44\x55\x66', b'\xbf\x77\x88\x99']
    seeds = []
    for i, m in enumerate(with_sdp + rfc4475[::5]):
        seeds.append(ctl[i % len(ctl)] + m)
    write('fuzz_edit_render', seeds)


main()
