#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Raw generic netlink requests to the "aiotsec" family, for the tests.

Builds requests attribute by attribute, well-formed or not (wrong types,
oversized values, unknown attribute types, stray bytes), sends them with
extended ACKs and strict checking on, and prints one line per request:

  ok                                  acked, no reply
  ok replies=N | PATH=VALUE ... | ... the N replies of a do or a dump
  errno=NAME msg="..." offs=PATH miss=PATH policy=... [(dump)]
                                      refused; each part only when the
                                      kernel sent it (NLMSGERR_ATTR_MSG,
                                      _OFFS, _MISS_TYPE/_MISS_NEST, _POLICY);
                                      (dump): the error came in the
                                      NLMSG_DONE of a dump
  error="..."                         nlraw.py could not do the request

offs= names the attribute of the request that the offset points at
(SA.KEY); an offset inside an attribute shows as PATH+N, one outside
every attribute as @N.  miss= is the missing attribute, inside the nest
that MISS_NEST points at (SA.SID), else at the top level (IFINDEX).

Usage:
  nlraw.py [--netns NS] REQUEST...    one request, from the arguments
  nlraw.py [--netns NS] --batch [FILE]
      one request per line of FILE (default: standard input), split like a
      shell would (shlex) or at \\x1f characters; empty lines and lines
      starting with # are skipped.  A first word @TAG is echoed at the
      start of the result line.  The output is flushed after every line,
      so that a script can keep this process as a server on two pipes.

REQUEST:
  [--dump] [--reserved N] [--flags N] [--drop PREFIX]... CMD [ATTR...]
      CMD: link-get, sa-new, sa-set, sa-del, sa-get, frame-send, frame,
      event, or a number.  --dump sends NLM_F_DUMP instead of NLM_F_ACK;
      --reserved sets the reserved field of the generic netlink header;
      --flags adds N to the netlink header's flags;
      --drop leaves the reply attributes whose path starts with PREFIX
      out of the result (--drop SA.STATS.).
  family
      the family as the controller reports it: id, version, maxattr, the
      operations with their flags, the multicast groups.
  join GROUP
      join the multicast group GROUP ("events", "frames") on a fresh
      socket: ok, or errno=...

ATTR:
  NAME=VALUE          typed by the attribute set (the attribute sets,
                      enums and commands come from the family's YAML
                      spec, Documentation/netlink/specs/aiotsec.yaml):
                      integers in C syntax, enum names (suite=aes-gcm),
                      strings, binary as hex (0a0b, 0a:0b, or 00*33 for
                      33 zero octets), nests as (ATTR,ATTR,...)
  NAME=TYPE:VALUE     forced type; TYPE one of u8 u16 u32 u64 s8 s16 s32
                      s64, s (string with its NUL), str (without NUL), bin
                      (hex), flag (no payload), nest(ATTR,...) (with
                      NLA_F_NESTED), nestnf(ATTR,...) (without it)
  NAME                an attribute without payload (a flag)
  raw:HEX             HEX octets appended as they are (malformed input)
  NAME is an attribute name of the current set (case and -/_ ignored) or
  a number (16=u32:1 for a type the family does not know).
