#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The benchmark's one table, from the files tools/bench/run leaves in DIR:

  machine.txt   "key: value" lines (date, cpus, cpu, kernels, accel)
  match.N.txt   match_bench's table, one file per run
  tls.N.txt     tls_bench's table, one file per run
  rst.N.txt     rst_bench's table, one file per run
  guest/samples guest.sh's "KEY VALUE" samples (medians are taken)

  table.py DIR [HISTORY]

Every ratio compares two numbers measured in the same run. Its spread is
the range of the ratios of each round (or host run) alone: the guest
measures the configurations it compares in interleaved rounds, so round i
of one is next in time to round i of the other.

With HISTORY (Documentation/bench-history), the run's tracked ratios are
appended to it as one line, after they are compared with the last line of
the same guest kernel and accel: a ratio that fell by more than its own
spread in this run is a regression, printed as such, and the exit status
is 3. The line is appended all the same.
"""
import glob
import json
import statistics
import sys

DIR = sys.argv[1]
HISTORY = sys.argv[2] if len(sys.argv) > 2 else None
tracked = {}		# name: (ratio, lo, hi), for the history


def read_table(name, keep=None):
    """A benchmark's table, each number the median over the runs kept as
    NAME.1.txt, NAME.2.txt, ...: ({first column: [other columns]}, runs).
    With KEEP, KEEP[row][col] gets every run's value."""
    runs = []
    for path in sorted(glob.glob("%s/%s.*.txt" % (DIR, name))):
        with open(path) as f:
            # the first table only: up to the first blank line
            lines = f.read().split("\n\n")[0].splitlines()[1:]
            runs.append([line.split() for line in lines])
    rows = {}
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
with open(DIR + "/guest/samples") as f:
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


print("sslv benchmarks, %s" % machine["date"])
print("host:  %s CPUs, %s, Linux %s: kmod/lib in userspace (items 2, 5)"
      % (machine["cpus"], machine["cpu"], machine["host kernel"]))
print("guest: Linux %s under QEMU %s, 2 vCPUs, on that host: the datapath "
      "(items 1-4)" % (machine["guest kernel"], machine["accel"]))
print("values are medians of the runs shown; ratios compare numbers of this "
      "run only")

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

head("3. flow table")
per_flow = (med("slab.after") - med("slab.before")) / med("slab.flows")
struct = float(machine.get("flow struct") or "nan")
row("slab bytes per flow, 100k flows", "%.1f B" % per_flow,
    "%.2f" % (per_flow / struct), "of sizeof(struct sslv_flow) = %.0f; slab "
    "object %d B" % (struct, med("slab.objsize")))
row("bucket array per flow, 100k flows", "%.1f B" % (med("slab.buckets") /
    med("slab.flows")), "", "%d buckets x 8 B" % (med("slab.buckets") / 8))
row("slab bytes per flow, 1M flows", "%.1f B" % (med("million.slab") /
    med("million.flows")), "%.2f" % (med("million.slab") / med("million.flows") / struct))
new_bare, new_sslv = med("new.bare"), med("new.sslv.flows")
row("new flows/s, bare bridge (SYNs forwarded)", k(new_bare) + " /s", "1.00")
row("new flows/s, sslv (flows created)", k(new_sslv) + " /s",
    "%.2f" % (new_sslv / new_bare), "empty table, 1000 rules, " +
    target(new_sslv / new_bare, 0.8) + ", " + spread("new.sslv.flows") +
    " k, " + rspread("new.sslv.flows", "new.bare", "new.sslv"))
ins = med("million.flows") / med("million.insert_secs")
row("1M flows inserted, flows/s", k(ins) + " /s", "%.2f" % (ins / new_sslv),
    "of the empty-table rate; %d flows in %.1f s"
    % (med("million.flows"), med("million.insert_secs")))
row("1M flows aged out (timeout 1 s)", "%.1f s" % med("million.age_secs"), "",
    "%d expired by the GC" % med("million.expired"))
print("   (soft lockups, RCU stalls: see the checks below; tools/vm/run "
      "also fails on any splat)")

head("4. reject latency: trigger segment sent -> socket error "
     "(median of %d flows)" % med("reject.conns"))
rtt = med("reject.rtt_us")
row("round trip of 1 byte through the bridge", "%.0f us" % rtt, "1.00",
    "bare bridge, same sockets")
for key, name in (("reject.client_us", "client socket reset"),
                  ("reject.server_us", "server socket reset"),
                  ("reject.both_us", "both sockets reset")):
    row(name, "%.0f us" % med(key), "%.2f" % (med(key) / rtt), "of the round trip")

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


if HISTORY:
    line = {"date": machine["date"], "commit": machine.get("commit", "?"),
            "guest": machine["guest kernel"], "accel": machine["accel"],
            "ratios": tracked}
    last = None
    try:
        with open(HISTORY) as f:
            for old in f:
                if old.startswith("{"):
                    old = json.loads(old)
                    if (old["guest"], old["accel"]) == (line["guest"],
                                                         line["accel"]):
                        last = old
    except FileNotFoundError:
        pass
    worse = []
    if last:
        print()
        print("against the last recorded run (%s, %s) in %s:"
              % (last["date"], last["commit"], HISTORY))
        for name, (ratio, lo, hi) in sorted(tracked.items()):
            if name not in last["ratios"]:
                continue
            before = last["ratios"][name][0]
            # match.*: a cost ratio, lower is better
            drop = ratio - before if name.startswith("match.") else before - ratio
            bad = drop > hi - lo
            print("  %-24s %.3f -> %.3f  (this run's spread %.3f)%s"
                  % (name, before, ratio, hi - lo,
                     "  REGRESSION" if bad else ""))
            if bad:
                worse.append(name)
    with open(HISTORY, "a") as f:
        f.write(json.dumps(line, sort_keys=True) + "\n")
    if worse:
        print()
        print("REGRESSION: %s fell by more than this run's own spread"
              % ", ".join(worse))
        sys.exit(3)
