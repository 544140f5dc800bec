"""The window's layout: banners on top; the search form, the result grid and the
side tabs side by side in a splitter that never collapses a column."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..common.message_banner import MessageBanner
from ..results.results_panel import ResultsPanel
from ..search.search_panel import SearchPanel

DEMO_TEXT = ("Demo mode: results are sample data made up by the app, not real Bing results. "
             "No API key or internet connection is used. Help \u203a Leave the demo returns "
             "to real searches.")


def demo_notice() -> QLabel:
    """The line that says the results are sample data; shown only in demo mode."""
    notice = QLabel(DEMO_TEXT)
    notice.setTextFormat(Qt.TextFormat.PlainText)
    notice.setObjectName("demoBanner")
    notice.setWordWrap(True)
    notice.hide()
    return notice


def build_central(search_panel: SearchPanel, results_panel: ResultsPanel, side_tabs: QTabWidget,
                  banner: MessageBanner, notice: QLabel) -> QWidget:
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(10, 8, 10, 4)
    layout.addWidget(notice)
    layout.addWidget(banner)
    splitter = QSplitter(Qt.Orientation.Horizontal)
    form = QScrollArea()  # never squeezes the form when a banner takes height
    form.setWidget(search_panel)
    form.setWidgetResizable(True)
    form.setFrameShape(QScrollArea.Shape.NoFrame)
    form.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    left = QWidget()
    left_layout = QVBoxLayout(left)
    left_layout.setContentsMargins(0, 0, 0, 0)
    left_layout.addWidget(form, 1)
    left_layout.addWidget(search_panel.action_area)
    # Wide enough for the form plus a vertical scroll bar: nothing is ever clipped. (Its
    # width from the bar itself: QStyle's enums cost 6 ms to create before the paint.)
    scroll_bar = form.verticalScrollBar().sizeHint().width()
    left.setMinimumWidth(max(340, search_panel.minimumSizeHint().width() + scroll_bar + 6))
    splitter.addWidget(left)
    splitter.addWidget(results_panel)
    splitter.addWidget(side_tabs)
    splitter.setStretchFactor(0, 0)
    splitter.setStretchFactor(1, 1)
    splitter.setStretchFactor(2, 0)
    splitter.setSizes([410, 620, 300])
    splitter.setChildrenCollapsible(False)
    side_tabs.setMinimumWidth(270)
    layout.addWidget(splitter, 1)
    return central