"""

import errno
import os
import shlex
import socket
import struct
import sys

import yaml

# --- netlink constants (linux/netlink.h, linux/genetlink.h) ------------------

NETLINK_GENERIC = 16
SOL_NETLINK = 270
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12

NLMSG_ERROR = 2
NLMSG_DONE = 3
NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_DUMP = 0x300
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200

NLA_F_NESTED = 0x8000
NLA_F_NET_BYTEORDER = 0x4000
NLA_TYPE_MASK = 0x3FFF

NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_POLICY = 4
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
CTRL_ATTR_VERSION = 3
CTRL_ATTR_MAXATTR = 5
CTRL_ATTR_OPS = 6
CTRL_ATTR_MCAST_GROUPS = 7
CTRL_ATTR_OP_ID = 1
CTRL_ATTR_OP_FLAGS = 2
CTRL_ATTR_MCAST_GRP_NAME = 1
CTRL_ATTR_MCAST_GRP_ID = 2

GENL_OP_FLAGS = [(0x01, "admin-perm"), (0x02, "do"), (0x04, "dump"),
                 (0x08, "has-policy"), (0x10, "uns-admin-perm")]

# enum netlink_attribute_type and enum netlink_policy_type_attr
NL_ATTR_TYPES = ["invalid", "flag", "u8", "u16", "u32", "u64", "s8", "s16",
                 "s32", "s64", "binary", "string", "nul-string", "nested",
                 "nested-array", "bitfield32", "sint", "uint"]
NL_POLICY_ATTRS = {2: "min", 3: "max", 4: "min", 5: "max", 6: "min-len",
                   7: "max-len", 10: "bitfield32-mask", 12: "mask"}
NL_POLICY_SIGNED = (2, 3)

# --- the aiotsec family, from its YAML spec ----------------------------------

SPEC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "..", "..", "Documentation", "netlink", "specs",
                    "aiotsec.yaml")


def spec_attr(attr):
    """(name, type, detail) of a spec attribute, None for an unused one.
    detail is the enum of an integer or the set of a nest; type "array"
    is an indexed array of nests (KEYS: types are indexes), "mac" a
    binary shown as an Ethernet address."""
    kind = attr["type"]
    if kind == "unused":
        return None
    if kind == "indexed-array" and attr.get("sub-type") != "nest":
        raise ValueError("%s: only indexed arrays of nests" % attr["name"])
    if kind in ("nest", "indexed-array"):
        return (attr["name"], "array" if kind == "indexed-array" else "nest",
                attr["nested-attributes"])
    if kind == "binary" and attr.get("display-hint") == "mac":
        return (attr["name"], "mac", None)
    return (attr["name"], kind, attr.get("enum"))


def numbered(items, name_of, start):
    """A list indexed by value: the items in order from @start, explicit
    values (a "value" key) honoured, gaps None."""
    out, value = [], start
    for item in items:
        if isinstance(item, dict) and "value" in item:
            value = item["value"]
        if value < len(out):
            raise ValueError("%s: value %d taken" % (
                item["name"] if isinstance(item, dict) else item, value))
        out += [None] * (value - len(out))
        out.append(name_of(item))
        value += 1
    return out


def load_spec(path):
    """The family's name, commands, enums and attribute sets."""
    with open(path) as f:
        # libyaml's loader where there is one: TCG makes Python slow
        spec = yaml.load(f, Loader=getattr(yaml, "CSafeLoader",
                                           yaml.SafeLoader))
    enums = {e["name"]: numbered(e["entries"],
                                 lambda x: x["name"] if isinstance(x, dict)
                                 else x, e.get("value-start", 0))
             for e in spec.get("definitions", []) if e.get("type") == "enum"}
    # attributes and operations count from 1 unless a value says (the
    # spec gives its unspec entries value 0), as the kernel's tools do
    sets = {a["name"]: numbered(a["attributes"], spec_attr, 1)
            for a in spec["attribute-sets"]}
    cmds = numbered(spec["operations"]["list"], lambda op: op["name"], 1)
    return spec["name"], cmds, enums, sets


FAMILY, CMDS, ENUMS, SETS = load_spec(SPEC)

INT_FMT = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q",
           "s8": "b", "s16": "h", "s32": "i", "s64": "q"}


class SpecError(Exception):
    pass


def norm(name):
    return name.strip().lower().replace("_", "-")


def path_name(aset, atype):
    """The name of attribute @atype of set @aset, as the kernel's messages
    write it (SA, KEY_SWITCH), or #N when the set has no such type."""
    if aset and aset.startswith("array:"):
        return "%d" % atype
    attrs = SETS.get(aset) or []
    if 0 < atype < len(attrs) and attrs[atype]:
        return attrs[atype][0].upper().replace("-", "_")
    return "#%d" % atype


def lookup(aset, name):
    """(type, attribute description or None) of NAME in set @aset."""
    attrs = SETS.get(aset) or []
    if name.isdigit():
        t = int(name)
        if aset and aset.startswith("array:"):
            return t, (name, "nest", aset[6:])
        return t, (attrs[t] if 0 < t < len(attrs) else None)
    for t, a in enumerate(attrs):
        if a and a[0] == norm(name):
            return t, a
    raise SpecError("no attribute %r in set %s" % (name, aset))


