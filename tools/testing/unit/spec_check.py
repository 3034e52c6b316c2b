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

import yaml

TOP = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..",
                                    ".."))
SPEC = os.path.join(TOP, "Documentation/netlink/specs/aiotsec.yaml")
HEADER = os.path.join(TOP, "include/uapi/linux/aiotsec.h")


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
            if expr:
                value = int(expr) if re.fullmatch(r"-?\d+", expr) else \
                    names[expr.split("-")[0].strip()] - 1
            else:
                value += 1
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
        yield ("enum " + enum["name"],
               {c_name(prefix, e): i for i, e in enumerate(enum["entries"])})
    for aset in spec["attribute-sets"]:
        prefix = aset.get("name-prefix", "%s-a-" % family)
        consts, value = {}, -1
        for attr in aset["attributes"]:
            value = attr.get("value", value + 1)
            consts[c_name(prefix, attr["name"])] = value
        yield "attribute set " + aset["name"], consts
    prefix = spec["operations"].get("name-prefix", "%s-cmd-" % family)
    yield ("operations", {c_name(prefix, op["name"]): i
                          for i, op in enumerate(spec["operations"]["list"])})


def main(argv):
    spec_path = argv[1] if len(argv) > 1 else SPEC
    header_path = argv[2] if len(argv) > 2 else HEADER
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
