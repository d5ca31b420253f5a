"""Runs a list of SQL statements on the ClickHouse engine of the chdb Python wheel, in one session.

Used by test/clickhouse-25.test.ts to run the SQL the project renders on ClickHouse 25.8.
Reads one JSON request on stdin:

  {"path": "<session data directory>",
   "steps": [{"sql": "...", "params": {"name": "value"}, "settings": {"name": "value"}, "fetch": false}]}

Bound values go in as `SET param_<name>` (the session form of query parameters), settings as
`SET <name>`, never into the SQL text. Writes {"engine": "...", "results": [...]} to stdout, one
result per step run: {"ok": true, "data": <JSONCompact answer or null>} or {"ok": false,
"error": "..."}; the first failure ends the run.
"""

import json
import re
import sys

import chdb
from chdb import session

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def literal(value):
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def checked(name):
    if not NAME.match(name):
        raise ValueError(f"not a setting or parameter name: {name!r}")
    return name


def main():
    request = json.load(sys.stdin)
    sess = session.Session(request["path"])
    results = []
    try:
        for step in request["steps"]:
            try:
                for name, value in step.get("settings", {}).items():
                    sess.query(f"SET {checked(name)} = {literal(value)}")
                for name, value in step.get("params", {}).items():
                    sess.query(f"SET param_{checked(name)} = {literal(value)}")
                fetch = step.get("fetch", False)
                answer = sess.query(step["sql"], "JSONCompact" if fetch else "CSV")
                results.append({"ok": True, "data": json.loads(answer.bytes()) if fetch else None})
            except Exception as error:  # reported to the caller, which fails the test
                results.append({"ok": False, "error": str(error)})
                break
    finally:
        sess.close()
    json.dump({"engine": chdb.engine_version, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
