"""Every benchmark in one run: ``python -m benchmarks [--json FILE] [--only NAME…]``.

Each benchmark prints its rows (median, min, peer, limit, ratios, target) with the
peer and the limit measured in the same run; at the end one table holds every row,
and ``--json`` (default ``benchmark-results.json``) gets the same rows as JSON.
Runs against the demo engine and local servers on loopback only; installs what it
needs when missing: Node.js for the HTTP/2 host and Chromium for the browser peer (from
Debian's packages), cryptography for its certificate and hypercorn (pip).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from benchmarks.rows import format_table, load, to_json  # noqa: E402

BENCHES = ["grid", "stall", "fill", "case", "start", "memory", "groups"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", type=Path, default=Path("benchmark-results.json"))
    parser.add_argument("--only", nargs="+", choices=BENCHES, help="run only these")
    args = parser.parse_args()
    collected = Path(tempfile.mkdtemp()) / "rows.jsonl"
    env = {**os.environ, "BINGREV_BENCH_ROWS": str(collected),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE.parent),
                                                       os.environ.get("PYTHONPATH")]))}
    failed = []
    for name in args.only or BENCHES:
        print(f"\n== bench_{name}", flush=True)
        done = subprocess.run([sys.executable, str(HERE / f"bench_{name}.py")], env=env)
        if done.returncode != 0:
            failed.append(name)
    rows = load(collected)
    print("\n== every row")
    print(format_table(rows))
    args.json.write_text(to_json(rows), encoding="utf-8")
    missed = [r.case for r in rows if r.ok is False]
    print(f"\n{len(rows)} rows written to {args.json}; "
          f"{len(missed)} targets not met" + (f"; benchmarks that failed: {failed}" if failed
                                                else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
