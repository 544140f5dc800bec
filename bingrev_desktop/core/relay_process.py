"""The address relay (:mod:`core.pin_relay`) in a process of its own.

The relay is Python: every SOCKS handshake and every chunk of every picture passes
through it. In the window's process, its thread took the GIL from the GUI thread
each time the GUI thread let go of it for a Qt call, up to a 5 ms switch interval a
time, so the window stalled while a grid filled. In a child process it runs on the
other core and shares no lock with the window.

The child is spawned (never forked: a forked copy of a Qt process is not safe) and
given the policies, the resolver and the token through its start-up pipe, never on
its command line. It ends when the app closes its control pipe, or when the app
dies and the pipe closes with it. Refusals (and a refused name passing later) come
back over a second pipe, read without blocking as fetches start and when one fails.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import secrets
import select
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from .pin_relay import MAX_REFUSALS, PinRelay, Resolver, system_resolve
from .pinning import AddressPolicy

log = logging.getLogger("bingrev_desktop.relay_process")

START_DEADLINE = 20.0  # a cold interpreter on a loaded 2-core machine


def _child(control: Connection, events: Connection,
           policies: dict[str, AddressPolicy | None], resolve: Resolver, token: str) -> None:
    """The child's whole life: relay until the control pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the app's to handle
    lock = threading.Lock()

    def tell(message: tuple[str, str, str]) -> None:
        with lock, contextlib.suppress(OSError):  # the app is gone: nobody to tell
            events.send(message)

    relay = PinRelay(policies, resolve=resolve, token=token,
                     on_refused=lambda host, why: tell(
                         ("refused", host, why) if why else ("allowed", host, "")))
    try:
        relay.start()
    except OSError as exc:  # no loopback (a sandbox without network)
        tell(("failed", "", repr(exc)))
        return
    tell(("port", str(relay.port), ""))
    with contextlib.suppress(EOFError, OSError):
        control.recv()  # nothing is ever sent: this returns when the app lets go
    relay.close()


def _readable(events: Connection) -> Callable[[], bool]:
    """A cheap "has the child said something?": Connection.poll(0) builds a selector
    at each call (0.1 ms, and this runs as every thumbnail starts). select.poll is
    not on Windows, which keeps Connection.poll."""
    poll = getattr(select, "poll", None)
    if poll is None:
        return lambda: events.poll(0)
    poller = poll()
    poller.register(events.fileno(), select.POLLIN)
    return lambda: bool(poller.poll(0))


class RelayProcess:
    """The same face as :class:`PinRelay` (``start``, ``port``, ``token``,
    ``refused``, ``close``); ``start`` blocks until the child listens, so call it in a
    worker thread. ``alive`` says whether the child still runs."""

    def __init__(self, policies: dict[str, AddressPolicy | None], *,
                 resolve: Resolver = system_resolve) -> None:
        self._policies = dict(policies)
        self._resolve = resolve
        self.token = secrets.token_urlsafe(24)
        self.port = 0
        self._process: BaseProcess | None = None
        self._control: Connection | None = None
        self._events: Connection | None = None
        self._readable: Callable[[], bool] | None = None  # the child said something
        self._refused: dict[str, str] = {}
        self._lock = threading.Lock()  # held briefly: never while the child starts
        self._starting = False
        self._closed = False

    def start(self) -> None:
        with self._lock:
            if self._process is not None or self._closed or self._starting:
                return
            self._starting = True
        try:
            self._start()
        finally:
            with self._lock:
                self._starting = False

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        control_end, control = context.Pipe(duplex=False)
        events, events_end = context.Pipe(duplex=False)
        process = context.Process(
            target=_child, name="bingrev-relay", daemon=True,
            args=(control_end, events_end, self._policies, self._resolve, self.token))
        try:
            process.start()
        except Exception as exc:  # cannot spawn, or a policy that cannot be sent
            for end in (control_end, control, events, events_end):
                end.close()
            raise OSError(f"the address relay could not start: {exc!r}") from None
        control_end.close()  # the child holds these now: its death closes them
        events_end.close()
        with self._lock:
            self._process = process
            if not self._closed:  # else the pipes close below and the child ends
                self._control, self._events = control, events
                self._readable = _readable(events)
        if self._control is not control:
            control.close()
            events.close()
            raise OSError("the address relay was closed")
        try:
            # Waited for without the lock: close() (the GUI thread, on quit) never waits
            # for a child that is still starting.
            if not events.poll(START_DEADLINE):
                raise OSError("the address relay did not start in time")
            kind, value, why = events.recv()
        except (EOFError, OSError, ValueError) as exc:
            self.close()
            raise OSError(f"the address relay did not start: {exc!r}") from None
        if kind != "port":
            self.close()
            raise OSError(f"the address relay could not listen: {why}")
        with self._lock:
            if self._closed:  # closed while it started
                raise OSError("the address relay was closed")
            self.port = int(value)

    @property
    def process(self) -> BaseProcess | None:
        """The child, once started (tests look at its life)."""
        return self._process

    @property
    def alive(self) -> bool:
        process = self._process
        return process is not None and process.is_alive() and not self._closed

    def refused(self, host: str) -> str | None:
        """Why the relay last refused ``host`` (the address policy), if it still does."""
        with self._lock:
            self._read_events()
            return self._refused.get(host.strip("[]").casefold())

    def drain(self) -> None:
        """Take what the child said so far (a fetch starting calls this, so refusals
        of loads nobody asks about never fill the pipe and block the child)."""
        with self._lock:
            self._read_events()

    def _read_events(self) -> None:
        events, readable = self._events, self._readable
        if events is None or readable is None:
            return
        with contextlib.suppress(EOFError, OSError, ValueError):
            while readable():  # each refusal is told before its SOCKS answer
                kind, host, why = events.recv()
                if kind == "refused":
                    if len(self._refused) > MAX_REFUSALS:
                        self._refused.clear()
                    self._refused[host] = why
                    log.info("refused a connection to %s: not a public address", host)
                elif kind == "allowed":
                    self._refused.pop(host, None)

    def close(self) -> None:
        """Let go of the pipes: the child closes its relay and ends by itself (not
        waited for here, on the GUI thread; multiprocessing reaps it)."""
        with self._lock:
            self._closed = True
            ends, self._control, self._events = (self._control, self._events), None, None
            self._readable = None
        for end in ends:
            if end is not None:
                end.close()
