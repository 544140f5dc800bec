"""Every benchmark in one run: ``python -m benchmarks [--json FILE]``.

Each prints its figures beside its peer (measured in the same run) and its limit.
Runs against the demo engine on loopback only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_grid.py", "bench_stall.py", "bench_fill.py", "bench_start.py", "bench_memory.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", type=Path, help="also write the thumbnail fill row as JSON")
    args = parser.parse_args()
    failed = 0
    for name in BENCHES:
        print(f"== {name}", flush=True)
        extra = ["--json", str(args.json)] if args.json and name == "bench_fill.py" else []
        failed += subprocess.run([sys.executable, str(HERE / name), *extra]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
