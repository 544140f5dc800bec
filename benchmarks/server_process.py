"""The stand-in servers in a process of their own, as real servers are.

Served from the benchmark's own process, the demo engine and the HTTP/2 host ran
their Python in threads that took the GIL from the app being measured, and were
slowed by it in turn, while the browser peer, measured when the app sat idle, had
them to itself. Here they run in a child process (spawned: the parent has Qt), and
the benchmark drives them through a pipe with the same calls as a ``DemoEngine``.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
from pathlib import Path
from typing import Any


def _serve(conn: multiprocessing.connection.Connection, latency: float, folder: str,
           h2: bool, nice: int) -> None:
    import contextlib
    import os

    from bingrev_desktop.demo import DemoEngine

    if nice:
        os.nice(nice)

    with contextlib.ExitStack() as stack:
        engine = stack.enter_context(DemoEngine())
        engine.set_image_latency(latency)
        host: Any = None
        if h2:
            from benchmarks.h2_host import H2ImageHost, NodeH2Host, node_program

            # Node.js unless asked for hypercorn (or Node cannot be had): see h2_host.
            kind = os.environ.get("BINGREV_BENCH_H2_HOST", "node")
            host_class = NodeH2Host if kind == "node" and node_program() else H2ImageHost
            host = stack.enter_context(host_class(engine, latency, Path(folder)))
        conn.send({"base_url": engine.base_url,
                   "h2_base_url": host.base_url if host else "",
                   "h2_host": host.label if host else "",
                   "cert_file": str(host.cert_file) if host else ""})
        while True:
            try:
                name, args = conn.recv()
            except EOFError:
                return
            if name == "stop":
                conn.send(None)
                return
            try:
                if name == "h2_protocols":
                    result: Any = sorted(host.protocols)
                else:
                    result = getattr(engine, name)(*args)
                conn.send(("ok", result))
            except Exception as exc:  # reported to the caller, which raises it
                conn.send(("error", repr(exc)))


class ServerProcess:
    """``with ServerProcess(latency, folder) as engine:`` the demo engine (HTTP/1.1)
    and (``h2``) an HTTP/2-over-TLS host of its pictures, each answering after
    ``latency``; ``nice`` lowers their priority (``os.nice``), for benchmarks of the
    app's GUI thread, which a remote host would not take a core from."""

    def __init__(self, latency: float, folder: Path, *, h2: bool = True,
                 nice: int = 0) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(child, latency, str(folder),
                                                             h2, nice), daemon=True)
        self.base_url = self.h2_base_url = self.h2_host = ""
        self.cert_file = Path()

    def __enter__(self) -> ServerProcess:
        self._process.start()
        if not self._conn.poll(60):
            raise RuntimeError("the benchmark's servers did not start")
        ready = self._conn.recv()
        self.base_url, self.h2_base_url = ready["base_url"], ready["h2_base_url"]
        self.h2_host = ready["h2_host"]
        self.cert_file = Path(ready["cert_file"])
        return self

    def __exit__(self, *exc: object) -> None:
        self._conn.send(("stop", ()))
        self._conn.poll(10)
        self._process.join(10)

    def _call(self, name: str, *args: Any) -> Any:
        self._conn.send((name, args))
        status, result = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"{name}{args}: {result}")
        return result

    # The DemoEngine calls the benchmarks use.
    def set_image_latency(self, seconds: float) -> None:
        self._call("set_image_latency", seconds)

    def set_fault(self, fault: Any) -> None:
        self._call("set_fault", fault)

    def set_image_base(self, base_url: str) -> None:
        self._call("set_image_base", base_url)

    def query_image_url(self, name: str) -> str:
        return str(self._call("query_image_url", name))

    def query_image_names(self) -> list[str]:
        return list(self._call("query_image_names"))

    @property
    def h2_protocols(self) -> set[str]:
        return set(self._call("h2_protocols"))
