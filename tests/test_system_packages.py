"""`make test` names missing system packages in one line when it cannot install them."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "ensure-system-packages"


def run_as_non_root(*packages: str, **environment: str) -> subprocess.CompletedProcess[str]:
    # The script is fed on stdin so the unprivileged user needs no access to the checkout.
    command = ["bash", "-s", "--", *packages]
    if os.geteuid() == 0:
        command = ["runuser", "-u", "nobody", "--", *command]
    return subprocess.run(
        command,
        input=SCRIPT.read_text(),
        cwd="/",
        env={
            "PATH": os.environ["PATH"],
            "PYTHON": "true",  # `true` stands in for a Python with venv
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_non_root_user_is_told_exactly_what_to_install():
    result = run_as_non_root("bash", "no-such-package-for-tracker", "another-missing-package")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "make test needs these system packages: "
        "sudo apt-get install no-such-package-for-tracker another-missing-package"
    ]


def test_make_run_names_itself_when_the_pdf_libraries_are_missing():
    result = run_as_non_root("no-such-pango-for-tracker", NEEDED_BY="make run")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "make run needs these system packages: sudo apt-get install no-such-pango-for-tracker"
    )


def test_nothing_to_do_when_packages_are_installed():
    result = run_as_non_root("bash", "coreutils")
    assert result.returncode == 0
    assert result.stdout == result.stderr == ""
