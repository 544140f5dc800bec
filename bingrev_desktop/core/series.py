"""Runs of the same search over time, and what changed between them (Qt-free).

"Search again" adds a new run of a stored search to the case. Every result of a run
is compared with every earlier run of the same query: never seen before is *new*
(dated by the run that first showed it); seen before but missing now is *gone*,
and keeps the stored picture of its last sighting.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from .case import Case, SearchRecord
from .response import ResultItem
from .sweep import result_key

CROP_KEYS = ("cal", "cat", "car", "cab")


def query_key(record: SearchRecord) -> tuple[str, ...]:
    """Same image, same part of it, same market: the same query (count aside)."""
    body = record.request_body
    return (body.get("image_url", ""), *(body.get(k, "") for k in CROP_KEYS),
            body.get("mkt", ""))


def runs_of(case: Case, record: SearchRecord) -> list[SearchRecord]:
    """Every run of ``record``'s query in the case, oldest first (``record`` included)."""
    key = query_key(record)
    return [s for s in case.searches if query_key(s) == key]


def shown_first(case: Case) -> list[SearchRecord]:
    """What the window needs first when a case opens: the latest search and every
    earlier run of it (its "new" and "gone" results); the rest can wait."""
    return runs_of(case, case.searches[-1]) if case.searches else []


@dataclass
class Sighting:
    record: SearchRecord  # the last run that showed it
    item: ResultItem


@dataclass
class RunChanges:
    earlier_runs: int
    new: set[str] = field(default_factory=set)  # result keys never seen before this run
    gone: list[Sighting] = field(default_factory=list)  # seen before, not found this time
    first_seen: dict[str, str] = field(default_factory=dict)  # key -> created_at (UTC)

    def text(self) -> str:
        """ "+4 new, −2 gone" (nothing before the first run)."""
        if not self.earlier_runs:
            return ""
        return f"+{len(self.new)} new, \u2212{len(self.gone)} gone"


def changes(case: Case, record: SearchRecord) -> RunChanges:
    """``record`` against every earlier run of the same query in the case."""
    earlier = [s for s in runs_of(case, record) if s.id < record.id]
    found = RunChanges(len(earlier))
    last_seen: dict[str, Sighting] = {}
    for run in earlier:
        for item in run.response.results:
            key = result_key(item)
            found.first_seen.setdefault(key, run.created_at)
            last_seen[key] = Sighting(run, item)
    now = {result_key(i) for i in record.response.results}
    for key in now:
        if key not in found.first_seen:
            found.first_seen[key] = record.created_at
            if earlier:
                found.new.add(key)
    found.gone = [s for k, s in last_seen.items() if k not in now]
    return found


def series_texts(case: Case) -> dict[int, str]:
    """For the history, in one pass: "run 3 · +4 new, −2 gone" per search id, against
    the run before it; nothing for a search that ran once."""
    groups: dict[tuple[str, ...], list[SearchRecord]] = {}
    for search in case.searches:
        groups.setdefault(query_key(search), []).append(search)
    texts: dict[int, str] = {}
    for runs in groups.values():
        if len(runs) < 2:
            continue
        texts[runs[0].id] = "run 1"
        for number, (previous, run) in enumerate(itertools.pairwise(runs), 2):
            before = {result_key(i) for i in previous.response.results}
            now = {result_key(i) for i in run.response.results}
            texts[run.id] = (f"run {number} \u00b7 +{len(now - before)} new, "
                             f"\u2212{len(before - now)} gone")
    return texts
