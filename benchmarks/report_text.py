"""The performance report as text: a table for the terminal and a Markdown page for the README.

Both come from the same rows: every throughput with the floor's beside it and the ratio, and
each target MET or NOT MET.
"""

KINDS = {
    "client_read": ("Client read", 0.5, None),
    "cash_order": ("Cash order", 0.3, 60.0),
    "account_order": ("Current-account order", 0.3, 60.0),
}
CREDIT_P95_MS = 10.0
SEARCH_P95_MS = 20.0
DELTA_P95_MS = 500.0
WORKER_MB = 150.0
FIRST_LOAD_KB = 60
FIRST_LOAD_SCRIPT_KB = 25
SWAP_KB = 8


def verdict(ok: bool) -> str:
    """MET or NOT MET."""
    return "MET" if ok else "NOT MET"


def load_rows(run: dict) -> list[list[str]]:
    """App beside floor for each kind: throughput, ratio, latencies, errors, targets."""
    rows = []
    for kind, (label, ratio_target, p95_target) in KINDS.items():
        found = run["side_by_side"][kind]
        app, floor, ratio = found["app"], found["floor"], found["ratio"]
        ok = ratio >= ratio_target and (p95_target is None or app["p95_ms"] <= p95_target)
        target = f">= {ratio_target}x" + (f", p95 <= {p95_target:.0f} ms" if p95_target else "")
        rows.append(
            [
                label,
                f"{app['throughput']:.0f}",
                f"{floor['throughput']:.0f}",
                f"{ratio:.2f}x",
                f"{app['median_ms']:.1f} / {app['p95_ms']:.1f} / {app['worst_p95_ms']:.1f}",
                f"{floor['median_ms']:.1f} / {floor['p95_ms']:.1f}",
                f"{app['errors']}/{floor['errors']}",
                f"{target}: {verdict(ok)}",
            ]
        )
    return rows


LOAD_HEADER = [
    "request",
    "app req/s",
    "floor req/s",
    "ratio",
    "app median/p95/worst p95 ms",
    "floor median/p95 ms",
    "errors app/floor",
    "target",
]


def page_rows(pages: dict) -> list[list[str]]:
    """Each page's first load (compressed) and the search swap; the list's and swap's targets."""
    rows = []
    for label, page in pages.items():
        if "js_kb" not in page:  # the htmx swap
            ok = page["total_kb"] <= SWAP_KB
            rows.append(
                [
                    f"Page weight: {label}",
                    f"{page['total_kb']:.1f} KB",
                    f"<= {SWAP_KB} KB",
                    verdict(ok),
                ]
            )
            continue
        figure = (
            f"{page['requests']} requests, {page['total_kb']:.1f} KB (HTML {page['html_kb']:.1f}, "
            f"CSS {page['css_kb']:.1f}, JS {page['js_kb']:.1f})"
        )
        if label == "client list":
            ok = page["total_kb"] <= FIRST_LOAD_KB and page["js_kb"] <= FIRST_LOAD_SCRIPT_KB
            target = f"<= {FIRST_LOAD_KB} KB, JS <= {FIRST_LOAD_SCRIPT_KB} KB"
            rows.append([f"First load: {label}", figure, target, verdict(ok)])
        else:
            rows.append([f"First load: {label}", figure, "", ""])
    return rows


