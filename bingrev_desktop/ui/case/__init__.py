"""The open case: the session and autosave, its pictures, its history, the File menu's
work, and evidence (full-size copies, link checks).
"""
