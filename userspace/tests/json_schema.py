#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""json_schema.py DEF [FILE...]

Checks each line of each FILE (standard input without one), one JSON value
a line as sslvctl -j and rstscope -j print them, against $defs/DEF of
Documentation/sslvctl.schema.json; DEF "event" is a monitor line. Prints
every violation with its line; exit 0 when all lines are valid and there
was at least one, 1 otherwise, 2 on bad usage.
"""
import json
import os
import sys

import jsonschema

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "..", "..", "Documentation", "sslvctl.schema.json")


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(SCHEMA) as f:
        schema = json.load(f)
    cls = jsonschema.Draft202012Validator
    cls.check_schema(schema)
    if argv[1] not in schema["$defs"]:
        print("Error: no definition \"%s\" in %s" % (argv[1], SCHEMA),
              file=sys.stderr)
        return 2
    sub = {"$schema": schema["$schema"], "$defs": schema["$defs"],
           "$ref": "#/$defs/" + argv[1]}
    validator = cls(sub)
    files = argv[2:] or ["-"]
    lines = bad = 0
    for name in files:
        f = sys.stdin if name == "-" else open(name)
        for n, line in enumerate(f, 1):
            lines += 1
            where = "%s:%d" % ("<stdin>" if name == "-" else name, n)
            try:
                value = json.loads(line)
            except ValueError as e:
                print("%s: not JSON: %s" % (where, e))
                bad += 1
                continue
            errors = list(validator.iter_errors(value))
            for e in errors:
                if e.context:
                    e = jsonschema.exceptions.best_match(e.context)
                path = "/".join(str(p) for p in e.absolute_path)
                print("%s: %s: /%s: %s" % (where, argv[1], path, e.message))
            bad += bool(errors)
    if not lines:
        print("%s: no JSON to check" % " ".join(files))
    return 0 if lines and not bad else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
