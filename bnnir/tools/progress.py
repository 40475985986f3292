"""Progress on stderr for the steps that take long, as one line each.

A step is announced (`bnn-compile: compiling the C simulation ...`) only once it has run for
BNNIR_PROGRESS_AFTER seconds (default 1; 0 announces every step), by a timer thread, so fast
steps print nothing and no step pays for its progress more than a timer; when an announced step
ends, a line gives its time.
A step with a known count (frames) can show a bar, updated per chunk of work, never per element.
Progress goes to a terminal: when stderr is a file or a pipe (a log, a test's FileCheck) nothing
is printed unless BNNIR_PROGRESS_AFTER is set; `quiet=True` (the tools' --quiet) prints nothing.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DEFAULT_AFTER = 1.0


def _after() -> float:
    try:
        return max(0.0, float(os.environ.get("BNNIR_PROGRESS_AFTER", DEFAULT_AFTER)))
    except ValueError:
        return DEFAULT_AFTER


class Progress:
    """Progress lines of one tool run."""

    def __init__(self, tool: str, quiet: bool = False, stream: TextIO | None = None):
        self.tool = tool
        self.stream = sys.stderr if stream is None else stream
        self.quiet = quiet or not (self.stream.isatty() or "BNNIR_PROGRESS_AFTER" in os.environ)
        self.after = _after()
        self._lock = threading.Lock()

    def _print(self, text: str, end: str = "\n") -> None:
        self.stream.write(f"{self.tool}: {text}{end}")
        self.stream.flush()

    @contextmanager
    def step(self, what: str) -> Iterator[None]:
        """Announce `what` if it is still running after the threshold, and its time then."""
        if self.quiet:
            yield
            return
        start = time.perf_counter()
        state = {"announced": False, "finished": False}

        def announce() -> None:
            with self._lock:
                if not state["finished"]:
                    state["announced"] = True
                    self._print(f"{what} ...")

        timer = threading.Timer(self.after, announce)
        timer.daemon = True
        if self.after == 0:  # every step, announced as it starts (deterministic, for tests)
            announce()
        else:
            timer.start()
        try:
            yield
        finally:  # a failed step ends with the tool's error line, not "done"
            timer.cancel()
            with self._lock:
                done = state["announced"] and sys.exc_info()[0] is None
                state["finished"] = True
                if done:
                    self._print(f"{what}: done in {time.perf_counter() - start:.1f} s")

    def bar(self, what: str, total: int) -> Bar:
        return Bar(self, what, total)


class Bar:
    """A count of `total` items: `update(done)` after each chunk; drawn in place on a terminal
    and as a line at most every threshold seconds otherwise; nothing before the threshold."""

    WIDTH = 30

    def __init__(self, progress: Progress, what: str, total: int):
        self.progress = progress
        self.what = what
        self.total = max(total, 1)
        self.start = time.perf_counter()
        self.last = self.start
        self.drawn = False
        self.tty = progress.stream.isatty()

    def update(self, done: int) -> None:
        now = time.perf_counter()
        if self.progress.quiet or now - self.start < self.progress.after:
            return
        if not self.tty and self.drawn and now - self.last < self.progress.after:
            return
        self.last, self.drawn = now, True
        filled = self.WIDTH * done // self.total
        bar = "#" * filled + "." * (self.WIDTH - filled)
        text = f"{self.what} [{bar}] {done}/{self.total}"
        self.progress._print(text, end="\r" if self.tty and done < self.total else "\n")
