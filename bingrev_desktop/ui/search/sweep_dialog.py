"""Choose the markets of a sweep: a checklist grouped by region, presets, a filter,
and what it will cost before anything runs."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QTreeWidgetItemIterator,
    QVBoxLayout,
    QWidget,
)

from ...core.markets import find_market
from ...core.sweep import CONFIRM_ABOVE, REGIONS, estimate
from ..common.accessibility import name_clear_button
from ..common.message_banner import plain_label

CodeRole = Qt.ItemDataRole.UserRole + 1


class SweepDialog(QDialog):
    """Emits ``chosen(markets)`` when the user runs the sweep (after confirming a big
    one); the caller runs it."""

    chosen = Signal(list)

    def __init__(self, remembered: list[str], credits_per_search: float | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Search in several countries")
        self.setMinimumSize(460, 560)
        self._credits = credits_per_search
        self._confirming = False
        layout = QVBoxLayout(self)
        layout.addWidget(plain_label(
            "Bing shows different results in different countries: a picture can circulate "
            "in one country and be invisible from another. Choose the countries (Bing "
            "markets) to search; each one is a search of its own."))
        presets = QGridLayout()  # two rows: nothing is clipped at the dialog's width
        for column, name in enumerate(("All", "None")):
            presets.addWidget(self._preset_button(name), 0, column * 2, 1, 2)
        for column, name in enumerate(REGIONS):
            presets.addWidget(self._preset_button(name), 1, column)
        layout.addLayout(presets)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Type to find a country or language")
        self.filter_edit.setAccessibleName("Find a country")
        name_clear_button(self.filter_edit, "Clear")
        self.filter_edit.textChanged.connect(self._filter)
        layout.addWidget(self.filter_edit)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setAccessibleName("Countries to search")
        for region, codes in REGIONS.items():
            parent_item = QTreeWidgetItem(self.tree, [region])
            parent_item.setFlags(parent_item.flags() | Qt.ItemFlag.ItemIsAutoTristate
                                 | Qt.ItemFlag.ItemIsUserCheckable)
            for code in codes:
                market = find_market(code)
                label = market.label if market else code
                child = QTreeWidgetItem(parent_item, [label])
                child.setData(0, CodeRole, code)
                child.setToolTip(0, market.native if market else code)
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(0, Qt.CheckState.Checked if code in remembered
                                    else Qt.CheckState.Unchecked)
            parent_item.setExpanded(True)
        self.tree.itemChanged.connect(lambda *_: self._update_cost())
        layout.addWidget(self.tree, 1)
        self.cost = plain_label("")
        self.cost.setObjectName("sweepCost")
        layout.addWidget(self.cost)
        self.confirm_note = plain_label("")
        self.confirm_note.setObjectName("fieldError")
        self.confirm_note.hide()
        layout.addWidget(self.confirm_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.run_button = buttons.addButton("Search these countries",
                                            QDialogButtonBox.ButtonRole.AcceptRole)
        self.run_button.setToolTip("Run one search per ticked country")
        buttons.accepted.connect(self._run)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._update_cost()

    def _preset_button(self, name: str) -> QPushButton:
        label = {"All": "All countries", "None": "No country",
                 "Middle East and Africa": "Middle East, Africa"}.get(name, name)
        button = QPushButton(label)
        button.setToolTip("Tick no country" if name == "None" else
                          f"Tick every country{'' if name == 'All' else ' in ' + name}")
        button.clicked.connect(lambda _=False: self.apply_preset(name))
        return button

    # -- choice -------------------------------------------------------------------------
    def _market_items(self) -> list[QTreeWidgetItem]:
        found = []
        it = QTreeWidgetItemIterator(self.tree)
        while it.value() is not None:
            item = it.value()
            if item.data(0, CodeRole):
                found.append(item)
            it += 1
        return found

    def markets(self) -> list[str]:
        return [str(i.data(0, CodeRole)) for i in self._market_items()
                if i.checkState(0) == Qt.CheckState.Checked]

    def apply_preset(self, name: str) -> None:
        wanted = {m for codes in REGIONS.values() for m in codes} if name == "All" else (
            set(REGIONS.get(name, ())))
        self.tree.blockSignals(True)
        for item in self._market_items():
            code = str(item.data(0, CodeRole))
            checked = code in wanted if name != "None" else False
            item.setCheckState(0, Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._update_cost()

    def _filter(self, text: str) -> None:
        needle = text.strip().casefold()
        for item in self._market_items():
            market = find_market(str(item.data(0, CodeRole)))
            haystack = market.search_text if market else item.text(0).casefold()
            item.setHidden(bool(needle) and needle not in haystack)

    def _update_cost(self) -> None:
        markets = self.markets()
        self._confirming = False
        self.confirm_note.hide()
        self.run_button.setText("Search these countries")
        self.run_button.setEnabled(len(markets) >= 1)
        cost = estimate(markets, self._credits).text()
        self.cost.setText(f"{len(markets)} countries ticked: {cost} from your xcrawl plan."
                          if markets else "Tick at least one country.")

    def _run(self) -> None:
        markets = self.markets()
        if not markets:
            return
        if len(markets) > CONFIRM_ABOVE and not self._confirming:
            # A second press confirms: the cost is stated right above the button.
            self._confirming = True
            self.confirm_note.setText(f"This runs {estimate(markets, self._credits).text()}. "
                                      "Press the button again to go ahead.")
            self.confirm_note.show()
            self.run_button.setText(f"Yes, run {len(markets)} searches")
            return
        self.chosen.emit(markets)
        self.accept()
