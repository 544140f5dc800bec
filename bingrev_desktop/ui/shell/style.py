"""A light touch of styling on top of the platform style (object names set in the views)."""

STYLE_SHEET = """
QLabel#stepHeading { font-weight: bold; font-size: 11pt; }
QGroupBox { font-weight: bold; margin-top: 10px; }
QGroupBox::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }
QGroupBox QLabel, QGroupBox QCheckBox, QGroupBox QPushButton { font-weight: normal; }
QLabel#hint { color: palette(placeholder-text); font-weight: normal; }
QLabel#fieldError { color: #b3261e; font-weight: normal; }
QLabel#imageInfo { color: palette(placeholder-text); }
QLabel#emptyState { color: palette(placeholder-text); font-size: 12pt; padding: 40px; }
QLabel#demoBanner { background: #fff4d6; color: #5c4300; border: 1px solid #e0b84a;
                    border-radius: 6px; padding: 6px 10px; }
QLabel#staleNotice { background: #eef3fc; color: #1f3b6b; border: 1px solid #b7c9ec;
                     border-radius: 6px; padding: 4px 8px; }
QPushButton#primaryButton { background: #0b57d0; color: white; border: none;
                            border-radius: 5px; padding: 8px 16px; font-weight: bold; }
QPushButton#primaryButton:hover { background: #0a4cb8; }
QPushButton#primaryButton:disabled { background: #9bb4dc; }
"""
