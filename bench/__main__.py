"""`python -m bench NAME [options]`: run a benchmark, print its table, save its JSON."""

from __future__ import annotations

import argparse

from bench import importing, scoring


def main() -> None:
    """Parse the command line and run the chosen benchmark."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="name", required=True)
    sc = sub.add_parser("scoring", help="train the predictive model and score every contact")
    sc.add_argument("--contacts", type=int, default=1_000_000)
    sc.add_argument("--train-rows", type=int, default=100_000)
    im = sub.add_parser("import", help="import a contacts CSV beside a raw sqlite3 baseline")
    im.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.name == "scoring":
        report = scoring.run(contacts=args.contacts, train_rows=args.train_rows)
    else:
        report = importing.run(rows=args.rows)
    report.print()
    print(f"saved {report.save()}")


if __name__ == "__main__":
    main()
