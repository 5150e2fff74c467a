"""Benchmark: import 100,000 clients from a CSV and from an XLSX, with their contact, fiscal
address and visit plan, on SQLite (and PostgreSQL).

For each format: the dry run (every row checked, nothing written), the import (check, then
write through the card's services with one audit row per change), and a re-import of the
same file (every row unchanged: nothing written). Reports the time and rows per second of
each and the process's peak resident memory after it; with --trace, the peak Python memory
(tracemalloc, which slows Python down several times, so its times are not comparable). A
streamed import keeps the peak at a few chunks, far below the size of the file.

Usage: python -m benchmarks.clients_import [--rows 100000] [--formats csv,xlsx] [--trace]
       [--pg postgresql+psycopg://...]
--rows 2000 is a quick run. With --pg, that database is emptied (schema dropped) first:
point it at a scratch database.
"""

import argparse
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.clients.transfer import import_clients
from app.extensions import db
from benchmarks.demo_data import reset
from tests.clients.import_files import write_rows


def timed(data: bytes, name: str, trace: bool, **options) -> dict:
    """Run one import; its report, seconds, peak Python memory (traced) and peak RSS."""
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    report = import_clients(data, name, None, **options)
    if report.applied:
        db.session.commit()
    else:
        db.session.rollback()
    elapsed = time.perf_counter() - started
    peak = None
    if trace:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"report": report, "seconds": elapsed, "peak_mib": peak, "rss_mib": rss}


def run(url: str, path: Path, trace: bool) -> list[tuple[str, dict]]:
    """Dry run, import and re-import of the file into a fresh database."""
    reset(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    data = path.read_bytes()
    results = []
    with app.app_context():
        upgrade()
        results.append(("dry run", timed(data, path.name, trace, dry_run=True)))
        results.append(("import", timed(data, path.name, trace, dry_run=False)))
        results.append(("re-import", timed(data, path.name, trace, dry_run=False)))
        db.engine.dispose()
    return results


def main() -> None:
    """Generate the files, import them on SQLite (and PostgreSQL) and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--trace", action="store_true", help="peak Python memory (slower)")
    parser.add_argument("--pg", help="a scratch PostgreSQL database URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            path = Path(tmp) / f"clientes.{fmt}"
            write_rows(path, args.rows, fmt)
            print(f"{fmt}: {args.rows} rows, file {path.stat().st_size / 2**20:.1f} MiB")
            targets = [("sqlite", f"sqlite:///{Path(tmp) / f'bench-{fmt}.db'}")]
            if args.pg:
                targets.append(("postgresql", args.pg))
            for name, url in targets:
                for step, r in run(url, path, args.trace):
                    report = r["report"]
                    print(
                        f"  {name:<11} {step:<10} {r['seconds']:7.1f} s "
                        f"({report.rows / r['seconds']:,.0f} rows/s), "
                        f"{report.created} created, {report.updated} updated, "
                        f"{report.unchanged} unchanged, {report.error_count} errors; "
                        f"peak RSS {r['rss_mib']:.0f} MiB"
                        + (f", peak Python memory {r['peak_mib']:.1f} MiB" if args.trace else "")
                    )


if __name__ == "__main__":
    main()
