"""Reads an application's accessibility tree over AT-SPI, as a screen reader does.

Run with Debian's python3 (python3-pyatspi): ``python3 a11y_reader.py APP_NAME``.
Prints the nodes as JSON: role, name, description, whether showing, interactive, a
list item, and the parent's name. Not a test module: the Qt app runs it as a child.
"""

import json
import sys
import time

import pyatspi

INTERACTIVE = {pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_CHECK_BOX, pyatspi.ROLE_TEXT,
               pyatspi.ROLE_ENTRY, pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_COMBO_BOX,
               pyatspi.ROLE_SPIN_BUTTON, pyatspi.ROLE_LIST, pyatspi.ROLE_TABLE,
               pyatspi.ROLE_TREE, pyatspi.ROLE_PAGE_TAB, pyatspi.ROLE_TOGGLE_BUTTON,
               pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_SLIDER, pyatspi.ROLE_TREE_TABLE,
               pyatspi.ROLE_LIST_BOX}
MAX_ITEMS = 60  # the first tiles of a list are enough


def walk(node, depth=0, out=None):
    out = [] if out is None else out
    if node is None or depth > 40:
        return out
    try:
        role = node.getRole()
        states = node.getState()
        out.append({"role": node.getRoleName(), "name": node.name or "",
                    "description": node.description or "",
                    "showing": states.contains(pyatspi.STATE_SHOWING),
                    "interactive": role in INTERACTIVE,
                    "list_item": role == pyatspi.ROLE_LIST_ITEM,
                    "parent": node.parent.name if node.parent is not None else ""})
        count = node.childCount
    except Exception as exc:  # a node that went away while being read
        out.append({"error": repr(exc)})
        return out
    for i in range(min(count, MAX_ITEMS) if role == pyatspi.ROLE_LIST else count):
        walk(node.getChildAtIndex(i), depth + 1, out)
    return out


def find_app(name, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:  # the app registers with AT-SPI asynchronously
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            child = desktop.getChildAtIndex(i)
            if child is not None and child.name == name:
                return child
        time.sleep(0.2)
    return None


if __name__ == "__main__":
    found = find_app(sys.argv[1])
    print(json.dumps(walk(found) if found is not None else None))
