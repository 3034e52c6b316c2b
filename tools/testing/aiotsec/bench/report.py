#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the raw numbers of one benchmark run into tables.

  report.py DIR [--quiet]

DIR holds what bench-vm.sh wrote (raw.tsv, scale.json, memory.tsv,
meta.txt).  Writes DIR/table.txt, DIR/table.rst (the tables of
Documentation/performance.rst) and DIR/results.json (every run, the
medians, the ratios and the targets), and prints table.txt.
"""

import json
import os
import re
import statistics
import sys

CONFIGS = ["veth", "macsec", "aes-gcm", "aes-ccm", "nia2-nea2", "nia2"]
NAMES = {
    "veth": "plain veth",
    "macsec": "MACsec GCM-AES-128",
    "aes-gcm": "aiotsec aes-gcm",
    "aes-ccm": "aiotsec aes-ccm/8",
    "nia2-nea2": "aiotsec nia2-nea2",
    "nia2": "aiotsec nia2",
}
KIB = 1024


def load(d):
    raw = []
    with open(os.path.join(d, "raw.tsv")) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 7:
                continue
            extra = dict(kv.split("=", 1) for kv in p[7:8][0].split()
                         if "=" in kv) if len(p) > 7 else {}
            raw.append({"section": p[0], "config": p[1],
                        "payload": int(p[2]), "run": int(p[3]),
                        "pps": int(p[4]), "frames": int(p[5]),
                        "usec": int(p[6]), "extra": extra})
    scale = []
    path = os.path.join(d, "scale.json")
    if os.path.exists(path):
        with open(path) as f:
            scale = [json.loads(x) for x in f if x.strip()]
    memory = []
    path = os.path.join(d, "memory.tsv")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 5:
                    memory.append({"what": p[0], "count": int(p[1]),
                                   "slab_kib": int(p[2]),
                                   "percpu_kib": int(p[3]),
                                   "memfree_kib": int(p[4])})
    meta = {}
    path = os.path.join(d, "meta.txt")
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                if ": " in line and not line.startswith(" "):
                    k, v = line.rstrip("\n").split(": ", 1)
                    meta[k] = v
    return raw, scale, memory, meta


def medians(raw):
    """{(section, config, payload): {"median": .., "runs": [..]}}"""
    groups = {}
    for r in raw:
        groups.setdefault((r["section"], r["config"], r["payload"]),
                          []).append(r)
    out = {}
    for k, rs in groups.items():
        pps = [r["pps"] for r in rs]
        out[k] = {"median": statistics.median(pps), "runs": pps,
                  "by_run": {r["run"]: r["pps"] for r in rs},
                  "spread": (max(pps) - min(pps)) / statistics.median(pps)
                  if statistics.median(pps) else 0.0,
                  "extra": rs[0]["extra"]}
    return out


def ratio(a, b):
    return a / b if a is not None and b else None


def fmt_pps(v):
    return "-" if v is None else "%d" % round(v)


def fmt_x(v):
    return "-" if v is None else "%.2f" % v


def per_run_ratios(m, ref):
    """the ratio of m to ref within each run that measured both, sorted"""
    if not m or not ref:
        return []
    return sorted(m["by_run"][r] / ref["by_run"][r] for r in m["by_run"]
                  if ref["by_run"].get(r))


def path_table(med, section, sizes):
    """rows of (config, {size: cell}); a cell's ratios are the medians of
    the ratios within each run, whose pairs were measured back to back"""
    rows = []
    for c in CONFIGS:
        # the plain veth's full path is its TX-only measurement
        sec = "tx" if c == "veth" else section
        cells = {}
        for s in sizes:
            m = med.get((sec, c, s))
            mac = med.get((section, "macsec", s))
            veth = med.get(("tx", "veth", s))
            pps = m["median"] if m else None
            x_mac = per_run_ratios(m, mac)
            x_veth = per_run_ratios(m, veth)
            cells[s] = {
                "pps": pps,
                "runs": m["runs"] if m else [],
                "spread": m["spread"] if m else None,
                "x_macsec": statistics.median(x_mac) if x_mac else None,
                "x_veth": statistics.median(x_veth) if x_veth else None,
                "x_macsec_per_run": x_mac,
                "x_veth_per_run": x_veth,
                "x_macsec_of_medians": ratio(pps, mac["median"]
                                             if mac else None),
                "x_veth_of_medians": ratio(pps, veth["median"]
                                           if veth else None),
            }
        if any(cells[s]["pps"] is not None for s in sizes):
            rows.append((c, cells))
    return rows


def text_path(title, rows, sizes, eff):
    w = [22] + [27] * len(sizes)
    out = [title]
    head = "%-22s" % "payload (octets)"
    for s in sizes:
        label = str(s) if eff.get(s, s) == s else "%d (pktgen: %d)" % (s, eff[s])
        head += " | %-25s" % label
    out.append(head)
    sub = "%-22s" % ""
    for _ in sizes:
        sub += " | %9s %7s %7s" % ("pps", "xMACsec", "xveth")
    out.append(sub)
    out.append("-" * (sum(w) + 3 * len(sizes)))
    for c, cells in rows:
        line = "%-22s" % NAMES[c]
        for s in sizes:
            x = cells[s]
            line += " | %9s %7s %7s" % (fmt_pps(x["pps"]), fmt_x(x["x_macsec"]),
                                        fmt_x(x["x_veth"]))
        out.append(line)
    return out


def rst_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header] + rows)
              for i in range(len(header))]
    sep = "  ".join("=" * w for w in widths)
    out = [sep, "  ".join(str(h).ljust(w) for h, w in zip(header, widths))
           .rstrip(), sep]
    for r in rows:
        out.append("  ".join(str(c).ljust(w) for c, w in zip(r, widths))
                   .rstrip())
    out.append(sep)
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    quiet = "--quiet" in sys.argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    d = args[0]
    raw, scale, memory, meta = load(d)
    med = medians(raw)
    sizes = sorted({r["payload"] for r in raw if r["section"] in ("tx", "full")})
    # the payload actually carried: pktgen's smallest frame is 58 octets
    # (14 + 20 + 8 + its 16-octet header), so payloads below 44 octets
    # become 44 for every configuration alike
    eff = {s: max(s, 44) for s in sizes}
    tx = path_table(med, "tx", sizes)
    full = path_table(med, "full", sizes)

    # reject paths
    rej = []
    rej_size = None
    ceiling = None
    for (sec, c, s), m in sorted(med.items()):
        if sec != "reject":
            continue
        rej_size = s
        if c == "generator-ceiling":
            ceiling = m["median"]
    order = ["generator-ceiling", "unknown-session", "unknown-session-rps"] + \
        ["bad-mac-" + c for c in CONFIGS]
    # drops per second of the receiving CPU's busy time (the generator on
    # the other CPU): what one CPU can drop, whatever the generator manages
    capacity = {}
    for r in raw:
        busy_us = int(r["extra"].get("cpu_busy_us", 0))
        if r["section"] == "reject" and busy_us > 0:
            capacity.setdefault(r["config"], {})[r["run"]] = \
                r["frames"] * 1e6 / busy_us
    for (sec, c, s), m in sorted(med.items(), key=lambda kv: (
            order.index(kv[0][1]) if kv[0][1] in order else 99, kv[0])):
        if sec != "reject":
            continue
        if c.startswith("unknown-session"):
            ref_cfg = "aes-gcm"
        elif c.startswith("bad-mac-"):
            ref_cfg = c[len("bad-mac-"):]
        else:
            ref_cfg = None
        # the valid full path measured next to the flood, in the same run;
        # else (an older bench) the path section's median
        ref = med.get(("reject-ref", ref_cfg, s)) if ref_cfg else None
        if ref_cfg and not ref:
            ref = med.get(("full", ref_cfg, s))
        gens = [int(x) for x in [m["extra"].get("gen_pps")] if x]
        row = {"config": c, "payload": s, "pps": m["median"],
               "runs": m["runs"], "spread": m["spread"],
               "reference": ref_cfg,
               "reference_pps": ref["median"] if ref else None,
               "x_ceiling": ratio(m["median"], ceiling)
               if c != "generator-ceiling" else None,
               "generator_pps": gens[0] if gens else None}
        cap = capacity.get(c)
        if cap:
            row["capacity_per_cpu_s_runs"] = [cap[r] for r in sorted(cap)]
            row["capacity_per_cpu_s"] = statistics.median(cap.values())
            per_run = per_run_ratios({"by_run": cap}, ref)
        else:
            per_run = per_run_ratios(m, ref)
        row["x_valid_full_per_run"] = per_run
        row["x_valid_full"] = statistics.median(per_run) if per_run else None
        rej.append(row)

    # SA scale
    adds = [x for x in scale if x.get("op") == "add" and "suite" not in x]
    dels = [x for x in scale if x.get("op") == "del" and "suite" not in x]
    sc = {}
    if adds:
        n = sum(x["count"] for x in adds)
        t = sum(x["seconds"] for x in adds)
        sc["installed"] = n
        sc["install_per_second"] = n / t
        sc["install_us_per_sa"] = t * 1e6 / n
    if dels:
        n = sum(x["count"] for x in dels)
        t = sum(x["seconds"] for x in dels)
        sc["delete_per_second"] = n / t
    for m in memory:
        if m["what"] == "aes-gcm-scale":
            sc["slab_bytes_per_sa"] = m["slab_kib"] * KIB / m["count"]
            sc["percpu_bytes_per_sa"] = m["percpu_kib"] * KIB / m["count"]
            sc["kernel_bytes_per_sa"] = (m["slab_kib"] + m["percpu_kib"]) * \
                KIB / m["count"]
            sc["memfree_bytes_per_sa"] = m["memfree_kib"] * KIB / m["count"]
    # the 1-SA link: scale1 (scale itself, before its SAs, in older runs)
    one = (med.get(("scale-1", "scale1", 64)) or
           med.get(("scale-1", "scale", 64)))
    many = med.get(("scale-n", "scale", 64))
    if one and many:
        # the two links were measured back to back in each run
        per_run = per_run_ratios(many, one)
        sc["full_1_sa_pps"] = one["median"]
        sc["full_n_sa_pps"] = many["median"]
        sc["full_n_vs_1"] = statistics.median(per_run) if per_run else \
            many["median"] / one["median"]
        sc["full_n_vs_1_per_run"] = per_run
        sc["runs_1"] = one["runs"]
        sc["runs_n"] = many["runs"]
    mem_suites = []
    for m in memory:
        if m["what"] == "aes-gcm-scale":
            continue
        add = [x for x in scale if x.get("suite") == m["what"]]
        # a few thousand SAs fit in the per-CPU chunks already populated:
        # take the per-CPU share measured at scale (the same per suite)
        percpu = m["percpu_kib"] * KIB / m["count"]
        if not m["percpu_kib"] and "percpu_bytes_per_sa" in sc:
            percpu = sc["percpu_bytes_per_sa"]
        mem_suites.append({
            "suite": m["what"], "count": m["count"],
            "slab_bytes_per_sa": m["slab_kib"] * KIB / m["count"],
            "percpu_bytes_per_sa": percpu,
            "kernel_bytes_per_sa": m["slab_kib"] * KIB / m["count"] + percpu,
            "memfree_bytes_per_sa": m["memfree_kib"] * KIB / m["count"],
            "install_per_second": add[0]["sa_per_second"] if add else None})

    # targets
    def cell(rows, cfg, size, key):
        for c, cells in rows:
            if c == cfg and size in cells:
                return cells[size][key]
        return None

    targets = []

    def target(name, value, want, unit, ge=True, per_run=None):
        met = None if value is None else (value >= want if ge else
                                          value <= want)
        targets.append({"target": name, "value": value, "want": want,
                        "unit": unit, "op": ">=" if ge else "<=",
                        "met": met, "per_run": per_run or []})

    for cfg in ("aes-gcm", "nia2-nea2"):
        target("full path, 64 B, %s vs MACsec full path" % cfg,
               cell(full, cfg, 64, "x_macsec"), 1.5, "x",
               per_run=cell(full, cfg, 64, "x_macsec_per_run"))
    for cfg in ("aes-gcm", "nia2-nea2"):
        target("TX only, 64 B, %s vs MACsec TX only" % cfg,
               cell(tx, cfg, 64, "x_macsec"), 1.2, "x",
               per_run=cell(tx, cfg, 64, "x_macsec_per_run"))
    # what one CPU drops (the generator elsewhere), else the flood that
    # shares the CPU with its generator
    unk = [r for r in rej if r["config"] == "unknown-session-rps"] or \
        [r for r in rej if r["config"] == "unknown-session"]
    target("unknown-session drops per CPU-second vs valid aes-gcm full path "
           "(%s B)" % rej_size, unk[0]["x_valid_full"] if unk else None,
           3.0, "x", per_run=unk[0]["x_valid_full_per_run"] if unk else None)
    n = sc.get("installed", 0)
    target("kernel memory per SA (%d aes-gcm SAs)" % n,
           sc.get("kernel_bytes_per_sa"), 2048, "B", ge=False)
    target("SA installs per second (%d aes-gcm, batched netlink)" % n,
           sc.get("install_per_second"), 20000, "/s")
    target("full path with %d SAs vs 1 SA (64 B, aes-gcm)" % n,
           sc.get("full_n_vs_1"), 0.9, "x",
           per_run=sc.get("full_n_vs_1_per_run"))

    # ---- text
    out = []
    out.append("aiotsec benchmark, %s, kernel %s, %s CPUs (%s)" % (
        meta.get("date", "?"), meta.get("kernel", "?"), meta.get("cpus", "?"),
        meta.get("cpu", "?").strip()))
    out.append("medians of %s runs of %s s each (runs interleaved); pps "
               "counted at the receiving device; xMACsec, xveth: median of "
               "the ratios to MACsec and to plain veth within each run" %
               (meta.get("runs", "?"), meta.get("seconds", "?")))
    out.append("")
    out += text_path("TX only (pktgen on the upper device; frames counted "
                     "on the peer veth)", tx, sizes, eff)
    out.append("")
    out += text_path("Full path (pktgen -> sender -> veth -> receiver "
                     "verifies and delivers; counted at the receiver)",
                     full, sizes, eff)
    out.append("")
    if rej:
        out.append("Reject paths (%d-octet body, aiotblast -m %s on the lower "
                   "device; drops counted at the receiving aiotsec link)" %
                   (rej_size, meta.get("blast_mode", "?")))
        out.append("(x valid full: to the valid full path measured next to "
                   "the flood; for -rps, the receive side on CPU 1, drops "
                   "per second of its busy time)")
        out.append("%-22s %10s %10s %20s %10s %10s" % (
            "", "drops/s", "per CPU-s", "x valid full", "x ceiling",
            "gen pps"))
        for r in rej:
            out.append("%-22s %10s %10s %20s %10s %10s" % (
                r["config"], fmt_pps(r["pps"]),
                fmt_pps(r.get("capacity_per_cpu_s")),
                fmt_x(r["x_valid_full"]) + (" (%s)" % r["reference"]
                                            if r["reference"] else ""),
                fmt_x(r["x_ceiling"]), fmt_pps(r["generator_pps"])))
        out.append("")
    if sc:
        out.append("SA scale (aes-gcm, batched SA_NEW over one netlink socket)")
        if "installed" in sc:
            out.append("  %d SAs installed: %.1f us/SA, %.0f SAs/s; removed "
                       "at %.0f SAs/s" % (sc["installed"],
                                          sc["install_us_per_sa"],
                                          sc["install_per_second"],
                                          sc.get("delete_per_second", 0)))
        if "kernel_bytes_per_sa" in sc:
            out.append("  kernel memory per SA: %.0f B (slab %.0f + percpu "
                       "%.0f); MemFree drop %.0f B" % (
                           sc["kernel_bytes_per_sa"], sc["slab_bytes_per_sa"],
                           sc["percpu_bytes_per_sa"],
                           sc["memfree_bytes_per_sa"]))
        if "full_n_vs_1" in sc:
            out.append("  full path 64 B: %d pps for a link with 1 SA, %d pps "
                       "with %d SAs (%.2fx)" % (sc["full_1_sa_pps"],
                                           sc["full_n_sa_pps"],
                                           sc.get("installed", 0),
                                           sc["full_n_vs_1"]))
        out.append("")
    if mem_suites:
        out.append("Memory and install rate per suite (%d SAs each)" %
                   mem_suites[0]["count"])
        for m in mem_suites:
            out.append("  %-10s %6.0f B/SA kernel (slab %5.0f + percpu %3.0f),"
                       " %6.0f SAs/s" %
                       (m["suite"], m["kernel_bytes_per_sa"],
                        m["slab_bytes_per_sa"], m["percpu_bytes_per_sa"],
                        m["install_per_second"] or 0))
        out.append("")
    out.append("Targets")
    for t in targets:
        v = t["value"]
        vs = "-" if v is None else ("%.0f" % v if t["unit"] in ("B", "/s")
                                    else "%.2f" % v)
        st = "n/a" if t["met"] is None else ("MET" if t["met"] else "MISSED")
        out.append("  %-62s %10s %s %-7s %s" % (
            t["target"], vs + t["unit"], t["op"],
            ("%g" % t["want"]) + t["unit"], st))
        if t["per_run"]:
            out.append("  %-62s %s" % ("", "(run by run: " + " ".join(
                "%.2f" % x for x in t["per_run"]) + ")"))
    text = "\n".join(out) + "\n"

    # ---- rst
    rst = []
    for title, rows in (("TX only", tx), ("Full path", full)):
        header = ["configuration"]
        for s in sizes:
            lab = "%d B" % s if eff.get(s, s) == s else "%d B (%d)" % (s, eff[s])
            header += [lab, "xMACsec", "xveth"]
        body = []
        for c, cells in rows:
            r = [NAMES[c]]
            for s in sizes:
                x = cells[s]
                r += [fmt_pps(x["pps"]), fmt_x(x["x_macsec"]),
                      fmt_x(x["x_veth"])]
            body.append(r)
        rst.append(title)
        rst.append("")
        rst += rst_table(header, body)
        rst.append("")
    if rej:
        rst += rst_table(["reject path (%d B)" % rej_size, "drops/s",
                          "per CPU-s", "x valid full path",
                          "x generator ceiling"],
                         [[r["config"], fmt_pps(r["pps"]),
                           fmt_pps(r.get("capacity_per_cpu_s")),
                           fmt_x(r["x_valid_full"]) +
                           (" (%s)" % r["reference"] if r["reference"] else ""),
                           fmt_x(r["x_ceiling"])] for r in rej])
        rst.append("")
    if sc:
        rows = []
        if "installed" in sc:
            rows.append(["SAs installed (aes-gcm)", "%d" % sc["installed"]])
            rows.append(["install time per SA", "%.1f us" %
                         sc["install_us_per_sa"]])
            rows.append(["installs per second", "%.0f" %
                         sc["install_per_second"]])
            rows.append(["removals per second", "%.0f" %
                         sc.get("delete_per_second", 0)])
        if "kernel_bytes_per_sa" in sc:
            rows.append(["kernel memory per SA", "%.0f B (slab %.0f, percpu "
                         "%.0f)" % (sc["kernel_bytes_per_sa"],
                                    sc["slab_bytes_per_sa"],
                                    sc["percpu_bytes_per_sa"])])
        if "full_n_vs_1" in sc:
            rows.append(["full path 64 B, a link with 1 SA", "%d pps" %
                         sc["full_1_sa_pps"]])
            rows.append(["full path 64 B, the links with all SAs",
                         "%d pps (%.2fx)"
                         % (sc["full_n_sa_pps"], sc["full_n_vs_1"])])
        rst += rst_table(["SA scale", "value"], rows)
        rst.append("")
    if mem_suites:
        rst += rst_table(["suite (%d SAs)" % mem_suites[0]["count"],
                          "kernel B/SA", "slab", "percpu", "installs/s"],
                         [[m["suite"], "%.0f" % m["kernel_bytes_per_sa"],
                           "%.0f" % m["slab_bytes_per_sa"],
                           "%.0f" % m["percpu_bytes_per_sa"],
                           "%.0f" % (m["install_per_second"] or 0)]
                          for m in mem_suites])
        rst.append("")
    rst += rst_table(["target", "measured", "wanted", "status"],
                     [[t["target"],
                       "-" if t["value"] is None else
                       ("%.0f %s" % (t["value"], t["unit"]) if t["unit"] in
                        ("B", "/s") else "%.2f%s" % (t["value"], t["unit"])),
                       "%s %g%s" % (t["op"], t["want"], t["unit"]),
                       "n/a" if t["met"] is None else
                       ("met" if t["met"] else "**missed**")]
                      for t in targets])
    rst_text = "\n".join(rst) + "\n"

    result = {
        "meta": meta,
        "effective_payload": eff,
        "tx_only": {c: cells for c, cells in tx},
        "full_path": {c: cells for c, cells in full},
        "reject": rej,
        "sa_scale": sc,
        "memory_per_suite": mem_suites,
        "targets": targets,
        "raw": raw,
    }
    with open(os.path.join(d, "table.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(d, "table.rst"), "w") as f:
        f.write(rst_text)
    with open(os.path.join(d, "results.json"), "w") as f:
        json.dump(result, f, indent=1, default=str)
        f.write("\n")
    if not quiet:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
