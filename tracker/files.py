"""Writing files so that a failure part-way never leaves a broken one.

Everything goes to a temporary file beside the target and is renamed over it only when it is
complete and on disk: a full disk or a crash leaves the old file as it was and no partial file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replaced_atomically(target: Path) -> Iterator[Path]:
    """A temporary path to write the new file at; renamed onto `target` if the block ends
    without an exception, removed if it raises."""
    target = Path(target)
    descriptor, temporary_name = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(descriptor)
    temporary = Path(temporary_name)
    try:
        yield temporary
        with open(temporary, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(target.parent)


def write_atomically(target: Path, data: bytes) -> None:
    """Write `data` to `target`, all or nothing."""
    with replaced_atomically(target) as temporary, open(temporary, "wb") as handle:
        handle.write(data)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself survive a power cut."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
