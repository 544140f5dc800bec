"""The subcommands that run without a window: search, check, rerun and export.

Loaded only for them, so the window's start does not import the network stack."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sqlite3
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from .cli_parser import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE
from .cli_parser import OneLineParser as _Parser
from .core.case import Case
from .core.client import SearchOutcome
from .core.credentials import CredentialStore, KeyStorageError
from .core.errors import BingrevError
from .core.files import is_read_only
from .core.http import proxy_from_environment
from .core.redact import redact
from .core.request import Crop, SearchRequest, ValidationError
from .core.service import SearchService
from .core.settings import API_KEY_ENV, resolve_api_base


def _safe(text: object) -> str:
    """Remote text without control characters, so it cannot drive the terminal."""
    return "".join(c if c.isprintable() else " " for c in str(text))


def progress_printer(label: str) -> Callable[[int, int], None] | None:
    """"Keeping pictures 87 of 150" on one stderr line, only when it is a terminal."""
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        end = "\n" if done >= total else ""
        print(f"\r{label} {done} of {total}", end=end, file=sys.stderr, flush=True)
    return show


def parse_crop(text: str) -> Crop:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise ValidationError("--crop takes four numbers: left,top,right,bottom (e.g. 0,0,0.5,1)")
    return Crop(*parts)  # type: ignore[arg-type]  # Crop validates and converts text


def search_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bingrev-desktop search", description="Run one reverse image search.")
    p.add_argument("image_url", help="web address (http/https) of the image to search for")
    p.add_argument("--mkt", action="append",
                   help="Bing market, e.g. en-US or de-DE. Repeat it, or give a region "
                   "(Europe, Americas, Asia-Pacific, \"Middle East and Africa\") or all, "
                   "to sweep several markets")
    p.add_argument("--crop", help="search only part of the image: left,top,right,bottom as 0..1")
    p.add_argument("--count", help="number of results, 1..150")
    p.add_argument("--json", action="store_true",
                   help="print the service's full JSON answer, with the copy groups "
                   "(\"copies\", by position) found in the result pictures")
    p.add_argument("--no-copies", action="store_true",
                   help="with --json: do not download the result pictures to group copies")
    p.add_argument("--case", help="add the search, with every result's picture, to this case "
                   "file (created when missing)")
    p.add_argument("--originals", action="store_true",
                   help="with --case: also keep full-size copies of every result. This "
                   "contacts the sites that host them; passing it is your consent")
    p.add_argument("--api-base", help="API address (default: $BINGREV_API_BASE or xcrawl)")
    p.add_argument("--timeout", type=float, default=90.0, help="overall deadline in seconds")
    return p


def print_outcome(outcome: SearchOutcome, as_json: bool,
                  copies: dict[str, Any] | None = None) -> None:
    if as_json:
        print(redact(json.dumps({**outcome.response.raw, **(copies or {})}, indent=2,
                                ensure_ascii=False)))
        return
    response = outcome.response
    cached = "cached" if response.metadata.cached else "new"
    summary = f"{len(response.results)} results in {outcome.elapsed:.1f} s ({cached} answer"
    if response.credits_used is not None:
        summary += f", {response.credits_used:g} credit(s) used"
    print(summary + ")")
    for note in response.notes():
        print(f"Note: {note}.")
    for item in response.results:
        print(f"{item.position:>4}  {_safe(item.size_label):>13}  {_safe(item.domain or '-')}")
        print(f"      {_safe(item.display_title)}")
        print(f"      page:  {_safe(redact(item.source or '-'))}")
        print(f"      image: {_safe(redact(item.image_url or '(no image address)'))}")


async def _run_search(args: argparse.Namespace) -> int:
    from .core.sweep import parse_markets

    markets = parse_markets(args.mkt or [])
    request = SearchRequest.create(
        args.image_url,
        crop=parse_crop(args.crop) if args.crop else None,
        mkt=markets[0] if len(markets) == 1 else None,
        count=args.count,
    )
    api_base = resolve_api_base(args.api_base)
    key = await CredentialStore().aload()
    if not key:
        raise KeyStorageError(
            f"No API key found. Set {API_KEY_ENV}, or save a key in the app (File \u203a Settings)."
        )
    if args.originals and not args.case:
        raise ValidationError("--originals goes with --case (the copies are kept in a case file)")
    if args.case and is_read_only(args.case):  # before a search credit is spent
        raise BingrevError(f"The case file {args.case} is read-only, so the search was not "
                           "run. Make it writable, or choose another file.")
    case = None
    if args.case:  # read (or refuse) the case before a search credit is spent
        from .core.casekeeper import open_or_new

        case = await asyncio.to_thread(open_or_new, args.case)
    async with SearchService(api_base, key, deadline=args.timeout,
                             proxy=proxy_from_environment()) as service:
        if len(markets) > 1:
            from .cli_sweep import run_sweep as sweep_markets

            return await sweep_markets(service, request, markets, args, case)
        outcome = await service.client.search(request)
        if not args.json:
            print_outcome(outcome, False)  # shown even if keeping it fails below
        copies: dict[str, Any] | None = None
        summary = ""
        try:
            if case is not None:
                from .core.casekeeper import add_search_to_case
                from .core.export_copies import json_fields
                from .ui.results.imaging import fingerprint_bytes

                summary = await add_search_to_case(
                    service, outcome, args.case, case=case, originals=args.originals,
                    progress=progress_printer("Keeping pictures"),
                    fingerprint=fingerprint_bytes)
                if args.json and not args.no_copies:
                    copies = json_fields(case, case.searches[-1])
            elif args.json and not args.no_copies:  # grouped in memory, as the window does
                copies = await _copies_json(service, outcome)
        finally:
            if args.json:  # the answer was paid for: printed whatever happened after it
                print_outcome(outcome, True, copies)
        if summary:
            print(summary, file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK


async def _copies_json(service: SearchService, outcome: SearchOutcome) -> dict[str, Any]:
    """Copy groups of one answer: its pictures kept in a case that lives in memory."""
    from .core.casekeeper import keep_search
    from .core.export_copies import json_fields
    from .ui.results.imaging import fingerprint_bytes  # Qt decodes; no window is made

    case = Case()
    try:
        record = await keep_search(service, outcome, case,
                                   progress=progress_printer("Grouping copies"),
                                   fingerprint=fingerprint_bytes)
        return json_fields(case, record)
    finally:
        case.blobs.close()


def run_search(argv: Sequence[str]) -> int:
    return _run(_run_search(search_parser().parse_args(argv)))


def check_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bingrev-desktop check",
                description="Visit every result page and image of a case again and record "
                "which are still there, gone or changed. This contacts the sites that host "
                "them; running it is your consent.")
    p.add_argument("case_file", help="a .bingrev case file (the check is saved into it)")
    p.add_argument("--api-base", help="API address the case's searches used (advanced)")
    return p


async def _run_check(args: argparse.Namespace) -> int:
    from .core.casekeeper import check_case

    api_base = resolve_api_base(args.api_base)
    async with SearchService(api_base, None, proxy=proxy_from_environment()) as service:
        print(await check_case(service, args.case_file,
                               progress=progress_printer("Checking links")))
    return EXIT_OK


def _run(coro: Coroutine[Any, Any, int]) -> int:
    """Run a command; every failure becomes one plain line on stderr."""
    try:
        return asyncio.run(coro)
    except ValidationError as exc:
        print(f"bingrev-desktop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BingrevError as exc:
        status = f" [HTTP {exc.detail.status}]" if exc.detail.status else ""
        print(f"bingrev-desktop: {redact(str(exc))}{status}", file=sys.stderr)
        return EXIT_FAILED
    except (OSError, sqlite3.Error) as exc:  # a full disk is a sqlite3 error
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"bingrev-desktop: could not write the file: {reason}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("bingrev-desktop: cancelled", file=sys.stderr)
        return EXIT_INTERRUPTED


def run_check(argv: Sequence[str]) -> int:
    return _run(_run_check(check_parser().parse_args(argv)))


def run_rerun(argv: Sequence[str]) -> int:
    from .cli_sweep import rerun_parser
    from .cli_sweep import run_rerun as rerun_case

    args = rerun_parser(_Parser).parse_args(argv)

    async def go() -> int:
        key = await CredentialStore().aload()
        if not key:
            raise KeyStorageError(f"No API key found. Set {API_KEY_ENV}, or save a key in "
                                  "the app (File \u203a Settings).")
        return await rerun_case(args, resolve_api_base(args.api_base), key,
                                proxy_from_environment())

    return _run(go())


def _register_known_key() -> None:
    """An export needs no key, but must be scrubbed of it (a service may have echoed it
    into result addresses): load it so redaction knows it."""
    with contextlib.suppress(BingrevError, KeyStorageError, TimeoutError, OSError):
        asyncio.run(asyncio.wait_for(CredentialStore().aload(), 10))


def export_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bingrev-desktop export",
                description="Export a case file for people without the app.")
    p.add_argument("case_file", help="a .bingrev case file")
    p.add_argument("--html", help="write a self-contained report for any web browser")
    p.add_argument("--csv", help="write the results as a spreadsheet (CSV)")
    p.add_argument("--json", help="write everything as JSON data")
    return p


def run_export(argv: Sequence[str]) -> int:

    from .core.casefile import load_case
    from .core.export import csv_report, html_report, json_report
    from .core.files import atomic_write

    parser = export_parser()
    args = parser.parse_args(argv)
    _register_known_key()
    targets = [(args.html, html_report), (args.csv, csv_report), (args.json, json_report)]
    if not any(path for path, _ in targets):
        parser.error("choose at least one of --html, --csv, --json")
    try:
        case = load_case(args.case_file)
        _fingerprint_case(case)  # a case saved before copy groups gets them here
        for path, render in targets:
            if path:
                atomic_write(path, render(case))
                print(f"wrote {path}")
    except BingrevError as exc:
        print(f"bingrev-desktop: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        print(f"bingrev-desktop: could not write the export: {exc.strerror or exc}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _fingerprint_case(case: Case) -> None:
    from .core.case_copies import fingerprint_missing
    from .ui.results.imaging import fingerprint_bytes

    for record in case.searches:
        fingerprint_missing(case, record, fingerprint_bytes)