def other_rows(run: dict) -> list[list[str]]:
    """The one-at-a-time latencies, memory, the rush and the pair: figure, target, verdict."""
    rows = []
    credit = run["one_at_a_time"]["credit"]
    search = run["one_at_a_time"]["search"]
    clients = run["sizes"]["clients"]
    rows.append(
        [
            f"Credit decision p95 (1 connection, {clients} clients)",
            f"{credit['p95_ms']:.1f} ms (median {credit['median_ms']:.1f}, errors "
            f"{credit['errors']})",
            f"<= {CREDIT_P95_MS:.0f} ms",
            verdict(credit["p95_ms"] <= CREDIT_P95_MS and not credit["errors"]),
        ]
    )
    rows.append(
        [
            f"Client search p95 (API ?q=, 1 connection, {clients} clients)",
            f"{search['p95_ms']:.1f} ms (median {search['median_ms']:.1f}, errors "
            f"{search['errors']})",
            f"<= {SEARCH_P95_MS:.0f} ms",
            verdict(search["p95_ms"] <= SEARCH_P95_MS and not search["errors"]),
        ]
    )
    app_mb, floor_mb = run["worker_mb"]["app"], run["worker_mb"]["floor"]
    after = run.get("worker_mb_after_rush", [])
    biggest = max(app_mb + after, default=0.0)
    rows.append(
        [
            "Worker memory (VmRSS, app; floor)",
            f"app {', '.join(f'{mb:.0f}' for mb in app_mb)} MB"
            + (f"; after the rush {', '.join(f'{mb:.0f}' for mb in after)} MB" if after else "")
            + f"; floor {', '.join(f'{mb:.0f}' for mb in floor_mb)} MB",
            f"<= {WORKER_MB:.0f} MB",
            verdict(biggest <= WORKER_MB),
        ]
    )
    rows += page_rows(run.get("pages", {}))
    if "rush" in run:
        rows += rush_rows("Morning rush", run["rush"])
    if "pair" in run:
        pair = run["pair"]
        one, both = pair["one_cash_order"], pair["pair_cash_order"]
        rows.append(
            [
                "Pair: cash orders, 16 connections",
                f"two servers {both['throughput']:.0f} req/s (p95 {both['p95_ms']:.1f} ms) "
                f"beside one {one['throughput']:.0f} req/s (p95 {one['p95_ms']:.1f} ms); "
                f"errors {both['errors']}/{one['errors']}",
                "no errors",
                verdict(not both["errors"] and not one["errors"]),
            ]
        )
        if "rush" in pair:
            rows += rush_rows("Pair rush", pair["rush"])
    return rows


def rush_rows(label: str, rush: dict) -> list[list[str]]:
    """The rush's deltas, first syncs and orders; with two servers, the replays and writes."""
    delta, orders, pages = rush["delta"], rush["orders"], rush["first_sync_pages"]
    sizes = sorted(set(rush["first_sync_clients"]))
    rows = [
        [
            f"{label}: delta sync p95",
            f"{delta['p95_ms']:.0f} ms (median {delta['median_ms']:.0f}, max "
            f"{delta['max_ms']:.0f}; {delta['requests']} requests, errors {delta['errors']})",
            f"< {DELTA_P95_MS:.0f} ms, no errors",
            verdict(delta["p95_ms"] < DELTA_P95_MS and not delta["errors"]),
        ],
        [
            f"{label}: first syncs",
            f"{len(rush['first_sync_clients'])} of {'/'.join(map(str, sizes))} clients: whole "
            f"p95 {rush['first_sync_whole_p95_ms'] / 1000:.1f} s, page p95 "
            f"{pages['p95_ms']:.0f} ms, errors {pages['errors']}",
            "no errors",
            verdict(not pages["errors"]),
        ],
        [
            f"{label}: orders",
            f"{orders['requests']} at {orders['throughput']:.1f}/s, p95 {orders['p95_ms']:.0f} "
            f"ms, errors {orders['errors']}; {rush['acknowledged_keys']} acknowledged, "
            f"{rush['orders_written']} written",
            "no errors, no doubled writes",
            verdict(not orders["errors"] and rush["orders_written"] == rush["acknowledged_keys"]),
        ],
    ]
    if rush["replays"] is not None:
        replays = rush["replays"]
        rows.append(
            [
                f"{label}: same key on the other server",
                f"{replays['requests']} replays, {rush['replay_mismatches']} answered another "
                f"order or failed, errors {replays['errors']}",
                "the first answer, every time",
                verdict(not rush["replay_mismatches"] and not replays["errors"]),
            ]
        )
    return rows


OTHER_HEADER = ["measure", "figure", "target", "verdict"]


def fixed(header: list[str], rows: list[list[str]]) -> str:
    """A plain text table."""
    widths = [max(len(row[n]) for row in [header, *rows]) for n in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)),
        "  ".join("-" * width for width in widths),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(line.rstrip() for line in lines)