def align4(n):
    return (n + 3) & ~3


# --- encoding ----------------------------------------------------------------

def parse_hex(text):
    """Hex octets: 0a0b, 0a:0b:0c, 00*33 (33 zero octets), or a mix of
    such pieces joined with +."""
    out = b""
    for piece in text.split("+"):
        count = 1
        if "*" in piece:
            piece, n = piece.split("*", 1)
            count = int(n, 0)
        piece = piece.replace(":", "")
        try:
            out += bytes.fromhex(piece) * count
        except ValueError:
            raise SpecError("bad hex %r" % piece) from None
    return out


def split_items(text):
    """Split ATTR,ATTR,... at the commas outside parentheses."""
    items, depth, cur = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise SpecError("unbalanced ) in %r" % text)
        if ch == "," and depth == 0:
            items.append(cur)
            cur = ""
        else:
            cur += ch
    if depth:
        raise SpecError("unbalanced ( in %r" % text)
    if cur.strip():
        items.append(cur)
    return [i.strip() for i in items if i.strip()]


def int_value(text, desc):
    if desc and desc[2] in ENUMS and norm(text) in ENUMS[desc[2]]:
        return ENUMS[desc[2]].index(norm(text))
    try:
        return int(text, 0)
    except ValueError:
        raise SpecError("not a number: %r" % text) from None


class Builder:
    """Encodes attributes and remembers where each one starts."""

    def __init__(self, base):
        self.base = base        # offset of the attributes in the message
        self.spans = []         # (offset, length, path, set of the nest)

    def attrs(self, items, aset, prefix, at):
        out = b""
        for item in items:
            out += self.attr(item, aset, prefix, at + len(out))
        return out

    def attr(self, item, aset, prefix, at):
        if item.startswith("raw:"):
            return parse_hex(item[4:])
        name, eq, value = item.partition("=")
        atype, desc = lookup(aset, name)
        path = prefix + path_name(aset, atype)
        kind = desc[1] if desc else None
        nested_set = None
        if kind == "nest":
            nested_set = desc[2]
        elif kind == "array":
            nested_set = "array:" + desc[2]
        flags = 0

        forced = None
        for t in ("nestnf(", "nest("):
            if value.startswith(t):
                forced, value = t[:-1], value[len(t) - 1:]
                break
        if forced is None and ":" in value:
            head, _, rest = value.partition(":")
            if head in INT_FMT or head in ("s", "str", "bin", "flag"):
                forced, value = head, rest
        if forced in ("nest", "nestnf"):
            kind = kind if kind in ("nest", "array") else "nest"
        elif forced:
            kind = forced

        if not eq:
            payload, kind = b"", "flag"
        elif kind in ("nest", "array"):
            if not (value.startswith("(") and value.endswith(")")):
                raise SpecError("%s: a nest is written (ATTR,...)" % path)
            if forced != "nestnf":
                flags = NLA_F_NESTED
            payload = self.attrs(split_items(value[1:-1]), nested_set,
                                 path + ".", at + 4)
        elif kind in INT_FMT:
            v = int_value(value, desc)
            try:
                payload = struct.pack("=" + INT_FMT[kind], v)
            except struct.error:
                raise SpecError("%s: %s does not fit %s" % (path, value, kind)) \
                    from None
        elif kind in ("string", "s"):
            payload = value.encode() + b"\0"
        elif kind == "str":
            payload = value.encode()
        elif kind == "flag":
            payload = b""
        else:           # binary, mac, pad, bin, unknown types
            payload = parse_hex(value)

        length = 4 + len(payload)
        if length > 0xFFFF:
            raise SpecError("%s: %d octets do not fit an attribute" %
                            (path, length))
        self.spans.append((self.base + at, length, path, nested_set))
        out = struct.pack("=HH", length, atype | flags) + payload
        return out + b"\0" * (align4(len(out)) - len(out))

    def where(self, offs):
        """The request attribute at offset @offs of the message."""
        best = None
        for start, length, path, _ in self.spans:
            if start == offs:
                return path
            if start < offs < start + length:
                # the innermost attribute containing it
                if best is None or start > best[0]:
                    best = (start, path)
        if best:
            return "%s+%d" % (best[1], offs - best[0])
        return "@%d" % offs

    def nest_set(self, offs):
        for start, _, path, nested in self.spans:
            if start == offs:
                return path, nested
        return "@%d" % offs, None


