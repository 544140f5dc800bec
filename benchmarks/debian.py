"""Programs the benchmarks use as peers or stand-in servers, from Debian's packages."""

from __future__ import annotations

import os
import shutil
import subprocess


def program(names: tuple[str, ...], package: str, why: str) -> str | None:
    """The first of ``names`` on PATH; installed with apt-get (Debian, Ubuntu) when
    none is there. None when it cannot be had."""
    def found() -> str | None:
        return next((path for name in names if (path := shutil.which(name))), None)

    if found() or not shutil.which("apt-get"):
        return found()
    print(f"Installing {package} ({why})…", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], env=env, check=False)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends",
                    package], env=env, check=False)
    return found()
