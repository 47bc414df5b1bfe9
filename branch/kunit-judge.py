#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a KUnit run against the committed inventory of famfs' cases.

    kunit-judge.py JSON INVENTORY builtin|module LABEL

JSON is what kunit.py wrote (run --json, or parse --json). Prints one line
per case, "PASS LABEL: suite: case[: parameter]" or "FAIL ...", then a FAIL
for every case of INVENTORY that has no result (a suite that was not built,
a case dropped from its array, a run that died halfway) and for every case
that ran but is not in INVENTORY. Exits 1 on any FAIL.

An inventory line is "WHERE<tab>suite: case[: parameter]"; WHERE is "all",
or "builtin" for a case that exists only when famfs is built in.
"""
import json
import sys


def leaves(group, path, out):
    for case in group.get("test_cases", []):
        out.append((": ".join(path + [case["name"]]), case.get("status")))
    for sub in group.get("sub_groups", []):
        leaves(sub, path + [sub["name"]], out)


def main():
    if len(sys.argv) != 5 or sys.argv[3] not in ("builtin", "module"):
        sys.exit(__doc__)
    json_path, inv_path, flavour, label = sys.argv[1:]

    expected = []
    with open(inv_path) as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            where, _, name = line.partition("\t")
            if where not in ("all", "builtin") or not name:
                sys.exit(f"{inv_path}: bad line: {line!r}")
            if where == "all" or flavour == "builtin":
                expected.append(name)

    ran = []
    try:
        with open(json_path) as f:
            leaves(json.load(f), [], ran)
    except (OSError, ValueError) as e:
        print(f"FAIL {label}: no result ({e})")

    failed = 0
    seen = set()
    for name, status in ran:
        seen.add(name)
        if status == "PASS" and name in expected:
            print(f"PASS {label}: {name}")
            continue
        failed += 1
        if status != "PASS":
            print(f"FAIL {label}: {name} ({status})")
        else:
            print(f"FAIL {label}: {name} (passed, but is not in "
                  f"{inv_path.rsplit('/', 1)[-1]}: add it there)")
    for name in expected:
        if name not in seen:
            failed += 1
            print(f"FAIL {label}: {name} (no result: not built, not in its "
                  "suite, or the run ended before it)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
