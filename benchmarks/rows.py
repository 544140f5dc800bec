"""One row format for every benchmark: printed as a table, collected as JSON.

Each benchmark prints its rows; when ``BINGREV_BENCH_ROWS`` names a file (the
``python -m benchmarks`` runner sets it) the rows are appended to it as JSON lines,
so the runner can print one table of every row and write it as JSON.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass
class Row:
    bench: str
    case: str
    unit: str  # "s", "ms" or "MB"
    median: float
    min: float | None = None
    peer: float | None = None
    peer_name: str = ""
    limit: float | None = None
    target: str = ""  # the target in words, e.g. "<= 0.5x Chromium"
    ok: bool | None = None  # whether the target is met (None: no target)

    @property
    def peer_ratio(self) -> float | None:
        return self.median / self.peer if self.peer else None

    @property
    def limit_ratio(self) -> float | None:
        return self.median / self.limit if self.limit else None


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    if unit == "ratio":  # precision, recall: three places, as they are quoted
        return f"{value:.3f}"
    return f"{value:.2f} {unit}" if unit == "s" else f"{value:.1f} {unit}"


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}x"


def format_table(rows: list[Row]) -> str:
    header = ("case", "median", "min", "peer", "peer ratio", "limit", "limit ratio", "target",
              "met")
    lines = [header]
    for r in rows:
        peer = _num(r.peer, r.unit) + (f" ({r.peer_name})" if r.peer_name else "")
        met = "" if r.ok is None else ("yes" if r.ok else "NO")
        lines.append((r.case, _num(r.median, r.unit), _num(r.min, r.unit), peer,
                      _ratio(r.peer_ratio), _num(r.limit, r.unit), _ratio(r.limit_ratio),
                      r.target, met))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True))
                     .rstrip() for line in lines)


def report(rows: list[Row]) -> None:
    """Print the rows; append them to the runner's file when there is one."""
    print(format_table(rows), flush=True)
    target = os.environ.get("BINGREV_BENCH_ROWS")
    if target:
        with Path(target).open("a", encoding="utf-8") as out:
            for row in rows:
                out.write(json.dumps(asdict(row)) + "\n")


def load(path: Path) -> list[Row]:
    if not path.exists():
        return []
    return [Row(**json.loads(line)) for line in path.read_text("utf-8").splitlines() if line]


def to_json(rows: list[Row]) -> str:
    return json.dumps([{**asdict(r), "peer_ratio": r.peer_ratio, "limit_ratio": r.limit_ratio}
                       for r in rows], indent=2)
