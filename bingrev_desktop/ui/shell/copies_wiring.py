"""Copy groups in the window: the finder feeds the grid, the grid's current result
feeds the details pane, and the pane's button opens or folds a group."""

from __future__ import annotations

from typing import Any

from ..case.copy_finder import CopyFinder


def attach_copies(window: Any) -> CopyFinder:
    """``window`` is the MainWindow (typed loosely: it imports this module)."""
    finder = CopyFinder(window.session, window.images, window.tasks.spawn, window)
    panel, details = window.results_panel, window.details
    finder.copiesChanged.connect(panel.show_copies)
    panel.model.modelReset.connect(finder.refresh)  # new results: their groups again

    def show_current(*_args: object) -> None:
        info, folded = panel.current_copies()
        item = panel.current_item()
        details.show_copies(info, folded=folded, grouped=panel.proxy.grouped,
                            position=item.position if item is not None else None,
                            looking=finder.looking)

    panel.copiesChanged.connect(show_current)
    finder.settled.connect(show_current)
    panel.selectionChanged.connect(show_current)
    details.foldRequested.connect(panel.toggle_group)
    return finder