# --- decoding ----------------------------------------------------------------

def parse_attrs(data):
    """[(type, flags, payload)] of the attributes in @data."""
    out = []
    pos = 0
    while pos + 4 <= len(data):
        length, atype = struct.unpack_from("=HH", data, pos)
        if length < 4 or pos + length > len(data):
            break
        out.append((atype & NLA_TYPE_MASK, atype & ~NLA_TYPE_MASK,
                    data[pos + 4:pos + length]))
        pos += align4(length)
    return out


def get_uint(payload):
    if len(payload) in (1, 2, 4, 8):
        return int.from_bytes(payload, "little")
    return None


def flatten(data, aset, prefix, out):
    """PATH=VALUE words of a reply's attributes."""
    attrs = SETS.get(aset) or []
    for atype, _, payload in parse_attrs(data):
        desc = attrs[atype] if 0 < atype < len(attrs) else None
        path = prefix + path_name(aset, atype)
        kind = desc[1] if desc else "binary"
        if kind == "pad":
            continue
        if kind == "nest":
            flatten(payload, desc[2], path + ".", out)
        elif kind == "array":
            for idx, _, inner in parse_attrs(payload):
                flatten(inner, desc[2], "%s.%d." % (path, idx), out)
        elif kind in INT_FMT:
            v = get_uint(payload)
            if v is None:
                out.append("%s=bad-length:%s" % (path, payload.hex()))
                continue
            enum = ENUMS.get(desc[2]) if desc[2] else None
            if enum and v < len(enum):
                out.append("%s=%s" % (path, enum[v]))
            else:
                out.append("%s=%d" % (path, v))
        elif kind == "string":
            out.append("%s=%s" % (path, payload.rstrip(b"\0").decode(
                errors="backslashreplace")))
        elif kind == "flag":
            out.append("%s=true" % path)
        elif kind == "mac":
            out.append("%s=%s" % (path, ":".join("%02x" % b for b in payload)))
        else:
            out.append("%s=%s" % (path, payload.hex()))
    return out


def errno_name(code):
    if code == errno.EOPNOTSUPP:
        return "EOPNOTSUPP"     # the kernel's name; python says ENOTSUP
    return errno.errorcode.get(code, str(code))


def describe_policy(data):
    words = []
    for atype, _, payload in parse_attrs(data):
        v = get_uint(payload)
        if atype == 1:
            words.insert(0, NL_ATTR_TYPES[v] if v is not None and
                         v < len(NL_ATTR_TYPES) else "type-%s" % v)
        elif atype in NL_POLICY_ATTRS:
            if atype in NL_POLICY_SIGNED and v is not None:
                bits = 8 * len(payload)
                if v >= 1 << (bits - 1):
                    v -= 1 << bits
            words.append("%s=%s" % (NL_POLICY_ATTRS[atype], v))
    return ",".join(words)


def describe_error(code, tlvs, builder, in_dump=False):
    """The errno=... line of an NLMSG_ERROR or a failed NLMSG_DONE."""
    words = ["errno=%s" % errno_name(-code)]
    t = {atype: payload for atype, _, payload in parse_attrs(tlvs)}
    if NLMSGERR_ATTR_MSG in t:
        msg = t[NLMSGERR_ATTR_MSG].rstrip(b"\0").decode(
            errors="backslashreplace")
        words.append('msg="%s"' % msg.replace("\\", "\\\\").replace('"', '\\"'))
    if NLMSGERR_ATTR_OFFS in t:
        words.append("offs=%s" % builder.where(get_uint(t[NLMSGERR_ATTR_OFFS])))
    if NLMSGERR_ATTR_MISS_TYPE in t:
        mtype = get_uint(t[NLMSGERR_ATTR_MISS_TYPE])
        if NLMSGERR_ATTR_MISS_NEST in t:
            path, nested = builder.nest_set(
                get_uint(t[NLMSGERR_ATTR_MISS_NEST]))
            words.append("miss=%s.%s" % (path, path_name(nested, mtype)))
        else:
            words.append("miss=%s" % path_name("aiotsec", mtype))
    elif NLMSGERR_ATTR_MISS_NEST in t:
        words.append("miss-nest=%s" % builder.where(
            get_uint(t[NLMSGERR_ATTR_MISS_NEST])))
    if NLMSGERR_ATTR_POLICY in t:
        words.append("policy=%s" % describe_policy(t[NLMSGERR_ATTR_POLICY]))
    if in_dump:
        words.append("(dump)")
    return " ".join(words)


