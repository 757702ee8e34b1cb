#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Instructions per frame, by kernel function, from tbcount.c's counts.

  tbcount.py BASE RUN [N]         the N (default 40) functions whose
                                  instructions per frame differ most
                                  between two profiles (e.g. the bare
                                  bridge and sslv), with both figures
  tbcount.py RUN                  the N costliest functions of one
  tbcount.py --blocks RUN KO FUNC every translation block of FUNC (a
                                  function of the module KO) that ran,
                                  with its instructions per frame and
                                  its disassembly

A profile is a directory of tools/bench/icount-profile.sh's output:
kallsyms, frames (the frames the flood delivered), tb.txt (the plugin's
counts for the boot, the set-up and the flood), and DIR.0, the same guest
without the flood, whose counts are taken away so that what remains is
the flood's alone.
"""
import bisect
import collections
import re
import subprocess
import sys


def frames(d):
    return int(open(d + "/frames").read().split()[1])


def counts(d):
    """(pc, insns) -> executions of the flood alone."""
    c = collections.Counter()
    for path, sign in ((d, 1), (d + ".0", -1)):
        for line in open(path + "/tb.txt"):
            pc, n, k = line.split()
            c[(int(pc, 16), int(n))] += sign * int(k)
    return c


def symbols(d):
    syms = []
    for line in open(d + "/kallsyms"):
        f = line.split()
        if f[1] in "tTwW":
            syms.append((int(f[0], 16), f[2]))
    syms.sort()
    return syms


def by_function(d):
    syms = symbols(d)
    addrs = [a for a, _ in syms]
    per = collections.Counter()
    for (pc, n), k in counts(d).items():
        i = bisect.bisect_right(addrs, pc) - 1
        per[syms[i][1] if i >= 0 else "?"] += n * k
    nf = frames(d)
    return {f: v / nf for f, v in per.items()}


def blocks(d, ko, func):
    base = next(a for a, n in symbols(d) if n == func)
    dis = subprocess.run(["objdump", "-d", "--no-show-raw-insn",
                          "--disassemble=" + func, ko],
                         capture_output=True, text=True, check=True).stdout
    insns, start = [], None
    for line in dis.splitlines():
        m = re.match(r"^([0-9a-f]+) <", line)
        if m:
            start = int(m.group(1), 16)
        m = re.match(r"^\s+([0-9a-f]+):\s*(.*)", line)
        if m and start is not None:
            insns.append((int(m.group(1), 16) - start, m.group(2)))
    at = {off: i for i, (off, _) in enumerate(insns)}
    nf, total = frames(d), 0.0
    for (pc, n), k in sorted(counts(d).items()):
        off = pc - base
        if not 0 <= off < 0x4000 or k / nf < 0.01:
            continue
        total += n * k / nf
        print("block +%#x: %d instructions x %.2f per frame = %.1f"
              % (off, n, k / nf, n * k / nf))
        i = at.get(off)
        for o, text in insns[i:i + n] if i is not None else ():
            print("    %#6x  %s" % (o, text))
    print("%s: %.0f instructions per frame" % (func, total))


def main(argv):
    if argv[:1] == ["--blocks"] and len(argv) == 4:
        blocks(*argv[1:])
    elif len(argv) in (2, 3) and not argv[1].isdigit():
        a, b = by_function(argv[0]), by_function(argv[1])
        n = int(argv[2]) if len(argv) == 3 else 40
        print("instructions per frame: %.0f -> %.0f (%+.0f)"
              % (sum(a.values()), sum(b.values()),
                 sum(b.values()) - sum(a.values())))
        rows = sorted(set(a) | set(b),
                      key=lambda f: -abs(b.get(f, 0) - a.get(f, 0)))
        for f in rows[:n]:
            print("%+8.1f %8.1f %8.1f  %s" % (b.get(f, 0) - a.get(f, 0),
                                               a.get(f, 0), b.get(f, 0), f))
    elif len(argv) in (1, 2):
        a = by_function(argv[0])
        print("instructions per frame: %.0f" % sum(a.values()))
        n = int(argv[1]) if len(argv) == 2 else 40
        for f, v in sorted(a.items(), key=lambda x: -x[1])[:n]:
            print("%8.1f  %s" % (v, f))
    else:
        sys.exit(__doc__)


main(sys.argv[1:])