def pipes(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def machine_line(report: dict) -> str:
    """The machine in one sentence."""
    m = report["machine"]
    load = " ".join(f"{v:.2f}" for v in m["load_average"])
    after = " ".join(f"{v:.2f}" for v in m.get("load_average_after", []))
    return (
        f"{m['cpu']}, {m['cores']} cores; load average {load} before, {after} after; "
        f"Python {m['python']}, SQLite {m['sqlite']}"
        + (f", PostgreSQL {m['postgresql']}" if m["postgresql"] else "")
        + f"; {m['when']}"
    )


def run_title(run: dict) -> str:
    """Engine and data size."""
    sizes = run["sizes"]
    return f"{run['engine']}: {sizes['clients']} clients, {sizes['documents']} documents"


def generator_share(report: dict) -> str:
    """The load generator's CPU per request, and the share of a core it took at the floor's pace."""
    parts = []
    for run in report["runs"]:
        floor = run["side_by_side"]["client_read"]["floor"]
        app = run["side_by_side"]["client_read"]["app"]
        share = floor["generator_cpu_us"] * floor["throughput"] / 1e6
        parts.append(
            f"{run['engine']}: {app['generator_cpu_us']:.0f} µs of CPU per app read, "
            f"{floor['generator_cpu_us']:.0f} µs per floor read, {share:.0%} of one core at "
            "the floor's pace"
        )
    return "; ".join(parts)


def notes(report: dict) -> list[str]:
    """How it was measured."""
    return [
        "Both servers: gunicorn -c deploy/gunicorn.conf.py -w 3 (4 threads a worker, "
        "connections kept alive), on the same database; the load: 16 connections from one "
        "aiohttp process on the same machine, sharing its cores with the servers "
        f"({generator_share(report)}). Each load "
        "lasts a few seconds, in 3 rounds alternating app and floor: throughput and latencies "
        "are the median round, 'worst' the worst round's p95. Other work on the machine "
        "(see the load average) slows both sides.",
        "The credit and search targets are set at 100,000 clients / 1,000,000 documents: "
        "here they are measured over HTTP, one request at a time, at this run's size; "
        "`python -m benchmarks.credit` and `python -m benchmarks.demo_data` measure them "
        "in-process at full size.",
        f"The rush: {report['pace']} (benchmarks/rush.py says more). Its delta p95 is over "
        "every page asked.",
    ]


def logs_line(report: dict) -> str:
    """Tracebacks and lock errors in the servers' logs."""
    trouble = {name: found for name, found in report["server_logs"].items() if any(found.values())}
    if not trouble:
        return "Server logs: no tracebacks, no lock errors, no worker timeouts."
    return "Server logs: " + "; ".join(
        f"{name} " + ", ".join(f"{k} {v}" for k, v in found.items() if v)
        for name, found in trouble.items()
    )


def errors_seen(report: dict) -> list[str]:
    """A few of the failed requests' answers, to say what went wrong."""
    seen = []
    for run in report["runs"]:
        for kind, found in run["side_by_side"].items():
            for side in ("app", "floor"):
                seen += [
                    f"{run['engine']} {kind} {side}: {s}" for s in found[side]["error_samples"]
                ]
        for label, rush in (("rush", run.get("rush")), ("pair", run.get("pair", {}).get("rush"))):
            if rush:
                for part in ("delta", "first_sync_pages", "orders"):
                    seen += [
                        f"{run['engine']} {label} {part}: {s}" for s in rush[part]["error_samples"]
                    ]
    return seen[:10]


def table(report: dict) -> str:
    """The report for the terminal."""
    parts = [f"Performance report ({report['mode']} mode)", machine_line(report)]
    for run in report["runs"]:
        parts += ["", run_title(run), fixed(LOAD_HEADER, load_rows(run)), ""]
        parts.append(fixed(OTHER_HEADER, other_rows(run)))
    parts += ["", logs_line(report), *errors_seen(report)]
    return "\n".join(parts)


def markdown(report: dict) -> str:
    """The report as a Markdown page."""
    parts = [f"# Performance report ({report['mode']} mode)", "", machine_line(report)]
    for run in report["runs"]:
        parts += ["", f"## {run_title(run)}", "", pipes(LOAD_HEADER, load_rows(run)), ""]
        parts.append(pipes(OTHER_HEADER, other_rows(run)))
    parts += ["", "## Notes", ""] + [f"- {note}" for note in notes(report)]
    parts += ["", logs_line(report)]
    seen = errors_seen(report)
    if seen:
        parts += ["", "Some failed requests:", ""] + [f"- `{line}`" for line in seen]
    return "\n".join(parts) + "\n"
