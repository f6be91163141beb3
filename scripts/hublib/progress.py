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
def live(label: str) -> Iterator[None]:
    """A transient spinner with the elapsed time on stderr while the work runs (use only
    when `interactive()`); it leaves nothing behind."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:  # fmt: skip
        bar.add_task(label, total=None)
        yield


@contextlib.contextmanager
def task(label: str, log: Callable[[str], None]) -> Iterator[None]:
    """On a terminal a live line while the work runs, then `label: done in N s` through
    `log`; elsewhere `label ...` first. On failure `label: failed after N s`."""
    started = time.monotonic()
    ctx = live(label) if interactive() else contextlib.nullcontext()
    if not interactive():
        log(f"{label} ...")
    try:
        with ctx:
            yield
    except BaseException:
        log(f"{label}: failed after {time.monotonic() - started:.1f} s")
        raise
    log(f"{label}: done in {time.monotonic() - started:.1f} s")


class StepProgress:
    """The chain's steps as they run, from etl.run_step's notices: each notice is logged;
    each step ends with `  step ...: N s`; on a terminal a live line shows the running
    step and its elapsed time."""

    def __init__(self, log: Callable[[str], None]):
        self.log = log
        self.current: str | None = None
        self.started = 0.0
        self.live = None
        if interactive():
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.live = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self.task = None
            self.live.start()

    def notice(self, diag) -> None:
        text = diag.message_primary or ""
        if text.startswith("etl.run_step: "):
            self._end_step()
            self.current = text.split(" step ", 1)[1].split(" (attempt", 1)[0] if " step " in text else text
            self.started = time.monotonic()
            if self.live:
                if self.task is not None:
                    self.live.remove_task(self.task)
                self.task = self.live.add_task(f"step {self.current}", total=None)
        self.log(f"  {text}")

    def _end_step(self) -> None:
        if self.current is not None:
            self.log(f"  step {self.current}: {time.monotonic() - self.started:.1f} s")
            self.current = None

    def close(self) -> None:
        self._end_step()
        if self.live:
            self.live.stop()
