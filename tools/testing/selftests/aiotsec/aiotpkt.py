#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Send and receive test frames on aiotsec links and their lower devices.

  aiotpkt.py xfer TX RX DST PAYLOAD [--count N] [--timeout S] [--gap MS]
      Send COUNT plaintext frames to the AIoT address DST on device TX (the
      payload gets a 4-octet sequence number appended), receive on device
      RX; print sent, received, lost, duplicates, out_of_order, corrupt,
      src (addresses seen), first payload, ethertype as KEY=VALUE words
      (or one JSON object with --json).
  aiotpkt.py capture IFACE COUNT [--timeout S] [--ethertype 0x88b5] [--ready F]
      Print up to COUNT frames seen on IFACE, one hex line each.
  aiotpkt.py inject IFACE HEXFRAME...
      Send the given whole Ethernet frames on IFACE, in order; N*HEXFRAME
      sends that one N times.
  aiotpkt.py flips IFACE HEXFRAME [--start 14]
      Send every single-bit flip of the frame from octet START on; print
      how many.
  aiotpkt.py recv IFACE COUNT [--timeout S] [--ready F]
      Print frames received on IFACE: "SRC DST ETHERTYPE PAYLOADHEX".
  aiotpkt.py send IFACE DST HEXPAYLOAD [--count N]
      Send plaintext frames to DST on IFACE.
"""

import argparse
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_AIOT = 0x88B5


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def mac_text(raw):
    return ":".join("%02x" % b for b in raw)


SO_RCVBUFFORCE = 33


def open_sock(iface, proto=ETH_P_ALL):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(proto))
    # room for every frame of a test even when read after the sending
    s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 16 << 20)
    s.bind((iface, proto))
    return s


def incoming(s, count, timeout, accept=lambda f: True):
    """Frames received (not sent) on s until count or timeout."""
    frames = []
    deadline = time.monotonic() + timeout
    while len(frames) < count:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        r, _, _ = select.select([s], [], [], left)
        if not r:
            break
        data, addr = s.recvfrom(65535)
        if addr[2] == socket.PACKET_OUTGOING:
            continue
        if accept(data):
            frames.append(data)
    return frames


def cmd_xfer(a):
    rx = open_sock(a.rx, ETH_P_AIOT)
    tx = open_sock(a.tx)
    dst = mac_bytes(a.dst)
    body = bytes.fromhex(a.payload)
    hdr = dst + b"\x02\x00\x00\x00\x00\x01" + struct.pack("!H", 0x0800)
    for i in range(a.count):
        tx.send(hdr + body + struct.pack("!I", i))
        if a.gap:
            time.sleep(a.gap / 1000.0)
    frames = incoming(rx, a.count, a.timeout)
    seqs, srcs, corrupt = [], set(), 0
    for f in frames:
        srcs.add(mac_text(f[6:12]))
        pl = f[14:]
        if len(pl) != len(body) + 4 or pl[:len(body)] != body:
            corrupt += 1
            continue
        seqs.append(struct.unpack("!I", pl[-4:])[0])
    out = {
        "sent": a.count,
        "received": len(frames),
        "lost": a.count - len(set(seqs)),
        "duplicates": len(seqs) - len(set(seqs)),
        "out_of_order": sum(1 for x, y in zip(seqs, seqs[1:]) if y < x),
        "corrupt": corrupt,
        "src": sorted(srcs),
        "first": frames[0][14:].hex() if frames else "",
        "ethertype": ("0x%04x" % struct.unpack("!H", frames[0][12:14])[0]
                      if frames else ""),
    }
    if a.json:
        print(json.dumps(out))
    else:
        print(" ".join("%s=%s" % (k, ",".join(v) if isinstance(v, list)
                                  else v) for k, v in out.items()))


def cmd_capture(a):
    s = open_sock(a.iface)
    if a.ready:
        open(a.ready, "w").close()
    etype = int(a.ethertype, 0)
    frames = incoming(s, a.count, a.timeout,
                      lambda f: struct.unpack("!H", f[12:14])[0] == etype)
    for f in frames:
        print(f.hex())


def cmd_inject(a):
    s = open_sock(a.iface)
    for h in a.frames:
        n, _, h = h.rpartition("*")
        frame = bytes.fromhex(h)
        for _ in range(int(n or 1)):
            s.send(frame)


def cmd_flips(a):
    """Every single-bit flip of the frame from octet a.start on."""
    s = open_sock(a.iface)
    frame = bytes.fromhex(a.frame)
    for i in range(a.start * 8, len(frame) * 8):
        f = bytearray(frame)
        f[i // 8] ^= 0x80 >> (i % 8)
        s.send(bytes(f))
    print(len(frame) * 8 - a.start * 8)


def cmd_recv(a):
    s = open_sock(a.iface, ETH_P_AIOT)
    if a.ready:
        open(a.ready, "w").close()
    for f in incoming(s, a.count, a.timeout):
        print(mac_text(f[6:12]), mac_text(f[0:6]),
              "0x%04x" % struct.unpack("!H", f[12:14])[0], f[14:].hex())


def cmd_send(a):
    s = open_sock(a.iface)
    hdr = mac_bytes(a.dst) + b"\x02\x00\x00\x00\x00\x01\x08\x00"
    for _ in range(a.count):
        s.send(hdr + bytes.fromhex(a.payload))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    x = sub.add_parser("xfer")
    x.add_argument("tx")
    x.add_argument("rx")
    x.add_argument("dst")
    x.add_argument("payload")
    x.add_argument("--count", type=int, default=10)
    x.add_argument("--timeout", type=float, default=5)
    x.add_argument("--gap", type=float, default=0)
    x.add_argument("--json", action="store_true")
    c = sub.add_parser("capture")
    c.add_argument("iface")
    c.add_argument("count", type=int)
    c.add_argument("--timeout", type=float, default=5)
    c.add_argument("--ethertype", default="0x88b5")
    c.add_argument("--ready", help="file to create once listening")
    i = sub.add_parser("inject")
    i.add_argument("iface")
    i.add_argument("frames", nargs="+")
    f = sub.add_parser("flips")
    f.add_argument("iface")
    f.add_argument("frame")
    f.add_argument("--start", type=int, default=14)
    r = sub.add_parser("recv")
    r.add_argument("iface")
    r.add_argument("count", type=int)
    r.add_argument("--timeout", type=float, default=5)
    r.add_argument("--ready", help="file to create once listening")
    s = sub.add_parser("send")
    s.add_argument("iface")
    s.add_argument("dst")
    s.add_argument("payload")
    s.add_argument("--count", type=int, default=1)
    a = p.parse_args()
    {"xfer": cmd_xfer, "capture": cmd_capture, "inject": cmd_inject,
     "recv": cmd_recv, "send": cmd_send, "flips": cmd_flips}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
