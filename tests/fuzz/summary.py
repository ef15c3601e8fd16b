"""Groups the failures tests/fuzz/hooks.py recorded into distinct faults.

Usage: python summary.py FAILURES.jsonl

One line per fault: how often it was hit, the operation, the roles it was
hit as, the answer (numbers masked, so that one fault with many inputs is one
line), and the shortest request that hit it.
"""

import json
import re
import sys


def fault(record):
    error = record.get("error")
    if isinstance(error, dict):
        message = str(error.get("message", ""))
        code = (error.get("extensions") or {}).get("code")
    else:
        message, code = str(error), None
    message = re.sub(r"-?\d+(\.\d+)?", "N", message)
    message = re.sub(r'found "[^"]*"', 'found "…"', message)
    return record["operation"], f"HTTP {record['status']} {code or 'no code'}: {message[:300]}"


def main():
    groups = {}
    with open(sys.argv[1], encoding="utf-8") as records:
        for line in records:
            record = json.loads(line)
            key = fault(record)
            group = groups.setdefault(key, {"count": 0, "roles": set(), "request": record["request"]})
            group["count"] += 1
            group["roles"].add(record.get("role") or "?")
            if len(record["request"]) < len(group["request"]):
                group["request"] = record["request"]
    print(f"{len(groups)} distinct faults:")
    for (operation, answer), group in sorted(groups.items()):
        roles = ",".join(sorted(group["roles"]))
        print(f"\n{group['count']:5d}× {operation} [{roles}]\n       {answer}\n       sent: {group['request'][:400]}")


if __name__ == "__main__":
    main()