# --- the socket --------------------------------------------------------------

class Genl:
    def __init__(self):
        self.sock = self.open()
        self.seq = 1
        self.family_id = None
        self.groups = {}
        self.version = None
        self.maxattr = None
        self.ops = {}

    @staticmethod
    def open():
        s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        s.setsockopt(SOL_NETLINK, NETLINK_GET_STRICT_CHK, 1)
        s.settimeout(20)
        s.bind((0, 0))
        return s

    def transact(self, family, cmd, items, aset, dump=False, version=1,
                 reserved=0, flags=0):
        """Send one request; return (result line, list of reply payloads)."""
        self.seq += 1
        seq = self.seq
        builder = Builder(20)
        body = builder.attrs(items, aset, "", 0)
        flags |= NLM_F_REQUEST | (NLM_F_DUMP if dump else NLM_F_ACK)
        msg = struct.pack("=IHHII", 20 + len(body), family, flags, seq, 0)
        msg += struct.pack("=BBH", cmd, version, reserved) + body
        self.sock.sendto(msg, (0, 0))

        replies = []
        while True:
            data = self.sock.recv(1 << 20)
            pos = 0
            while pos + 16 <= len(data):
                length, mtype, mflags, mseq, _ = struct.unpack_from(
                    "=IHHII", data, pos)
                if length < 16 or pos + length > len(data):
                    break
                m = data[pos:pos + length]
                pos += align4(length)
                if mseq != seq:
                    continue        # stale, or a notification
                if mtype == NLMSG_ERROR:
                    code = struct.unpack_from("=i", m, 16)[0]
                    if code == 0 and not replies:
                        return "ok", replies
                    if code == 0:
                        return None, replies
                    tlv_at = 20 + 16
                    if not mflags & NLM_F_CAPPED:
                        orig_len = struct.unpack_from("=I", m, 20)[0]
                        tlv_at = 20 + align4(orig_len)
                    tlvs = m[tlv_at:] if mflags & NLM_F_ACK_TLVS else b""
                    return describe_error(code, tlvs, builder), replies
                if mtype == NLMSG_DONE:
                    code = struct.unpack_from("=i", m, 16)[0] \
                        if length >= 20 else 0
                    if code:
                        tlvs = m[20:] if mflags & NLM_F_ACK_TLVS else b""
                        return describe_error(code, tlvs, builder, True), \
                            replies
                    return None, replies
                replies.append(m[16:])

    def resolve(self):
        if self.family_id is not None:
            return
        items = ["2=s:" + FAMILY]
        line, replies = self.transact(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                                      items, "ctrl")
        if not replies:
            raise SpecError("generic netlink family %s not found: %s" %
                            (FAMILY, line))
        for atype, _, p in parse_attrs(replies[0][4:]):
            if atype == CTRL_ATTR_FAMILY_ID:
                self.family_id = get_uint(p)
            elif atype == CTRL_ATTR_VERSION:
                self.version = get_uint(p)
            elif atype == CTRL_ATTR_MAXATTR:
                self.maxattr = get_uint(p)
            elif atype == CTRL_ATTR_OPS:
                for _, _, op in parse_attrs(p):
                    o = {t: get_uint(v) for t, _, v in parse_attrs(op)}
                    self.ops[o.get(CTRL_ATTR_OP_ID)] = o.get(
                        CTRL_ATTR_OP_FLAGS, 0)
            elif atype == CTRL_ATTR_MCAST_GROUPS:
                for _, _, grp in parse_attrs(p):
                    g = {t: v for t, _, v in parse_attrs(grp)}
                    name = g[CTRL_ATTR_MCAST_GRP_NAME].rstrip(b"\0").decode()
                    self.groups[name] = get_uint(g[CTRL_ATTR_MCAST_GRP_ID])

    def family_line(self):
        self.resolve()
        words = ["ok", "id=%d" % self.family_id, "version=%d" % self.version,
                 "maxattr=%d" % self.maxattr]
        for op in sorted(self.ops):
            name = CMDS[op] if op < len(CMDS) else str(op)
            fl = [n for bit, n in GENL_OP_FLAGS if self.ops[op] & bit]
            words.append("op.%s=%s" % (name, ",".join(fl)))
        words.append("mcgrps=%s" % ",".join(sorted(self.groups)))
        return " ".join(words)

    def join(self, group):
        self.resolve()
        if group not in self.groups:
            return "errno=ENOENT (no group %s)" % group
        s = self.open()
        try:
            s.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                         self.groups[group])
        except OSError as e:
            return "errno=%s" % errno_name(e.errno)
        finally:
            s.close()
        return "ok"

    def request(self, args):
        """Run one REQUEST (a list of words); return its result line."""
        dump, reserved, flags, drop = False, 0, 0, []
        while args and args[0].startswith("--"):
            opt = args.pop(0)
            if opt == "--dump":
                dump = True
            elif opt == "--reserved":
                reserved = int(args.pop(0), 0)
            elif opt == "--flags":
                flags = int(args.pop(0), 0)
            elif opt == "--drop":
                drop.append(args.pop(0))
            else:
                raise SpecError("unknown request option %s" % opt)
        if not args:
            raise SpecError("no command")
        word = args.pop(0)
        if word == "family":
            return self.family_line()
        if word == "join":
            return self.join(args[0])
        if word.isdigit():
            cmd = int(word)
        elif norm(word) in CMDS:
            cmd = CMDS.index(norm(word))
        else:
            raise SpecError("unknown command %r" % word)
        Builder(20).attrs(args, "aiotsec", "", 0)   # spec errors first
        self.resolve()
        line, replies = self.transact(self.family_id, cmd, args, "aiotsec",
                                      dump=dump, reserved=reserved,
                                      flags=flags)
        if line and line != "ok":
            return line
        if not replies and line == "ok":
            return "ok"
        words = ["ok replies=%d" % len(replies)]
        for r in replies:
            words.append("|")
            words += [w for w in flatten(r[4:], "aiotsec", "", [])
                      if not any(w.startswith(d) for d in drop)]
        return " ".join(words)


