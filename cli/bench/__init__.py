"""``seguiment bench <kind> [--json]``: the benchmarks, one module per area.

Convention (add a benchmark without touching this file):

- create ``cli/bench/<kind>.py`` (e.g. ``import_`` (a trailing underscore where the kind is
  a Python keyword), ``status``, ``pages``, ``load``) with two functions::

      def add_arguments(parser: argparse.ArgumentParser) -> None: ...   # its own options
      def run(args: argparse.Namespace) -> int: ...                     # 0 ok, 1 failed

- it is discovered by name and imported only when ``seguiment bench <kind>`` runs (or its
  ``--help``), so a heavy benchmark never slows the other commands;
- a benchmark reports figures and ratios against a baseline measured in the same run, with
  ``--json`` printing one object; it never fails because of a figure (``make bench`` runs
  them all).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from pathlib import Path
from typing import Any

from i18n import _


def kinds() -> list[str]:
    """The benchmark kinds available: every module of ``cli/bench/``."""
    folder = str(Path(__file__).resolve().parent)
    return sorted(
        m.name.rstrip("_") for m in pkgutil.iter_modules([folder]) if not m.name.startswith("_")
    )


def module_of(kind: str) -> str:
    """The module that implements ``seguiment bench <kind>``."""
    folder = Path(__file__).resolve().parent
    name = kind if (folder / f"{kind}.py").exists() else f"{kind}_"
    return f"{__name__}.{name}"


class _LazyBenchParser(argparse.ArgumentParser):
    """A subparser that imports ``cli.bench.<kind>`` the first time it parses."""

    def __init__(self, *args: Any, bench_module: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._bench_module = bench_module
        self._loaded = False

    def _load(self) -> None:
        if self._loaded or not self._bench_module:
            return
        self._loaded = True
        module = importlib.import_module(self._bench_module)
        module.add_arguments(self)
        self.set_defaults(handler=module.run)

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._load()
        return super().parse_known_args(args, namespace)

    def format_help(self) -> str:
        self._load()
        return super().format_help()


def register(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = subparsers.add_parser("bench", help=_("Run a benchmark (reports ratios)."))
    sub = parser.add_subparsers(dest="bench_kind", metavar="KIND", parser_class=_LazyBenchParser)
    sub.required = True
    for kind in kinds():
        sub.add_parser(kind, help=_("Benchmark: {kind}", kind=kind), bench_module=module_of(kind))
