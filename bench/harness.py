"""What every benchmark shares: a registry, one JSON line per result on stdout, progress bars on stderr
(so that ``certflow bench … > results.jsonl`` keeps only the figures), and a few statistics.

A benchmark is an async function taking a :class:`Run` and returning its figures; the harness adds the
name, the machine and the wall time. A benchmark states its own ``ratio``: the figure that matters
divided by the same figure of its baseline, measured in the same run.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

Figures = dict[str, Any]
BenchFunction = Callable[["Run"], Awaitable[Figures]]


@dataclass(frozen=True)
class Bench:
    name: str
    summary: str
    function: BenchFunction
    slow: bool = False  # left out of ``certflow bench all`` unless asked for


REGISTRY: dict[str, Bench] = {}


def bench(name: str, summary: str, *, slow: bool = False) -> Callable[[BenchFunction], BenchFunction]:
    """Register a benchmark under ``name`` (a decorator)."""

    def register(function: BenchFunction) -> BenchFunction:
        if name in REGISTRY:
            raise ValueError(f"benchmark {name!r} is registered twice")
        REGISTRY[name] = Bench(name, summary, function, slow)
        return function

    return register


@dataclass
class Run:
    """What a benchmark is given: its size (``scale`` multiplies the default counts; the smoke test uses
    a small one), a place for its files, and progress bars."""

    scale: float = 1.0
    workdir: str = ""
    quiet: bool = False
    options: dict[str, Any] = field(default_factory=dict)
    _progress: Progress | None = None

    def count(self, default: int, minimum: int = 1) -> int:
        """``default`` scaled, never below ``minimum``."""
        return max(minimum, round(default * self.scale))

    @contextmanager
    def progress(self, what: str, total: int) -> Iterator[Callable[..., None]]:
        """A progress bar for ``total`` steps; yields ``advance(n=1)``."""
        progress = self._progress
        if progress is None:
            yield _no_progress
            return
        task = progress.add_task(what, total=total)

        def advance(n: int = 1) -> None:
            progress.advance(task, n)

        try:
            yield advance
        finally:
            progress.remove_task(task)


def _no_progress(n: int = 1) -> None:
    """Progress nobody watches (``--quiet``)."""


def machine() -> dict[str, Any]:
    """Where the figures were taken: they mean little without it."""
    return {"host": platform.node(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "system": f"{platform.system()} {platform.release()}", "load1": round(os.getloadavg()[0], 2)}


def percentile(values: list[float], fraction: float) -> float:
    """The ``fraction`` quantile (0.5 the median), interpolated; 0 for no values."""
    if not values:
        return 0.0
    if len(values) == 1:
        return values[0]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[min(98, max(0, round(fraction * 100) - 1))]


def ratio(value: float, baseline: float) -> float | None:
    return round(value / baseline, 3) if baseline else None


def emit(line: Figures, stream=None) -> None:
    """One JSON line on stdout (or ``stream``), flushed at once."""
    print(json.dumps(line, ensure_ascii=False, default=str), file=stream or sys.stdout, flush=True)


async def run_benches(names: list[str], run: Run) -> list[Figures]:
    """Run the named benchmarks in order; each result is printed as it comes and returned."""
    results = []
    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=run.quiet, transient=True) as progress:
        run._progress = None if run.quiet else progress
        for name in names:
            started = time.monotonic()
            figures = await REGISTRY[name].function(run)
            line = {"bench": name, **figures, "seconds": round(time.monotonic() - started, 1),
                    "scale": run.scale, "machine": machine()}
            emit(line)
            results.append(line)
    return results
