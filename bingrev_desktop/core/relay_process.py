"""The address relay (:mod:`core.pin_relay`) in a process of its own.

The relay is Python: every SOCKS handshake and every chunk of every picture passes
through it. In the window's process, its thread took the GIL from the GUI thread
each time the GUI thread let go of it for a Qt call, up to a 5 ms switch interval a
time, so the window stalled while a grid filled. In a child process it runs on the
other core and shares no lock with the window.

The child is spawned (never forked: a forked copy of a Qt process is not safe) and
given the policies, the resolver and the token through its start-up pipe, never on
its command line. It ends when the app closes its control pipe, or when the app
dies and the pipe closes with it. Refusals come back over a second pipe, read
without blocking when a fetch failed and the fetcher asks why.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import secrets
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .pin_relay import PinRelay, Resolver, system_resolve
from .pinning import AddressPolicy

log = logging.getLogger("bingrev_desktop.relay_process")

START_DEADLINE = 20.0  # a cold interpreter on a loaded 2-core machine
MAX_REASONS = 1000


def _child(control: Connection, events: Connection,
           policies: dict[str, AddressPolicy | None], resolve: Resolver, token: str) -> None:
    """The child's whole life: relay until the control pipe closes."""
    lock = threading.Lock()

    def tell(message: tuple[str, str, str]) -> None:
        with lock, contextlib.suppress(OSError):  # the app is gone: nobody to tell
            events.send(message)

    relay = PinRelay(policies, resolve=resolve, token=token,
                     on_refused=lambda host, why: tell(("refused", host, why)))
    try:
        relay.start()
    except OSError as exc:  # no loopback (a sandbox without network)
        tell(("failed", "", repr(exc)))
        return
    tell(("port", str(relay.port), ""))
    with contextlib.suppress(EOFError, OSError):
        control.recv()  # nothing is ever sent: this returns when the app lets go
    relay.close()


class RelayProcess:
    """The same face as :class:`PinRelay` (``start``, ``port``, ``token``,
    ``refused``, ``close``); ``start`` blocks until the child listens, so call it in a
    worker thread."""

    def __init__(self, policies: dict[str, AddressPolicy | None], *,
                 resolve: Resolver = system_resolve) -> None:
        self._policies = dict(policies)
        self._resolve = resolve
        self.token = secrets.token_urlsafe(24)
        self.port = 0
        self._process: BaseProcess | None = None
        self._control: Connection | None = None
        self._events: Connection | None = None
        self._refused: dict[str, str] = {}
        self._lock = threading.Lock()
        self._closed = False

    def start(self) -> None:
        with self._lock:
            if self._process is not None or self._closed:
                return
            context = multiprocessing.get_context("spawn")
            control_end, control = context.Pipe(duplex=False)
            events, events_end = context.Pipe(duplex=False)
            process = context.Process(
                target=_child, name="bingrev-relay", daemon=True,
                args=(control_end, events_end, self._policies, self._resolve, self.token))
            process.start()
            control_end.close()  # the child holds these now: its death closes them
            events_end.close()
            self._process, self._control, self._events = process, control, events
            try:
                if not events.poll(START_DEADLINE):
                    raise OSError("the address relay did not start in time")
                kind, value, why = events.recv()
            except (EOFError, OSError) as exc:
                self._stop()
                raise OSError(f"the address relay did not start: {exc!r}") from None
            if kind != "port":
                self._stop()
                raise OSError(f"the address relay could not listen: {why}")
            self.port = int(value)

    @property
    def process(self) -> BaseProcess | None:
        """The child, once started (tests look at its life)."""
        return self._process

    def refused(self, host: str) -> str | None:
        """Why the relay last refused ``host`` (the address policy), if it did."""
        with self._lock:
            self._read_events()
            return self._refused.get(host.strip("[]").casefold())

    def _read_events(self) -> None:
        events = self._events
        if events is None:
            return
        with contextlib.suppress(EOFError, OSError, ValueError):
            while events.poll(0):  # each refusal is told before its SOCKS answer
                kind, host, why = events.recv()
                if kind == "refused":
                    if len(self._refused) > MAX_REASONS:
                        self._refused.clear()
                    self._refused[host] = why

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._stop()

    def _stop(self) -> None:
        """Let go of the control pipe: the child closes its relay and ends by itself
        (not waited for here, on the GUI thread; multiprocessing reaps it)."""
        for end in (self._control, self._events):
            if end is not None:
                end.close()
        self._control = self._events = None