SETS["ctrl"] = [None, ("family-id", "u16", None),
                ("family-name", "string", None)]


def enter_netns(name):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(name if "/" in name else "/run/netns/" + name, os.O_RDONLY)
    if libc.setns(fd, 0x40000000) != 0:     # CLONE_NEWNET
        e = ctypes.get_errno()
        raise OSError(e, "setns %s: %s" % (name, os.strerror(e)))
    os.close(fd)


def run_one(nl, words):
    try:
        return nl.request(list(words))
    except SpecError as e:
        return 'error="%s"' % e
    except socket.timeout:
        return 'error="no answer from the kernel"'
    except OSError as e:
        return "errno=%s (%s)" % (errno_name(e.errno), e.strerror)


def main(argv):
    args = list(argv)
    netns, batch, batch_file = None, False, None
    while args and args[0] in ("--netns", "--batch", "-h", "--help"):
        opt = args.pop(0)
        if opt == "--netns":
            netns = args.pop(0)
        elif opt == "--batch":
            batch = True
            if args and not args[0].startswith("--"):
                batch_file = args.pop(0)
        else:
            print(__doc__)
            return 0
    if netns:
        try:
            enter_netns(netns)
        except OSError as e:
            print('error="netns %s: %s"' % (netns, e.strerror))
            return 1
    nl = Genl()
    if not batch:
        if not args:
            print(__doc__, file=sys.stderr)
            return 2
        line = run_one(nl, args)
        print(line)
        return 0 if line.startswith("ok") else 1

    src = open(batch_file) if batch_file and batch_file != "-" else sys.stdin
    while True:
        text = src.readline()
        if not text:
            break
        text = text.rstrip("\n")
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        words = text.split("\x1f") if "\x1f" in text else shlex.split(text)
        tag = ""
        if words and words[0].startswith("@"):
            tag = words.pop(0) + " "
        print(tag + run_one(nl, words), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
