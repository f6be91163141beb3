"""Progress on long work: a live line with the elapsed time on a terminal, plain log lines
otherwise (a pipe, a file, Airflow, CI). HUB_PROGRESS=0 turns the live line off."""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator


def interactive() -> bool:
    """True when stderr is a terminal and HUB_PROGRESS is not 0."""
    return os.environ.get("HUB_PROGRESS", "1") != "0" and sys.stderr.isatty()


@contextlib.contextmanager
def task(label: str, log: Callable[[str], None]) -> Iterator[None]:
    """`label ...` while the work runs (a spinner with the elapsed seconds on a terminal),
    then `label: done in N s` through `log`; on failure `label: failed after N s`."""
    started = time.monotonic()
    status = None
    if interactive():
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        status = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
            console=Console(stderr=True), transient=True,
        )  # fmt: skip
        status.add_task(label, total=None)
        status.start()
    else:
        log(f"{label} ...")
    try:
        yield
    except BaseException:
        if status:
            status.stop()
        log(f"{label}: failed after {time.monotonic() - started:.1f} s")
        raise
    if status:
        status.stop()
    log(f"{label}: done in {time.monotonic() - started:.1f} s")
