"""``certflow bench``: run the benchmarks of bench/ (issue 17) and print one JSON line per result.

``certflow bench --list`` names them; ``certflow bench lists life`` runs two; ``certflow bench`` runs every
one not marked slow. ``--scale 0.1`` runs each with a tenth of its default counts (a quick look, or the
smoke test), ``--scale 1`` is what bench/RESULTS.md reports.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import math
import sys
import tempfile

# The modules that register benchmarks (bench/harness.py's ``@bench``), imported only when asked for.
BENCH_MODULES: tuple[str, ...] = ("bench.lists", "bench.completions", "bench.lifecycle", "bench.engine", "bench.twin",
                                  "bench.replay", "bench.life", "bench.memory", "bench.scheduling")


def load_benches() -> dict:
    from bench.harness import REGISTRY

    for module in BENCH_MODULES:
        importlib.import_module(module)
    return REGISTRY


def cmd_bench(args: argparse.Namespace) -> int:
    from bench.harness import Run, run_benches
    from certflow.logging import configure_logging

    configure_logging("WARNING")  # on stderr: stdout carries only the JSON lines
    registry = load_benches()
    if args.list:
        for bench in registry.values():
            print(f"{bench.name:<14} {bench.summary}{'  (slow)' if bench.slow else ''}")
        return 0
    unknown = [name for name in args.names if name not in registry]
    if unknown:
        print(f"certflow bench: no benchmark named {', '.join(unknown)}; `certflow bench --list` names them.",
              file=sys.stderr)
        return 2
    if not math.isfinite(args.scale) or args.scale <= 0:
        print(f"certflow bench: --scale must be a number above 0 (was {args.scale}).", file=sys.stderr)
        return 2
    names = args.names or [b.name for b in registry.values() if args.all or not b.slow]
    with tempfile.TemporaryDirectory(prefix="certflow-bench-") as workdir:
        run = Run(scale=args.scale, workdir=workdir, quiet=args.quiet)
        asyncio.run(run_benches(names, run))
    return 0


def add_bench_commands(sub) -> None:
    parser = sub.add_parser("bench", help="run the benchmarks (bench/) and print one JSON line per result")
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: every one not marked slow)")
    parser.add_argument("--list", action="store_true", help="name the benchmarks and stop")
    parser.add_argument("--all", action="store_true", help="include the slow ones when no name is given")
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every count (default 1)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(func=cmd_bench)
