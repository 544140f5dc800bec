"""Calls put off to later turns of the event loop: one per turn, the latest
arguments winning.

When a search's results arrive, the window has more to do than fits in one frame:
take the results, paint the grid's new tiles, show the searched image's facts,
redraw the history. Done in one turn, that was 25-30 ms in which no input or timer
was served. Each step now takes a turn of its own, the grid's first, and a redraw
asked for twice before its turn comes is done once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QTimer

# Not 0: a zero timer fires in the same pass of Qt's timers as the work that started
# it, before the window's paint, so the two would still share one turn. 2 ms was still
# due in the pass that painted: the paint and the next call made one long frame (a
# case opening: 17-24 ms). At 6 ms the paint has a pass of its own, and input and
# other timers are served between the two.
NEXT_TURN_MS = 6
# What goes first: the grid's first screen, then the background fill of its other
# pictures, then the panels beside it.
GRID, FILL, PANELS = 0, 1, 2


class _TurnQueue(QObject):
    """Runs one waiting call per pass of Qt's timers, lowest ``order`` first."""

    def __init__(self) -> None:
        super().__init__(QCoreApplication.instance())  # ends with the application
        self._waiting: list[NextTurn] = []
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NEXT_TURN_MS)
        self._timer.timeout.connect(self.run_one)

    def add(self, call: NextTurn) -> None:
        # Asked again: it moves behind what was asked since, as a fresh request would
        # (a second search's changes then still come before its paint).
        idle = not self._waiting  # before the remove: a call asked again is not idle
        self.remove(call)
        self._waiting.append(call)
        self._waiting.sort(key=lambda c: c.order)  # stable: first come, first served
        # The first call after a quiet spell waits a whole NEXT_TURN_MS, even if the
        # timer still runs for a call flushed meanwhile: the paint goes first.
        if idle or not self._timer.isActive():
            self._timer.start()

    def remove(self, call: NextTurn) -> None:
        if call in self._waiting:
            self._waiting.remove(call)

    @property
    def waiting(self) -> bool:
        return bool(self._waiting)

    def run_one(self) -> None:
        try:
            if self._waiting:
                call = self._waiting.pop(0)
                if shiboken6.isValid(call):  # not deleted with its widget meanwhile
                    call.flush()
        finally:  # a call that failed must not hold back the rest (the grid's paint)
            if self._waiting:  # restarted while firing: it runs again in the next pass
                self._timer.start()


_queue: _TurnQueue | None = None


def _turns() -> _TurnQueue:
    global _queue
    if _queue is None or not shiboken6.isValid(_queue):
        _queue = _TurnQueue()
    return _queue


class NextTurn(QObject):
    """``later = NextTurn(draw, parent)``; ``later(args)`` draws in a later turn;
    ``later.flush()`` draws a pending call now."""

    def __init__(self, call: Callable[..., None], parent: QObject, *,
                 order: int = PANELS) -> None:
        super().__init__(parent)
        self.order = order
        self._call = call
        self._args: tuple[Any, ...] | None = None
        self._kwargs: dict[str, Any] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self._args, self._kwargs = args, kwargs
        _turns().add(self)

    @property
    def pending(self) -> bool:
        return self._args is not None

    def flush(self) -> None:
        """Make the pending call now (nothing if there is none)."""
        _turns().remove(self)
        args, kwargs = self._args, self._kwargs
        self._args, self._kwargs = None, {}
        if args is not None:
            self._call(*args, **kwargs)


def settle() -> None:
    """Make every waiting call now, in their order (tests, screenshots)."""
    queue = _queue
    while queue is not None and shiboken6.isValid(queue) and queue.waiting:
        queue.run_one()


def pending() -> bool:
    """Whether calls wait for their turn (tests wait until none does)."""
    queue = _queue
    return queue is not None and shiboken6.isValid(queue) and queue.waiting
