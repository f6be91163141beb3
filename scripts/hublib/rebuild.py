"""Recompute dimensions and facts from clean (all, or a date range), as one recorded run of kind rebuild.

Use it after a change of a business rule (a new migration of a view or a procedure) or
to backfill a range: `clean` keeps every accepted row, so nothing is loaded again. The
rebuild notes the range's rows for the chain's incremental steps (etl.mark_for_rebuild)
and runs the same steps as `scripts/hub run`, the data-quality gate included; the numbers
are those a fresh load of the same files gives. Safe to repeat: a second rebuild writes
nothing. The same from psql: CALL etl.rebuild('2026-03-01', '2026-03-31'); from Airflow:
trigger hub_pipeline with the params rebuild=true, rebuild_from, rebuild_to.
Exit status 1 when a step or an error check fails, like run.

example:
  scripts/hub rebuild
  scripts/hub rebuild --from 2026-03-01 --to 2026-03-31
"""

from __future__ import annotations

import argparse
from datetime import date


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from exc


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="from_day", type=_day, metavar="DATE", help="first day (default: the first)")
    parser.add_argument("--to", dest="to_day", type=_day, metavar="DATE", help="last day, included (default: the last)")


def run(args) -> int:
    from hublib.cli import require_current
    from hublib.db import warehouse_url
    from hublib.errors import HubError
    from hublib.pipeline import invoke

    if args.from_day and args.to_day and args.from_day > args.to_day:
        raise HubError(f"--from {args.from_day} is after --to {args.to_day}", "give --from on or before --to")
    url = warehouse_url()
    require_current(url)  # as load: never with procedures older than the checkout's
    inv = invoke(url, "rebuild", [], chain=False, log=print, rebuild=(args.from_day, args.to_day))
    print(f"rebuild: {inv.state}" if inv.state != "success" else "rebuild: done")
    return 0
