#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The YAML spec of the "aiotsec" family against the uapi header (TAP).

Every enum, attribute set and the command list of
Documentation/netlink/specs/aiotsec.yaml must name the same constants,
with the same values, as include/uapi/linux/aiotsec.h, and the header's
enums must have nothing the spec lacks (their __*_MAX and *_MAX aside).

Usage: spec_check.py [SPEC [HEADER]]
"""

import os
import re
import sys

try:
    import yaml
except ImportError:
    yaml = None

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..",
                                    ".."))
SPEC = os.path.join(TOP, "Documentation/netlink/specs/aiotsec.yaml")
HEADER = os.path.join(TOP, "include/uapi/linux/aiotsec.h")


def c_value(expr, known):
    """The value of an enumerator's initialiser: a number, or a constant
    of the same enum plus or minus a number (the *_MAX = __*_MAX - 1
    idiom); anything else is an error, not a guess."""
    m = re.fullmatch(r"(\w+)(?:\s*([-+])\s*(\w+))?", expr)
    if not m:
        raise ValueError("cannot evaluate enumerator value %r" % expr)
    term = m.group(1)
    value = known[term] if term in known else int(term, 0)
    if m.group(2):
        value += (1 if m.group(2) == "+" else -1) * int(m.group(3), 0)
    return value


def header_enums(text):
    """{constant: value} of every enum in the header, C rules."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    consts = {}
    for body in re.findall(r"enum\s*\w*\s*\{(.*?)\}", text, flags=re.S):
        value = -1
        names = {}
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name, expr = name.strip(), expr.strip()
            value = c_value(expr, names) if expr else value + 1
            names[name] = value
        consts.update(names)
    return consts


def c_name(prefix, name):
    return (prefix + name).upper().replace("-", "_")


def spec_groups(spec):
    """(what, {constant: value}) for each enum, set and the commands."""
    family = spec["name"]
    for enum in spec.get("definitions", []):
        if enum.get("type") != "enum":
            continue
        prefix = enum.get("name-prefix", "%s-%s-" % (family, enum["name"]))
        consts, value = {}, enum.get("value-start", 0) - 1
        for entry in enum["entries"]:
            if isinstance(entry, dict):
                value = entry.get("value", value + 1)
                entry = entry["name"]
            else:
                value += 1
            consts[c_name(prefix, entry)] = value
        yield "enum " + enum["name"], consts
    for aset in spec["attribute-sets"]:
        # the family's own set is "<family>-a-", the others add their name
        default = "%s-a-" % family if aset["name"] == family else \
            "%s-a-%s-" % (family, aset["name"])
        prefix = aset.get("name-prefix", default)
        # from 1 unless a value says, as the kernel's tools count
        consts, value = {}, 0
        for attr in aset["attributes"]:
            value = attr.get("value", value + 1)
            consts[c_name(prefix, attr["name"])] = value
        yield "attribute set " + aset["name"], consts
    ops = spec["operations"]
    prefix = ops.get("name-prefix", "%s-cmd-" % family)
    consts, value = {}, 0
    for op in ops["list"]:
        value = op.get("value", value + 1)
        consts[c_name(prefix, op["name"])] = value
    yield "operations", consts


def main(argv):
    spec_path = argv[1] if len(argv) > 1 else SPEC
    header_path = argv[2] if len(argv) > 2 else HEADER
    if yaml is None:
        print("1..0 # SKIP python3-yaml is not installed")
        return 4
    with open(spec_path) as f:
        spec = yaml.safe_load(f)
    with open(header_path) as f:
        header = header_enums(f.read())
    groups = list(spec_groups(spec))
    print("TAP version 13")
    print("1..%d" % (len(groups) + 1))
    failed = 0
    covered = set()
    for n, (what, consts) in enumerate(groups, 1):
        bad = []
        for const, value in consts.items():
            if const not in header:
                bad.append("%s is not in the header" % const)
            elif header[const] != value:
                bad.append("%s is %d in the header, %d in the spec" %
                           (const, header[const], value))
        covered.update(consts)
        print("%s %d %s matches the header" %
              ("not ok" if bad else "ok", n, what))
        for line in bad:
            print("#   " + line)
        failed += bool(bad)
    # what the header has and the spec does not (link attributes aside:
    # rtnetlink's, not the family's)
    extra = sorted(c for c in header
                   if c not in covered and not c.startswith(("IFLA_", "__")) and
                   not c.endswith("_MAX"))
    print("%s %d the header has no constant the spec lacks" %
          ("not ok" if extra else "ok", len(groups) + 1))
    for const in extra:
        print("#   %s is not in the spec" % const)
    failed += bool(extra)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
