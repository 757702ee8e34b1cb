#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark's one table, from the files tools/bench/run leaves in DIR:

  machine.txt   "key: value" lines (date, cpus, cpu, kernels, accel)
  load.txt      the host's /proc/loadavg, every 10 s of the run
  match.N.txt   match_bench's table, one file per run
  tls.N.txt     tls_bench's table, one file per run
  rst.N.txt     rst_bench's table, one file per run
  guest*/samples guest.sh's "KEY VALUE" samples (medians are taken): the
                datapath guest's (guest/) and the decrypt one's

  table.py DIR [HISTORY]

Every ratio compares two numbers measured in the same run. Its spread is
the range of the ratios of each round (or host run) alone: the guest
measures the configurations it compares in interleaved rounds, so round i
of one is next in time to round i of the other.

With HISTORY (Documentation/bench-history), the run's tracked ratios are
appended to it as one line, after each is compared with its last recorded
value of the same guest kernel and accel (a run of some parts only, BENCH=,
records only theirs): a ratio that fell by more than its own spread in this
run is a regression, printed as such, and the exit status is 3 (for
match.* and *_kib.*, a cost, a rise); nftables' ratios are recorded but
not checked. match.* is timed on the host, whose other tenants move it
more from one run to the next (the last-level cache they share) than
within one run: it must fall by more than the range of its last
HOST_HISTORY recorded values too. The line is appended all the same.
The datapath's ratios and the host's are recorded under the datapath
guest's accel (e.g. "tcg icount shift=3,sleep=off"), the decrypt ones
(dec.*) under the decrypt guest's, one line each. Under -icount a ratio
is a ratio of instruction counts, repeatable to a few thousandths: its
spread is taken as at least 0.01, so that only a change of the code
moves it past that.
"""
import glob
import json
import statistics
import sys

DIR = sys.argv[1]
HISTORY = sys.argv[2] if len(sys.argv) > 2 else None
HOST_HISTORY = 4  # recorded runs whose range a host-timed ratio may move by
tracked = {}		# name: (ratio, lo, hi), for the history


def read_table(name, keep=None, block=0):
    """A benchmark's table, each number the median over the runs kept as
    NAME.1.txt, NAME.2.txt, ...: ({first column: [other columns]}, runs).
    With KEEP, KEEP[row][col] gets every run's value. BLOCK: which of the
    tables a file holds, one after another with a blank line between;
    the files without it are left out."""
    runs = []
    for path in sorted(glob.glob("%s/%s.*.txt" % (DIR, name))):
        with open(path) as f:
            blocks = f.read().split("\n\n")
        if block < len(blocks):
            runs.append([line.split()
                         for line in blocks[block].splitlines()[1:]])
    rows = {}
    if not runs:
        return rows, 0
    for i, cols in enumerate(runs[0]):
        rows[cols[0]] = [c if j < 1 else "%.1f" % statistics.median(
            float(r[i][j + 1]) for r in runs) for j, c in enumerate(cols[1:])]
        if keep is not None:
            keep[cols[0]] = [[float(r[i][j]) for r in runs]
                             for j in range(1, len(cols))]
    return rows, len(runs)


machine = {}
with open(DIR + "/machine.txt") as f:
    for line in f:
        k, v = line.rstrip("\n").split(": ", 1)
        machine[k] = v

samples = {}
for path in sorted(glob.glob(DIR + "/guest*/samples")):
    with open(path) as f:
        for line in f:
            k, v = line.split()
            samples.setdefault(k, []).append(float(v))


def med(key):
    v = samples.get(key)
    return statistics.median(v) if v else float("nan")


def runs(key):
    return len(samples.get(key, []))


def spread(key, unit=1000.0, fmt="%.1f"):
    """The range of a key's samples: how much the host's load moved them."""
    v = samples[key]
    return ("runs " + fmt + "-" + fmt) % (min(v) / unit, max(v) / unit)


def ratios(num, den):
    """Round by round, NUM's samples over DEN's (lists of one length)."""
    return [a / b for a, b in zip(num, den) if b]


def rspread(num, den, name=None):
    """The range of the per-round ratios of two keys' samples (or of two
    lists), as text; with NAME the median ratio and range are tracked."""
    a = samples.get(num, []) if isinstance(num, str) else num
    b = samples.get(den, []) if isinstance(den, str) else den
    r = ratios(a, b)
    if not r:
        return "ratio spread n/a"
    ratio = statistics.median(a) / statistics.median(b)
    if name:
        tracked[name] = (round(ratio, 3), round(min(r), 3), round(max(r), 3))
    return "ratio %.2f-%.2f (+-%.2f)" % (min(r), max(r), (max(r) - min(r)) / 2)


def target(ratio, want):
    if ratio >= want:
        return ">= %.2f ok" % want
    return ">= %.2f MISSED by %.2f" % (want, want - ratio)


def target_max(ratio, want):
    if ratio <= want:
        return "<= %.2f ok" % want
    return "<= %.2f MISSED by %.2f" % (want, ratio - want)


def row(name, value, ratio="", note=""):
    print("  %-44s %16s %7s  %s" % (name, value, ratio, note))


def head(title):
    print()
    print(title)


def k(v):
    return "%.1f k" % (v / 1000)


def have(key):
    return key in samples


host_runs = bool(glob.glob(DIR + "/match.*.txt"))

print("sslv benchmarks, %s" % machine["date"])
print("host:  %s CPUs, %s, Linux %s: kmod/lib in userspace (items 2, 5)"
      % (machine["cpus"], machine["cpu"], machine["host kernel"]))
dp_accel = machine.get("datapath accel", machine["accel"])
if "icount" in dp_accel:
    print("guest: Linux %s under QEMU %s, 1 vCPU: the datapath (items 1-4),"
          % (machine["guest kernel"], dp_accel))
    print("       its rates in guest time, which counts instructions (8 ns "
          "each): ratios of\n       instruction counts, whatever the host's "
          "load")
else:
    print("guest: Linux %s under QEMU %s, 2 vCPUs, on that host: the datapath "
          "(items 1-4)" % (machine["guest kernel"], dp_accel))
if any(k.startswith("dec.") for k in samples):
    print("guest: Linux %s under QEMU %s, 2 vCPUs, on that host: action "
          "decrypt (items 6-7)" % (machine["guest kernel"], machine["accel"]))
print("values are medians of the runs shown; ratios compare numbers of this "
      "run only")
try:
    with open(DIR + "/load.txt") as f:
        load = [float(line.split()[0]) for line in f if line.strip()]
except FileNotFoundError:
    load = []
if load:
    print("host load average (1 min) during the run: %.2f-%.2f, median %.2f "
          "(%d readings, 10 s apart)" % (min(load), max(load),
                                         statistics.median(load), len(load)))

if have("pps.bare"):
    head("1. forwarding through the bridge, %d reject rules none of which match"
         % med("ruleset"))
    print("   64-byte frames/s reaching the server, 64 flows "
          "(%d runs of each, interleaved)" % runs("pps.bare"))
    bare = med("pps.bare")
    for key, name, want in (
            ("pps.bare", "bare bridge (no module)", None),
            ("pps.sslv", "sslv, cut-through", 0.95),
            ("pps.sslv_100k", "sslv, cut-through, 100k flows in the table", 0.93),
            ("pps.nft_chain", "nft bridge, rules as a linear chain", None),
            ("pps.nft_set", "nft bridge, rules as one interval set", None)):
        r = med(key) / bare
        row(name, k(med(key)) + " pps", "%.2f" % r,
            (target(r, want) + ", " if want else "") + spread(key) + " k" +
            ("" if key == "pps.bare" else ", " + rspread(key, "pps.bare", key)))
    print("   one TCP stream, iperf3 -t 2 (%d runs of each)" % runs("bulk.bare"))
    bare = med("bulk.bare")
    for key, name in (("bulk.bare", "bare bridge"), ("bulk.sslv", "sslv, cut-through"),
                      ("bulk.sslv_100k", "sslv, 100k flows in the table"),
                      ("bulk.nft_chain", "nft bridge, linear chain"),
                      ("bulk.nft_set", "nft bridge, interval set")):
        want = {"bulk.sslv": 0.97}.get(key)
        r = med(key) / bare
        row(name, "%.2f Gbit/s" % med(key), "%.2f" % r,
            (target(r, want) + ", " if want else "") + spread(key, 1, "%.2f") +
            ("" if key == "bulk.bare" else ", " + rspread(key, "bulk.bare", key)))

if have("scale.bare"):
    head("2. rule scaling: new flows/s (SYN flood, a new port per SYN), "
         "ratio to 10 rules")
    print("   guest, %d interleaved runs each; bare bridge forwards %s SYN/s"
          % (runs("scale.bare"), k(med("scale.bare"))))
    for eng, name in (("sslv", "sslv"), ("chain", "nft chain"), ("set", "nft set")):
        base = med("scale.%s.10" % eng)
        for n in (10, 1000, 10000, 100000):
            key = "scale.%s.%d" % (eng, n)
            if key not in samples:
                continue
            note = "%.2f of bare, %s k, %s" % (
                med(key) / med("scale.bare"), spread(key),
                rspread(key, "scale.%s.10" % eng,
                        key if eng == "sslv" and n == 100000 else None))
            if eng == "sslv":
                note += ", %s flows/s created" % k(med(key + ".flows"))
            if runs(key) == 1:
                note += ", 1 run"
            row("%s, %d rules" % (name, n), k(med(key)) + " /s",
                "%.2f" % (med(key) / base), note)
if host_runs:
    if not have("scale.bare"):
        head("2. rule lookup")
    mruns_all = {}
    m, mruns = read_table("match", mruns_all)
    print("   host: match_bench, ns per lookup in kmod/lib/match.c (median of %d "
          "runs)" % mruns)
    for n in ("10", "1000", "10000", "100000"):
        r = float(m[n][4]) / float(m["10"][4])
        row("match, %s rules" % n, m[n][4] + " ns", "%.2f" % r,
            "%s bytes compiled, runs %.1f-%.1f ns, %s" % (
                m[n][0], min(mruns_all[n][4]), max(mruns_all[n][4]),
                rspread(mruns_all[n][4], mruns_all["10"][4],
                        "match.%s" % n if n == "100000" else None)) +
            (", " + target_max(r, 1.2) if n == "100000" else ""))
    # match_bench's second table: ns per read, by MiB
    chase = {}
    read_table("match", chase, block=1)
    if chase:
        row("the host's memory: a read at " + ", ".join(chase) + " MiB",
            "/".join("%.0f" % statistics.median(v[0]) for v in chase.values())
            + " ns", "",
            "in the same runs; the 100k ratio rises with the 16 MiB "
            "read, which other tenants of the shared cache slow")

if have("slab.after") or have("million.slab"):
    head("3. flow table")
    struct = float(machine.get("flow struct") or "nan")
    if have("slab.after"):
        per_flow = (med("slab.after") - med("slab.before")) / med("slab.flows")
        row("slab bytes per flow, 100k flows", "%.1f B" % per_flow,
            "%.2f" % (per_flow / struct), "of sizeof(struct sslv_flow) = %.0f; slab "
            "object %d B" % (struct, med("slab.objsize")))
        row("bucket array per flow, 100k flows", "%.1f B" % (med("slab.buckets") /
            med("slab.flows")), "", "%d buckets x 8 B" % (med("slab.buckets") / 8))
    if have("million.slab"):
        row("slab bytes per flow, 1M flows", "%.1f B" % (med("million.slab") /
            med("million.flows")), "%.2f" % (med("million.slab") / med("million.flows") / struct))
    new_bare, new_sslv = med("new.bare"), med("new.sslv.flows")
    if have("new.bare"):
        row("new flows/s, bare bridge (SYNs forwarded)", k(new_bare) + " /s", "1.00")
        row("new flows/s, sslv (flows created)", k(new_sslv) + " /s",
            "%.2f" % (new_sslv / new_bare), "empty table, 1000 rules, " +
            target(new_sslv / new_bare, 0.8) + ", " + spread("new.sslv.flows") +
            " k, " + rspread("new.sslv.flows", "new.bare", "new.sslv"))
    if have("million.slab"):
        ins = med("million.flows") / med("million.insert_secs")
        row("1M flows inserted, flows/s", k(ins) + " /s", "%.2f" % (ins / new_sslv),
            "of the empty-table rate; %.0f flows in %.1f s"
            % (med("million.flows"), med("million.insert_secs")))
        row("1M flows aged out (timeout 1 s)", "%.1f s" % med("million.age_secs"), "",
            "%d expired by the GC" % med("million.expired"))
    print("   (soft lockups, RCU stalls: see the checks below; tools/vm/run "
          "also fails on any splat)")

if have("reject.rtt_us"):
    head("4. reject latency: trigger segment sent -> socket error "
         "(median of %d flows)" % med("reject.conns"))
    rtt = med("reject.rtt_us")
    row("round trip of 1 byte through the bridge", "%.0f us" % rtt, "1.00",
        "bare bridge, same sockets")
    for key, name in (("reject.client_us", "client socket reset"),
                      ("reject.server_us", "server socket reset"),
                      ("reject.both_us", "both sockets reset")):
        row(name, "%.0f us" % med(key), "%.2f" % (med(key) / rtt), "of the round trip")

if host_runs:
    t, truns = read_table("tls")
    head("5. parser cost (host, ns per call: median of %d runs of the best of 15 "
         "rounds)" % truns)
    base = float(t["openssl-tls13-client.hex"][1])
    for name, cols in t.items():
        row("ClientHello %s (%s B)" % (name.replace("-client.hex", ""), cols[0]),
            cols[1] + " ns", "%.2f" % (float(cols[1]) / base),
            "%s ns parsed again per 536-B segment" % cols[2])
    r, _ = read_table("rst")
    base = float(r["data"][1])
    for name, cols in r.items():
        row("RST classify, %s (%s)" % (name, cols[0]), cols[1] + " ns",
            "%.2f" % (float(cols[1]) / base))
    row("rule lookup, 100000 rules", m["100000"][4] + " ns",
        "%.2f" % (float(m["100000"][4]) / float(m["10"][4])), "ratio to 10 rules")

if have("dec.rounds"):
    head("6. action decrypt: sslvd against %s (tproxy) and the bare "
         "bridge" % (machine.get("sslsplit") or "SSLsplit"))
    print("   one download through the bridge (curl, AES-128-GCM), %d "
          "interleaved rounds; the ratio of sslvd is to SSLsplit"
          % runs("dec.bulk13.bare"))
    for v in ("12", "13"):
        bare = med("dec.bulk%s.bare" % v)
        for who, name in (("bare", "bare bridge (no interception)"),
                          ("sslvd", "sslvd"), ("sslsplit", "SSLsplit")):
            key = "dec.bulk%s.%s" % (v, who)
            note = spread(key, 1, "%.1f")
            if who == "sslvd":
                r = med(key) / med("dec.bulk%s.sslsplit" % v)
                ratio = "%.2f" % r
                note = (target(r, 1.5) + ", " + note + ", " +
                        rspread(key, "dec.bulk%s.sslsplit" % v,
                                "dec.bulk%s" % v) +
                        ", %.2f of bare" % (med(key) / bare))
                rspread(key, "dec.bulk%s.bare" % v, "dec.bulk%s.bare" % v)
            elif who == "sslsplit":
                ratio = ""
                note += ", %.2f of bare, %s" % (
                    med(key) / bare, rspread(key, "dec.bulk%s.bare" % v))
            else:
                ratio = ""
            if have("dec.cpu.bulk%s.%s" % (v, who)):
                note += ", its CPU %.0f ms a MB" % med("dec.cpu.bulk%s.%s" % (v, who))
            row("TLS 1.%s, %s" % (v[1], name), "%.1f MB/s" % med(key), ratio, note)
    print("   new TLS 1.3 sessions/s: %d handshakes and a GET each, %d clients "
          "at a time (%d rounds); uncached: a new server certificate each" % (med("dec.conns"), med("dec.procs"),
                                     runs("dec.newc.bare")))
    for kind, what in (("c", "leaf cached"),
                       ("u", "leaf uncached")):
        bare = med("dec.new%s.bare" % kind)
        for who, name in (("bare", "bare bridge"), ("sslvd", "sslvd"),
                          ("sslsplit", "SSLsplit")):
            key = "dec.new%s.%s" % (kind, who)
            note = spread(key, 1, "%.1f")
            ratio = ""
            if who == "sslvd":
                r = med(key) / med("dec.new%s.sslsplit" % kind)
                ratio = "%.2f" % r
                note = (target(r, 1.5) + ", " + note + ", " +
                        rspread(key, "dec.new%s.sslsplit" % kind,
                                "dec.new%s" % kind) +
                        ", %.2f of bare" % (med(key) / bare))
            elif who == "sslsplit":
                note += ", %.2f of bare" % (med(key) / bare)
            if have("dec.cpu.new%s.%s" % (kind, who)):
                note += ", its CPU %.0f ms a session" % med("dec.cpu.new%s.%s"
                                                           % (kind, who))
            row("%s, %s" % (what, name),
                "%.1f /s" % med(key), ratio, note)
    held = med("dec.mem.bare.held")
    print("   memory per idle decrypted session: %d TLS 1.3 sessions held "
          "open (%d rounds)" % (held, runs("dec.mem.bare.held")))
    print("   proxy RSS growth + kernel growth (Slab + TCP pages) beyond the "
          "bare bridge's for the same sessions")
    bare_k = samples.get("dec.mem.bare.kernel", [])
    row("bare bridge: kernel growth per session",
        "%.1f KiB" % (med("dec.mem.bare.kernel") / held / 1024), "",
        "client's and server's sockets")
    per = {}
    for who, name in (("sslvd", "sslvd"), ("sslsplit", "SSLsplit")):
        rss = samples.get("dec.mem.%s.rss" % who, [])
        kern = samples.get("dec.mem.%s.kernel" % who, [])
        per[who] = [(a + b - c) / held / 1024 for a, b, c in zip(rss, kern, bare_k)]
        if not per[who]:
            continue
        v = statistics.median(per[who])
        note = "rss %.1f + kernel %.1f KiB, runs %.1f-%.1f" % (
            med("dec.mem.%s.rss" % who) / held / 1024,
            (med("dec.mem.%s.kernel" % who) - med("dec.mem.bare.kernel")) / held / 1024,
            min(per[who]), max(per[who]))
        if who == "sslvd":
            note = ("<= 64 KiB ok, " if v <= 64 else
                    "<= 64 KiB MISSED by %.1f, " % (v - 64)) + note
            tracked["dec.mem_kib.sslvd"] = (round(v, 1), round(min(per[who]), 1),
                                            round(max(per[who]), 1))
        row(name, "%.1f KiB" % v, "", note)
    if per.get("sslvd") and per.get("sslsplit"):
        row("sslvd of SSLsplit", "", "%.2f" % (statistics.median(per["sslvd"]) /
            statistics.median(per["sslsplit"])), "per idle session")


if have("dec.ips.rounds"):
    head("7. the attached IPS: sslvd through an IPS that passes everything "
         "(a bridge) against sslvd alone")
    print("   %d interleaved rounds; TLS 1.3 AES-128-GCM; latency: %d GETs on "
          "one kept-alive connection" % (med("dec.ips.rounds"), med("dec.ips.reqs")))
    plain, ips = med("dec.ips.bulk.plain"), med("dec.ips.bulk.ips")
    row("download, decrypt only", "%.1f MB/s" % plain, "",
        spread("dec.ips.bulk.plain", 1, "%.1f"))
    r = ips / plain
    row("download, through the IPS", "%.1f MB/s" % ips, "%.2f" % r,
        target(r, 0.8) + ", " + spread("dec.ips.bulk.ips", 1, "%.1f") + ", " +
        rspread("dec.ips.bulk.ips", "dec.ips.bulk.plain", "dec.ips.bulk"))
    lp, li = med("dec.ips.lat.plain"), med("dec.ips.lat.ips")
    row("request, decrypt only", "%.2f ms" % lp, "",
        spread("dec.ips.lat.plain", 1, "%.2f"))
    row("request, through the IPS", "%.2f ms" % li, "%.2f" % (li / lp),
        "+%.2f ms a request, %s" % (li - lp, spread("dec.ips.lat.ips", 1, "%.2f")))

if HISTORY:
    # one line for each accel the ratios were measured under
    groups = {}
    for name, v in tracked.items():
        accel = machine["accel"] if name.startswith("dec.") else dp_accel
        groups.setdefault(accel, {})[name] = v
    last = {}
    try:
        with open(HISTORY) as f:
            for old in f:
                if old.startswith("{"):
                    old = json.loads(old)
                    if old["guest"] != machine["guest kernel"]:
                        continue
                    for name, v in old["ratios"].items():
                        last.setdefault((old["accel"], name), []).append(
                            (v[0], old["date"], old["commit"]))
    except FileNotFoundError:
        pass
    worse = []
    shown = False
    for accel, ratios in sorted(groups.items()):
        floor = 0.01 if "icount" in accel else 0.0
        for name, (ratio, lo, hi) in sorted(ratios.items()):
            if (accel, name) not in last:
                continue
            if not shown:
                print()
                print("against the last recorded value of each in %s "
                      "(same guest kernel and accel):" % HISTORY)
                shown = True
            before, date, commit = last[(accel, name)][-1]
            # match.*: a cost ratio, *_kib.*: memory, lower is better
            lower = name.startswith("match.") or "_kib." in name
            drop = ratio - before if lower else before - ratio
            spread = max(hi - lo, floor)
            why = "this run's spread %.3f" % spread
            if name.startswith("match."):
                recent = [v for v, _, _ in last[(accel, name)][-HOST_HISTORY:]]
                moved = max(recent) - min(recent)
                if moved > spread:
                    spread = moved
                    why = "the last %d runs' range %.3f" % (len(recent), moved)
            # nftables' rows are there to compare with, not sslv's to keep
            theirs = "nft" in name or ".chain" in name or ".set" in name
            fell = drop > spread
            bad = fell and not theirs
            print("  %-24s %.3f -> %.3f  (%s; then %s, %s)%s"
                  % (name, before, ratio, why, date, commit,
                     "" if not fell else "  (nftables, not checked)"
                     if theirs else "  REGRESSION"))
            if bad:
                worse.append(name)
    with open(HISTORY, "a") as f:
        for accel, ratios in sorted(groups.items()):
            line = {"date": machine["date"],
                    "commit": machine.get("commit", "?"),
                    "guest": machine["guest kernel"], "accel": accel,
                    "ratios": ratios}
            f.write(json.dumps(line, sort_keys=True) + "\n")
    if worse:
        print()
        print("REGRESSION: %s fell by more than its spread"
              % ", ".join(worse))
        sys.exit(3)
