"""Run the demo engine in the foreground: ``python -m bingrev_desktop.demo``."""

from __future__ import annotations

import argparse
import logging
import threading

from .faults import KINDS, Fault
from .server import DEMO_API_KEY, DemoEngine


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bingrev_desktop.demo",
        description="Offline stand-in for the xcrawl bing_reverse_image API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default: 127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=8765, help="port, 0 for any free one (default: 8765)"
    )
    parser.add_argument(
        "--key", default=DEMO_API_KEY, help=f"accepted API key (default: {DEMO_API_KEY})"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds to wait before each search answer"
    )
    parser.add_argument(
        "--fault", choices=KINDS, action="append", default=[], help="arm a fault (repeatable)"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every request")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(message)s")
    engine = DemoEngine(api_key=args.key, host=args.host, port=args.port, latency=args.latency)
    try:
        engine.start()
    except OSError as exc:
        print(f"Cannot start the demo engine on {args.host}:{args.port}: {exc}")
        return 1
    for kind in args.fault:
        engine.set_fault(Fault(kind))
    sample = engine.query_image_url("lighthouse")
    print(
        f"Demo engine on {engine.base_url} (key: {args.key}). Try: curl -X POST {engine.serp_url} "
        f"-H 'Authorization: Bearer {args.key}' -H 'Content-Type: application/json' "
        f"""-d '{{"engine":"bing_reverse_image","image_url":"{sample}","count":"5"}}'""",
        flush=True,
    )
    try:
        threading.Event().wait()  # serve until Ctrl+C
    except KeyboardInterrupt:
        print("Stopping demo engine.", flush=True)
    finally:
        engine.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
