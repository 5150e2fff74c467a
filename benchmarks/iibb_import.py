"""Benchmark: import a generated ARBA rates registry (PadronRGSPer) of 1,000,000 lines.

Usage: python -m benchmarks.iibb_import [--lines 1000000] [--pg postgresql+psycopg://...]
Reports the time and the peak Python memory (tracemalloc): a streamed import keeps the peak
at a few batches, far below the size of the file. With --pg, that database is emptied
(schema dropped) first: point it at a scratch database.
"""

import argparse
import tempfile
import time
import tracemalloc
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask_migrate import upgrade
from stdnum.ar import cuit

from app import create_app
from app.extensions import db
from app.taxes.models import IibbJurisdiction
from app.taxes.rates_import import format_arba_line, import_file
from benchmarks.demo_data import reset

RATES = [Decimal(r) for r in ("0.00", "0.10", "1.00", "2.50", "3.00", "4.00", "6.00")]


def write_registry(path: Path, lines: int) -> None:
    """A PadronRGSPer file of `lines` distinct CUITs, one malformed line in 10,000."""
    with path.open("w", encoding="latin-1", newline="") as out:
        for n in range(lines):
            body = f"{'30' if n % 2 else '20'}{10_000_000 + n:08d}"
            row = {
                "published_on": date(2026, 11, 24),
                "valid_from": date(2026, 12, 1),
                "valid_to": date(2026, 12, 31),
                "tax_id": body + cuit.calc_check_digit(body),
                "contributor_type": "CD"[n % 2],
                "rate": RATES[n % len(RATES)],
                "rate_group": f"{n % 20:02d}",
            }
            line = format_arba_line(row)
            if n % 10_000 == 9_999:
                line = line.replace(";P", ";X").replace(";N;N;", ";N;N;x")
            out.write(line + "\r\n")


def run(url: str, path: Path) -> dict:
    """Import the file into a fresh database; time and peak memory."""
    reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        arba = IibbJurisdiction(code="902", name="Buenos Aires", province="Buenos Aires")
        db.session.add(arba)
        db.session.commit()
        tracemalloc.start()
        started = time.perf_counter()
        result = import_file(arba, path)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        db.engine.dispose()
    return {
        "imported": result.imported,
        "skipped": result.skipped,
        "seconds": elapsed,
        "lines_per_s": result.lines / elapsed,
        "peak_mib": peak / 2**20,
    }


def main() -> None:
    """Generate the file, import it on SQLite (and PostgreSQL) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--pg", help="a scratch PostgreSQL database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "PadronRGSPer122026.txt"
        write_registry(path, args.lines)
        size = path.stat().st_size / 2**20
        print(f"{args.lines} lines, file {size:.1f} MiB")
        targets = [("sqlite", f"sqlite:///{Path(tmp) / 'bench.db'}")]
        if args.pg:
            targets.append(("postgresql", args.pg))
        for name, url in targets:
            r = run(url, path)
            print(
                f"{name:<11} {r['imported']} imported, {r['skipped']} skipped, "
                f"{r['seconds']:.1f} s ({r['lines_per_s']:,.0f} lines/s), "
                f"peak Python memory {r['peak_mib']:.1f} MiB"
            )


if __name__ == "__main__":
    main()
