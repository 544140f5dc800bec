"""Help › Getting started: the whole workflow in plain words, one screen."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from ..common.message_banner import plain_label

STEPS = """\
1. Get the image in. Drag a picture from a web page onto the window, or copy its \
address (right-click the picture › Copy image address) and press Ctrl+V.

2. Optionally, search only part of it. Drag a rectangle over the part that matters \
(a face, a logo). Drag inside it to move it, its corners to resize it; Esc clears it.

3. Choose where and how many. The market is the country and language Bing searches \
in. More results take no longer to arrive.

4. Press Search (Ctrl+Enter). A search usually takes 10 to 30 seconds; Cancel stops it.

5. Look at the results. Click one for its details, double-click to open the page that \
uses it, right-click for more. "Largest" marks the biggest copy, often the original. \
Star the important ones and add notes. "Search with this image" follows a result.

6. Keep the case. Every search stays in the Case history tab. File › Save case keeps \
it all in one file that opens later without a network; File › Export makes a report \
for people who do not have the app.

Photos on your own computer cannot be searched: Bing searches from a web address, \
and the search service downloads the picture from the web itself. This app never \
uploads your files. If the picture is already on a public web page, right-click it \
there, choose "Copy image address" and paste that. Putting a private photo online to \
search it would make it public: ask your IT or legal contact first.
"""


class GettingStartedDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting started")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        text = plain_label(STEPS)
        layout.addWidget(text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
