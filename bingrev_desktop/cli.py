"""Command line: bingrev-desktop opens the window; subcommands run without one.

    bingrev-desktop [--demo] [--api-base URL] [CASE.bingrev]
    bingrev-desktop search IMAGE_URL [--mkt M ...|--mkt all|--mkt REGION] [--crop L,T,R,B]
                                     [--count N] [--json] [--case CASE [--originals]]
    bingrev-desktop rerun CASE.bingrev [--search N | --all]
    bingrev-desktop check CASE.bingrev
    bingrev-desktop export CASE.bingrev [--html OUT] [--csv OUT] [--json OUT]
    bingrev-desktop demo [--port N]

Every failure ends with one plain line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from . import __version__
from .cli_parser import EXIT_FAILED, EXIT_USAGE
from .cli_parser import OneLineParser as _Parser
from .core.request import ValidationError
from .core.settings import resolve_api_base


def gui_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="bingrev-desktop", description=__doc__,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("case_file", nargs="?", help="a .bingrev case file to open")
    p.add_argument("--demo", action="store_true",
                   help="try the app with built-in sample data (no key or network needed)")
    p.add_argument("--api-base", help="API address (advanced)")
    p.add_argument("--version", action="version", version=f"bingrev-desktop {__version__}")
    p.add_argument("--verbose", action="store_true", help="more detail in the log file")
    p.add_argument("--self-check", action="store_true",
                   help="check that this installation works, print a report and exit")
    return p


def no_display() -> bool:
    """On Linux/BSD without X11 or Wayland Qt would abort; say so plainly instead."""
    if not sys.platform.startswith(("linux", "freebsd", "openbsd")):
        return False
    if os.environ.get("QT_QPA_PLATFORM", "").split(":")[0] in ("offscreen", "minimal", "vnc"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):  # a bundle starting its parsing worker
        import multiprocessing  # (not before the window otherwise: it loads sockets, pickle)

        multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("QT_API", "pyside6")  # qasync must pick PySide6
    if "--self-check" in argv:
        from .selfcheck import run_self_check

        return run_self_check()
    if argv and argv[0] in ("search", "check", "rerun", "export"):
        from . import cli_commands  # the network stack loads only for these

        run = {"search": cli_commands.run_search, "check": cli_commands.run_check,
               "rerun": cli_commands.run_rerun, "export": cli_commands.run_export}[argv[0]]
        return run(argv[1:])
    if argv and argv[0] == "demo":
        from .demo.__main__ import main as demo_main

        return demo_main(argv[1:])
    args = gui_parser().parse_args(argv)
    try:
        resolve_api_base(args.api_base)  # also checks $BINGREV_API_BASE
    except ValidationError as exc:
        print(f"bingrev-desktop: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if no_display():
        print("bingrev-desktop: there is no screen to show the window on (no DISPLAY or "
              "WAYLAND_DISPLAY). To search without a window, use: bingrev-desktop search "
              "IMAGE_URL", file=sys.stderr)
        return EXIT_FAILED
    from .ui.shell.app import run_app  # Qt is imported only when a window is wanted

    return run_app(args)
