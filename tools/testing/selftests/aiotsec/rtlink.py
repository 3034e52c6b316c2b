#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Change or read an aiotsec link through rtnetlink, for the tests.

Sends one RTM_NEWLINK request for an existing link, with IFLA_LINKINFO of
kind "aiotsec" and the IFLA_INFO_DATA attributes given, extended ACKs on,
and prints one line:

  ok                          acked
  errno=NAME msg="..."        refused (msg only when the kernel sent one)

or, with "get", one RTM_GETLINK request, and prints the link's kind and
IFLA_INFO_DATA as the kernel filled them in:

  kind=aiotsec role=N max-sas=N

Usage:
  rtlink.py IFNAME [role=N] [role-u32=N] [max-sas=N] [max-sas-u8=N]
            [max-sas-u64=N]
  rtlink.py IFNAME get

max-sas-u8 and max-sas-u64 send IFLA_AIOTSEC_MAX_SAS with a payload of
one or eight octets, role-u32 IFLA_AIOTSEC_ROLE with four (bad input).
Runs in the caller's network namespace.
"""

import errno
import socket
import struct
import sys

NETLINK_ROUTE = 0
SOL_NETLINK = 270
NETLINK_EXT_ACK = 11
NLM_F_REQUEST = 1
NLM_F_ACK = 4
NLMSG_ERROR = 2
NLMSGERR_ATTR_MSG = 1
RTM_NEWLINK = 16
RTM_GETLINK = 18
IFLA_IFNAME = 3
IFLA_LINKINFO = 18
IFLA_INFO_KIND = 1
IFLA_INFO_DATA = 2
NLA_F_NESTED = 1 << 15
# include/uapi/linux/aiotsec.h
IFLA_AIOTSEC_ROLE = 1
IFLA_AIOTSEC_MAX_SAS = 2


def attr(atype, payload):
    """One attribute, padded to 4 octets."""
    length = 4 + len(payload)
    return (struct.pack("=HH", length, atype) + payload +
            b"\0" * (-length % 4))


def request(ifname, data):
    """The RTM_NEWLINK message that changes @ifname; RTM_GETLINK: None."""
    body = (struct.pack("=BxHiII", socket.AF_UNSPEC, 0, 0, 0, 0) +
            attr(IFLA_IFNAME, ifname.encode() + b"\0"))
    if data is None:
        return struct.pack("=IHHII", 16 + len(body), RTM_GETLINK,
                           NLM_F_REQUEST, 1, 0) + body
    info = (attr(IFLA_INFO_KIND, b"aiotsec\0") +
            attr(IFLA_INFO_DATA | NLA_F_NESTED, data))
    body += attr(IFLA_LINKINFO | NLA_F_NESTED, info)
    return struct.pack("=IHHII", 16 + len(body), RTM_NEWLINK,
                       NLM_F_REQUEST | NLM_F_ACK, 1, 0) + body


def attrs(buf, off, end):
    """{type: payload} of the attributes in buf[off:end]."""
    out = {}
    while off + 4 <= end:
        length, atype = struct.unpack_from("=HH", buf, off)
        if length < 4:
            break
        out[atype & ~NLA_F_NESTED] = buf[off + 4:off + length]
        off += (length + 3) & ~3
    return out


def link_info(msg):
    """kind=... and the IFLA_INFO_DATA of an RTM_NEWLINK answer."""
    if struct.unpack_from("=H", msg, 4)[0] == NLMSG_ERROR:
        return answer(msg)
    top = attrs(msg, 16 + 16, struct.unpack_from("=I", msg)[0])
    info = attrs(top.get(IFLA_LINKINFO, b""), 0,
                 len(top.get(IFLA_LINKINFO, b"")))
    data = attrs(info.get(IFLA_INFO_DATA, b""), 0,
                 len(info.get(IFLA_INFO_DATA, b"")))
    out = "kind=" + info.get(IFLA_INFO_KIND, b"").rstrip(b"\0").decode()
    if IFLA_AIOTSEC_ROLE in data:
        out += " role=%d" % data[IFLA_AIOTSEC_ROLE][0]
    if IFLA_AIOTSEC_MAX_SAS in data:
        out += " max-sas=%d" % struct.unpack("=I",
                                             data[IFLA_AIOTSEC_MAX_SAS])[0]
    return out


def answer(msg):
    """ok, or errno=NAME and the extended ACK's message."""
    _, mtype, flags, _, _ = struct.unpack_from("=IHHII", msg)
    if mtype != NLMSG_ERROR:
        return "error=\"unexpected message type %d\"" % mtype
    err = -struct.unpack_from("=i", msg, 16)[0]
    if not err:
        return "ok"
    # (Python names 95 ENOTSUP, the kernel returns EOPNOTSUPP)
    name = "EOPNOTSUPP" if err == errno.EOPNOTSUPP else \
        errno.errorcode.get(err, str(err))
    out = "errno=" + name
    # the request's header comes back alone (NLM_F_CAPPED), then the TLVs
    off = 16 + 4 + 16
    if not flags & 0x100:
        off += struct.unpack_from("=I", msg, 20)[0] - 16
    while off + 4 <= len(msg):
        length, atype = struct.unpack_from("=HH", msg, off)
        if length < 4:
            break
        if atype == NLMSGERR_ATTR_MSG:
            text = msg[off + 4:off + length].rstrip(b"\0").decode()
            out += " msg=\"%s\"" % text
        off += (length + 3) & ~3
    return out


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    data = None if argv[2:] == ["get"] else b""
    for arg in argv[2:] if data is not None else []:
        name, _, value = arg.partition("=")
        if name == "role":
            data += attr(IFLA_AIOTSEC_ROLE, struct.pack("=B", int(value, 0)))
        elif name == "role-u32":
            data += attr(IFLA_AIOTSEC_ROLE, struct.pack("=I", int(value, 0)))
        elif name == "max-sas":
            data += attr(IFLA_AIOTSEC_MAX_SAS,
                         struct.pack("=I", int(value, 0)))
        elif name == "max-sas-u8":
            data += attr(IFLA_AIOTSEC_MAX_SAS,
                         struct.pack("=B", int(value, 0)))
        elif name == "max-sas-u64":
            data += attr(IFLA_AIOTSEC_MAX_SAS,
                         struct.pack("=Q", int(value, 0)))
        else:
            sys.stderr.write("rtlink.py: unknown argument %s\n" % arg)
            return 2
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_ROUTE)
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    sock.send(request(argv[1], data))
    msg = sock.recv(65536)
    print(answer(msg) if data is not None else link_info(msg))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
