#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal device-side probe of aiotsecd (Documentation/protocol.rst).

Sends authentication messages as unprotected AUTH frames on the device
side of the air link (the lower device, raw AF_PACKET, ethertype 0x88b5)
and prints the network's answer for the same attempt ID.  No MILENAGE:
the full exchange is the device simulator's job.

  authprobe.py hello IFACE ATTEMPT (--tid HEX | --raw-id HEX) [--caps N]
               [--repeat N] [--burst N] [--timeout S] [--k HEX --opc HEX]
      Send HELLO (RAND_d random, or --rand-d HEX) and print each answer;
      --repeat sends it N times (retransmissions), --burst for N attempt
      IDs from ATTEMPT on; with --k and --opc, a mutual CHALLENGE's SQN
      too (AUTN's SQN xor AK, AK = f5(K, RAND_n); MAC-A not checked).
  authprobe.py response IFACE ATTEMPT RES_HEX [--timeout S]
  authprobe.py raw IFACE ATTEMPT BODY_HEX [--timeout S]
      Send any body.
  authprobe.py auth IFACE ATTEMPT --tid HEX --k HEX --opc HEX [--caps N]
               [--repeat-response N] [--hello-copies N] [--timeout S]
      HELLO, then RESPONSE with RES = f2(K, RAND_n) (MILENAGE through
      libcrypto via ctypes; AUTN is not checked), print the answers and
      the first downlink CONTROL frame ("type=control sid=...");
      --watch-control S then counts the CONTROL frames of the session in
      S more seconds ("control_frames=N"), the T-ID-CONFIRM never sent;
      --late-response S then sends the RESPONSE once more, prints its
      answer and counts the CONTROL frames in S seconds
      ("late_control_frames=N");
      --before-response CMD runs CMD (a shell command) between the
      CHALLENGE and the RESPONSE; --hello-copies N sends N copies of the
      HELLO after the first ACCEPT (their answers are not printed).
  authprobe.py audit DB
      Print the audit rows of aiotsecd's store, one per line:
      "device mode outcome cause" (fields "-" when empty).

Answers are printed one per line as KEY=VALUE words:
  type=challenge attempt=0000abcd mode=mutual rand_n=HEX autn=HEX [sqn=N]
  type=reject attempt=... cause=unknown-identity
  type=accept attempt=... sid=... suite=N ctr_bits=N
  raw=HEX for anything else.  Exit 3 when an answer did not come in time
(NO_ANSWER), 1 on an answer of the wrong type.
"""

import argparse
import os
import select
import socket
import sqlite3
import struct
import subprocess
import sys
import time

ETH_P_AIOT = 0x88B5
NO_ANSWER = 3
CAUSES = [None, "unknown-identity", "bad-suci", "mac-failure", "sync-failure",
          "bad-response", "replayed-response", "timeout", "rate-limited",
          "disabled", "malformed"]
TYPES = [None, "hello", "challenge", "response", "sync-failure", "accept",
         "reject"]


def open_sock(iface):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                      socket.htons(ETH_P_AIOT))
    s.bind((iface, ETH_P_AIOT))
    return s


def auth_frame(src, attempt, body):
    """An uplink AUTH frame as a device sends it: below the Ethernet
    minimum, the short header form (version 1, the body length last),
    then padded to 60 octets as a NIC pads it."""
    # broadcast: the reader's address is not known to a device yet
    eth = b"\xff" * 6 + src + struct.pack("!H", ETH_P_AIOT)
    # octet 0: V, TYPE=0 (auth), K=0, C=0 (16-bit counter), D=0 (uplink)
    if 14 + 7 + len(body) < 60:
        frame = eth + struct.pack("!BIHB", 0x40, attempt, 0, len(body)) + body
        return frame + bytes(60 - len(frame))
    return eth + struct.pack("!BIH", 0x00, attempt, 0) + body


def split_frame(f):
    """(octet 0, SID, payload) of an AIoT frame: the short form's body
    (without what follows it: tag, padding), else all after the header;
    None if malformed."""
    b0 = f[14]
    if b0 >> 6 > 1:
        return None
    hlen = 9 if b0 & 2 and (b0 >> 3) & 7 else 7
    if b0 >> 6 == 1:
        if len(f) < 14 + hlen + 1 or len(f) < 14 + hlen + 1 + f[14 + hlen]:
            return None
        blen = f[14 + hlen]
        return b0, struct.unpack("!I", f[15:19])[0], \
            f[14 + hlen + 1:14 + hlen + 1 + blen]
    return b0, struct.unpack("!I", f[15:19])[0], f[14 + hlen:]


def parse_answer(frame, own):
    """(attempt, body) of a downlink auth frame, else None."""
    if len(frame) < 14 + 7 or frame[6:12] == own:
        return None
    if struct.unpack("!H", frame[12:14])[0] != ETH_P_AIOT:
        return None
    p = split_frame(frame)
    if not p or (p[0] >> 3) & 7 != 0 or not p[0] & 1:
        return None                     # not a downlink auth frame
    return p[1], p[2]


def describe(attempt, body, keys=None):
    """keys: (K, OPc) to recover a mutual CHALLENGE's SQN, else None."""
    w = "attempt=%08x" % attempt
    if len(body) >= 2 and body[1] == 1 and 1 <= body[0] <= 6:
        t = TYPES[body[0]]
        f = body[2:]
        if t == "challenge" and len(f) in (17, 33):
            mode = {1: "one-way", 2: "mutual"}.get(f[0], str(f[0]))
            s = "type=challenge %s mode=%s rand_n=%s" % (w, mode,
                                                        f[1:17].hex())
            if len(f) == 33:
                s += " autn=" + f[17:33].hex()
                if keys:
                    ak = milenage_out2(keys[0], keys[1], f[1:17])[:6]
                    s += " sqn=%d" % int.from_bytes(xor(f[17:23], ak), "big")
            return s
        if t == "reject" and len(f) == 1:
            c = CAUSES[f[0]] if f[0] < len(CAUSES) else str(f[0])
            return "type=reject %s cause=%s" % (w, c)
        if t == "accept" and len(f) == 6:
            sid, suite, bits = struct.unpack("!IBB", f)
            return "type=accept %s sid=%08x suite=%d ctr_bits=%d" % (
                w, sid, suite, bits)
    return "raw=%s %s" % (body.hex(), w)


def aes128_ecb(key, block):
    import ctypes
    import ctypes.util
    lib = ctypes.CDLL(ctypes.util.find_library("crypto") or "libcrypto.so.3")
    lib.EVP_CIPHER_CTX_new.restype = ctypes.c_void_p
    lib.EVP_aes_128_ecb.restype = ctypes.c_void_p
    ctx = ctypes.c_void_p(lib.EVP_CIPHER_CTX_new())
    out = ctypes.create_string_buffer(32)
    n = ctypes.c_int(0)
    lib.EVP_EncryptInit_ex(ctx, ctypes.c_void_p(lib.EVP_aes_128_ecb()), None,
                           key, None)
    lib.EVP_CIPHER_CTX_set_padding(ctx, 0)
    lib.EVP_EncryptUpdate(ctx, out, ctypes.byref(n), block, 16)
    lib.EVP_CIPHER_CTX_free(ctx)
    return out.raw[:16]


def xor(a, b):
    return bytes(x ^ y for x, y in zip(a, b))


def milenage_out2(k, opc, rand):
    """TS 35.206 OUT2 = E_K(TEMP xor OPc xor c2) xor OPc: AK = f5 || RES."""
    temp = aes128_ecb(k, xor(rand, opc))
    c2 = bytes(15) + b"\x01"
    return xor(aes128_ecb(k, xor(xor(temp, opc), c2)), opc)


def milenage_f2(k, opc, rand):
    return milenage_out2(k, opc, rand)[8:16]


def recv_answer(s, own, attempt, timeout, ftype=0):
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        r, _, _ = select.select([s], [], [], left)
        if not r:
            return None
        f = s.recv(2048)
        if len(f) < 21 or f[6:12] == own or not f[14] & 1:
            continue
        p = split_frame(f)
        if not p or (p[0] >> 3) & 7 != ftype:
            continue
        if ftype == 0 and p[1] != attempt:
            continue
        return p[1], p[2]


def full_auth(args):
    s = open_sock(args.iface)
    own = s.getsockname()[4]
    attempt = int(args.attempt, 16)
    body = (b"\x01\x01\x01" + bytes.fromhex(args.tid) + os.urandom(16) +
            bytes([args.caps]))
    hello = auth_frame(own, attempt, body)
    s.send(hello)
    a = recv_answer(s, own, attempt, args.timeout)
    if not a:
        return NO_ANSWER
    print(describe(*a), flush=True)
    if a[1][0] != 2:
        return 1
    res = milenage_f2(bytes.fromhex(args.k), bytes.fromhex(args.opc),
                      a[1][3:19])
    if args.before_response:
        subprocess.run(args.before_response, shell=True, check=True)
    ctrl_seen = False
    for _ in range(args.repeat_response):
        s.send(auth_frame(own, attempt, b"\x03\x01" + res))
        a = recv_answer(s, own, attempt, args.timeout)
        if not a:
            return NO_ANSWER
        print(describe(*a), flush=True)
        if a[1][0] != 5:
            return 1
        if not ctrl_seen:
            sid = struct.unpack("!I", a[1][2:6])[0]
            c = recv_answer(s, own, sid, args.timeout, ftype=4)
            if not c:
                print("no control frame", flush=True)
                return NO_ANSWER
            print("type=control sid=%08x len=%d" % (c[0], len(c[1])),
                  flush=True)
            ctrl_seen = True
            # someone replays the HELLO, its answers are not counted
            for _ in range(args.hello_copies):
                s.send(hello)
                recv_answer(s, own, attempt, 0.3)
    if args.watch_control:
        # never confirmed: count the network's retransmissions
        print("control_frames=%d" %
              count_control(s, own, sid, args.watch_control), flush=True)
    if args.late_response:
        # the RESPONSE once more, after the watch: its answers
        s.send(auth_frame(own, attempt, b"\x03\x01" + res))
        a = recv_answer(s, own, attempt, args.timeout)
        print(describe(*a) if a else "no answer", flush=True)
        print("late_control_frames=%d" %
              count_control(s, own, sid, args.late_response), flush=True)
    return 0


def count_control(s, own, sid, secs):
    """The CONTROL frames of session sid received in secs seconds."""
    n, end = 0, time.monotonic() + secs
    while time.monotonic() < end:
        c = recv_answer(s, own, sid, end - time.monotonic(), ftype=4)
        if c and c[0] == sid:
            n += 1
    return n


def exchange(iface, attempt, body, repeat, timeout, burst=1, keys=None):
    s = open_sock(iface)
    own = s.getsockname()[4]
    got = 0
    attempts = [(attempt + i) & 0xffffffff for i in range(burst)
                for _ in range(repeat)]
    for attempt in attempts:
        s.send(auth_frame(own, attempt, body))
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            r, _, _ = select.select([s], [], [], left)
            if not r:
                break
            a = parse_answer(s.recv(2048), own)
            if a and a[0] == attempt:
                print(describe(*a, keys=keys), flush=True)
                got += 1
                break
    return 0 if got == len(attempts) else NO_ANSWER


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    h = sub.add_parser("hello")
    h.add_argument("iface")
    h.add_argument("attempt")
    g = h.add_mutually_exclusive_group(required=True)
    g.add_argument("--tid")
    g.add_argument("--raw-id", help="id-type and identity, hex")
    h.add_argument("--rand-d")
    h.add_argument("--caps", type=lambda x: int(x, 0), default=0)
    h.add_argument("--repeat", type=int, default=1)
    h.add_argument("--burst", type=int, default=1,
                   help="attempts ATTEMPT, ATTEMPT+1, ... in a row")
    h.add_argument("--timeout", type=float, default=3)
    h.add_argument("--k", help="with --opc: print a CHALLENGE's SQN")
    h.add_argument("--opc")
    r = sub.add_parser("response")
    r.add_argument("iface")
    r.add_argument("attempt")
    r.add_argument("res")
    r.add_argument("--timeout", type=float, default=3)
    w = sub.add_parser("raw")
    w.add_argument("iface")
    w.add_argument("attempt")
    w.add_argument("body")
    w.add_argument("--timeout", type=float, default=3)
    f = sub.add_parser("auth")
    f.add_argument("iface")
    f.add_argument("attempt")
    f.add_argument("--tid", required=True)
    f.add_argument("--k", required=True)
    f.add_argument("--opc", required=True)
    f.add_argument("--caps", type=lambda x: int(x, 0), default=0)
    f.add_argument("--repeat-response", type=int, default=1)
    f.add_argument("--hello-copies", type=int, default=0,
                   help="copies of the HELLO sent after the first ACCEPT")
    f.add_argument("--watch-control", type=float, default=0)
    f.add_argument("--late-response", type=float, default=0,
                   metavar="SECS", help="after the watch, the RESPONSE "
                   "again; count the CONTROL frames for SECS")
    f.add_argument("--before-response", metavar="CMD",
                   help="shell command run between CHALLENGE and RESPONSE")
    f.add_argument("--timeout", type=float, default=3)
    a = sub.add_parser("audit")
    a.add_argument("db")
    args = p.parse_args()

    if args.cmd == "audit":
        db = sqlite3.connect("file:%s?mode=ro" % args.db, uri=True)
        for row in db.execute("SELECT device, mode, outcome, cause FROM audit"
                              " ORDER BY id"):
            print(" ".join(x if x else "-" for x in row))
        return 0
    if args.cmd == "auth":
        return full_auth(args)
    attempt = int(args.attempt, 16)
    if args.cmd == "hello":
        ident = (b"\x01" + bytes.fromhex(args.tid) if args.tid
                 else bytes.fromhex(args.raw_id))
        rand_d = bytes.fromhex(args.rand_d) if args.rand_d else os.urandom(16)
        body = b"\x01\x01" + ident + rand_d + bytes([args.caps])
        keys = None
        if args.k and args.opc:
            keys = (bytes.fromhex(args.k), bytes.fromhex(args.opc))
        return exchange(args.iface, attempt, body, args.repeat, args.timeout,
                        args.burst, keys)
    if args.cmd == "response":
        body = b"\x03\x01" + bytes.fromhex(args.res)
        return exchange(args.iface, attempt, body, 1, args.timeout)
    return exchange(args.iface, attempt, bytes.fromhex(args.body), 1,
                    args.timeout)


if __name__ == "__main__":
    sys.exit(main())
