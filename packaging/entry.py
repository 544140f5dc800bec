"""PyInstaller entry point: ``bingrev-desktop`` in the frozen bundle.

``--self-check`` is handled here too, so a bundle can always prove itself even
before (or without) the CLI knowing the flag.
"""

from __future__ import annotations

import os
import sys


def _attach_console() -> None:
    """A windowed Windows build has no stdout: borrow the parent console if there is one."""
    if sys.stdout is not None or sys.platform != "win32":
        return
    import ctypes

    if ctypes.windll.kernel32.AttachConsole(-1):  # ATTACH_PARENT_PROCESS
        sys.stdout = open("CONOUT$", "w", encoding="utf-8", errors="replace")  # noqa: SIM115
        sys.stderr = sys.stdout


def main() -> int:
    import multiprocessing

    multiprocessing.freeze_support()  # the answer-parsing worker is this same executable
    os.environ.setdefault("QT_API", "pyside6")
    if "--self-check" in sys.argv[1:]:
        _attach_console()
        from bingrev_desktop.selfcheck import run_self_check

        return run_self_check()
    from bingrev_desktop.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
