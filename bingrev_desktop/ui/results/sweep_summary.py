"""The per-country table of a sweep: results, results only that country found, and
its top sites. Remote strings go in as plain text items."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from ...core.markets import find_market
from ...core.sweep import MarketSummary
from .keys import plain_tooltip


class SweepSummaryView(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 4, parent)
        self.setHorizontalHeaderLabels(["Country", "Results", "Only here", "Top sites"])
        self.setAccessibleName("Results per country")
        self.setToolTip("Per country (Bing market): how many results it found, how many no "
                        "other country found, and the sites that appear most")
        self.verticalHeader().hide()
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)

    def show_summary(self, rows: list[MarketSummary], failed: dict[str, str] | None = None
                     ) -> None:
        failed = failed or {}
        self.clearContents()
        self.setRowCount(len(rows) + len(failed))
        for r, row in enumerate(rows):
            market = find_market(row.market)
            country = QTableWidgetItem(row.market)
            country.setToolTip(market.label if market else row.market)
            self.setItem(r, 0, country)
            self.setItem(r, 1, QTableWidgetItem(str(row.results)))
            self.setItem(r, 2, QTableWidgetItem(str(row.unique)))
            sites = QTableWidgetItem(", ".join(row.top_domains))
            sites.setToolTip(plain_tooltip("\n".join(row.top_domains)))  # remote text
            self.setItem(r, 3, sites)
        for r, (code, reason) in enumerate(failed.items(), len(rows)):
            self.setItem(r, 0, QTableWidgetItem(code))
            item = QTableWidgetItem(f"failed: {reason}")
            self.setItem(r, 3, item)
