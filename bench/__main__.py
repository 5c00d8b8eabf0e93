"""`python -m bench NAME [options]`: run a benchmark, print its table, save its JSON."""

from __future__ import annotations

import argparse

from bench import importing, latency, scoring


def main() -> None:
    """Parse the command line and run the chosen benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    sc = sub.add_parser("scoring", help="train the predictive model and score every contact")
    sc.add_argument("--contacts", type=int, default=1_000_000)
    sc.add_argument("--train-rows", type=int, default=100_000)
    im = sub.add_parser("import", help="import a contacts CSV beside a raw sqlite3 baseline")
    im.add_argument("--rows", type=int, default=1_000_000)
    la = sub.add_parser("latency", help="API latency and throughput against a demo organisation")
    la.add_argument("--scale", default="medium", choices=("small", "medium", "large"))
    la.add_argument("--requests", type=int, default=200)
    la.add_argument(
        "--backend",
        default="both",
        choices=("sqlite", "postgresql", "both"),
        help="which databases to measure (PostgreSQL needs TECHWIN_BENCH_PG_URL)",
    )
    args = parser.parse_args()
    if args.name == "scoring":
        report = scoring.run(contacts=args.contacts, train_rows=args.train_rows)
    elif args.name == "import":
        report = importing.run(rows=args.rows)
    else:
        report = latency.run(scale=args.scale, requests=args.requests, backend=args.backend)
    report.print()
    print(f"saved {report.save()}")


if __name__ == "__main__":
    main()
