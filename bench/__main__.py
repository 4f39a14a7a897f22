"""
Run every benchmark in bench/ and print one table: `make bench` (or `python -m bench`).

Each module ``bench/bench_*.py`` has ``run(contacts: int) -> list[Result]``. The data set is
generated once (bench.generate) at the size asked for, unless it is there already.
Figures are only worth reporting on PostgreSQL: set DATABASE_URL to a database of its own,
which the generator overwrites.
"""

import argparse
import importlib
import pkgutil
import subprocess
import sys
import time
from pathlib import Path

from . import setup_django
from .results import write_json


def main() -> int:
    parser = argparse.ArgumentParser(description="Run the benchmarks in bench/")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--only", help="run only bench_<ONLY>")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set")
    parser.add_argument(
        "--json",
        type=Path,
        help="also write every figure, with its target and whether it passed, to this file",
    )
    args = parser.parse_args()
    setup_django()

    from django.core.management import call_command
    from django.db import connection

    from leads.models import Contact

    from .generate import generate

    if connection.vendor != "postgresql":
        print("Note: DATABASE_URL is not PostgreSQL; figures are not comparable to targets.")
    call_command("migrate", verbosity=0)
    if args.regenerate or Contact.objects.count() != args.contacts:
        print(f"Generating {args.contacts:,} contacts ...")
        generate(contacts=args.contacts)

    modules = sorted(
        m.name
        for m in pkgutil.iter_modules([str(Path(__file__).parent)])
        if m.name.startswith("bench_")
    )
    if args.only:
        modules = [m for m in modules if m == f"bench_{args.only}"]
    results = []
    for name in modules:
        print(f"Running {name} ...", flush=True)
        started = time.perf_counter()
        results += importlib.import_module(f"bench.{name}").run(args.contacts)
        print(f"  done in {time.perf_counter() - started:.1f} s", flush=True)

    print(f"\nleadfunnel benchmarks, {args.contacts:,} contacts, {connection.vendor}\n")
    print(f"{'benchmark':<52} {'value':>12} {'unit':<10} {'target':<14} {'pass':<5} note")
    print("-" * 116)
    for r in results:
        verdict = {True: "yes", False: "NO", None: ""}[r.passed]
        print(f"{r.name:<52} {r.value:>12,.2f} {r.unit:<10} {r.target:<14} {verdict:<5} {r.note}")
    if args.json:
        write_json(
            args.json,
            results,
            contacts=args.contacts,
            database=connection.vendor,
            commit=_commit(),
        )
        print(f"\nWritten to {args.json}")
    return 0


def _commit() -> str:
    """The commit the figures were measured on ("" outside a git checkout)."""
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    )
    return found.stdout.strip()


if __name__ == "__main__":
    sys.exit(main())
