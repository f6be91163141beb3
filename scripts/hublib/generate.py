"""`scripts/hub generate DIR`: a realistic, seeded set of feed files.

Three plants in three time zones (Berlin and Chicago with daylight saving on different
dates, Pune without), lines of machines running three shifts (06-14, 14-22, 22-06 plant
time), product changeovers (planned), breakdowns with long-tailed durations, micro-stops,
speed losses and scrap, master data that changes over time (a machine moves line, a
product's standard cost changes, a machine goes idle), and a few late and out-of-order
rows (master rows in no particular order, a machine version that arrives in a later file
than a newer one, stops in any order, restated runs in a later file). The finance feeds
follow the production: material with units, energy with run time, labour with shifts,
repairs with breakdowns, depreciation and overhead flat; each week's output sold at list
price with discounts and a few credit notes, in the plant's currency (EUR, USD, INR), one
customer moving country; exchange rates on weekdays only.

Telemetry (sensor_readings, one file a week): temperature, vibration and power of every
machine at a fixed interval (--sensor-interval, seconds; 0 for none), higher while it
runs, low while it stands; vibration and temperature drift up in the two hours before
each breakdown; sensors drop out now and then for one to six hours, and a few readings
are sent twice or a little out of order.

The same seed and options give the same bytes: one random.Random(seed) drives the
production and finance data and a second one, derived from the seed, the telemetry (so
that asking for telemetry changes nothing else); no clock or environment is read. Runs
are written in plant-local time (as a shop-floor system would); stops with a UTC offset,
so that a stop in the repeated hour of an autumn night is never ambiguous. Run, stop, GL
entry and invoice ids carry the seed and the start date (`RUN-S1-20260216-0000001`), so
two generated sets never share an id: loading another period or another seed adds to the
warehouse instead of restating the first set's rows.
"""

from __future__ import annotations

import bisect
import csv
import io
import itertools
import math
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hublib.errors import HubError

PLANTS = [
    # code, name, country, currency, zone
    ("BER", "Berlin Stamping", "DE", "EUR", "Europe/Berlin"),
    ("CHI", "Chicago Assembly", "US", "USD", "America/Chicago"),
    ("PNQ", "Pune Machining", "IN", "INR", "Asia/Kolkata"),
]
MACHINE_TYPES = {"BER": ("press", "Schuler"), "CHI": ("assembly", "Fanuc"), "PNQ": ("cnc", "DMG Mori")}
PRODUCTS = {
    # plant -> [(sku, name, family, ideal cycle s, standard cost, list price)]
    "BER": [
        ("BRK-100", "Brake bracket", "brackets", 2.0, 2.40, 4.90),
        ("BRK-150", "Heavy bracket", "brackets", 3.0, 3.70, 7.20),
    ],
    "CHI": [("HNG-200", "Door hinge", "hinges", 1.5, 1.10, 2.60), ("HNG-250", "Hood hinge", "hinges", 2.5, 1.90, 4.10)],
    "PNQ": [
        ("SHF-300", "Drive shaft", "shafts", 45.0, 310.0, 540.0),
        ("SHF-350", "Prop shaft", "shafts", 60.0, 420.0, 760.0),
    ],
}
CURRENCY = {code: cur for code, _n, _c, cur, _z in PLANTS}
ZONE = {code: zone for code, _n, _c, _cur, zone in PLANTS}
SHIFTS = [("A", 6), ("B", 14), ("C", 22)]
BREAKDOWNS = ["JAM", "TOOL_BREAK", "ELECTRICAL", "HYDRAULIC", "NO_MATERIAL"]
# metric, unit, (idle, running) baseline ranges drawn per machine
METRICS = [
    ("temperature", "degC", (28.0, 34.0), (48.0, 60.0)),
    ("vibration", "mm/s", (0.2, 0.4), (1.8, 3.2)),
    ("power", "kW", (2.0, 4.0), (30.0, 75.0)),
]
DRIFT = timedelta(hours=2)  # how long before a breakdown its signs begin


@dataclass
class Machine:
    code: str
    plant: str
    line: str
    breakdowns: float = 0.35  # expected breakdowns a run
    speed: float = 0.9  # mean share of the ideal rate while running
    scrap: float = 0.02  # mean share of scrap


def _csv(rows: list[list], header: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def feed_files_in(folder: Path) -> list[str]:
    """The names of the feed files (.csv, .csv.gz) directly in `folder`, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".csv", ".csv.gz")))


def _local(ts: datetime, plant: str) -> str:
    return ts.astimezone(ZoneInfo(ZONE[plant])).strftime("%Y-%m-%d %H:%M:%S")


def _with_offset(ts: datetime, plant: str) -> str:
    return ts.astimezone(ZoneInfo(ZONE[plant])).isoformat(timespec="seconds")


def generate(
    out: Path,
    seed: int = 1,
    machines: int = 12,
    days: int = 56,
    start: date = date(2026, 2, 16),
    sensor_interval: int = 900,
    force: bool = False,
) -> dict:
    """Write the files into `out`; returns {file name: data rows}. A folder that already
    holds feed files (.csv, .csv.gz) is refused unless `force`: they may be hand-made."""
    if machines < 3 or days < 1:
        raise HubError("generate needs --machines 3 or more and --days 1 or more")
    if sensor_interval < 0 or (sensor_interval and 3600 % sensor_interval and sensor_interval % 3600):
        raise HubError("--sensor-interval must divide an hour or be whole hours (e.g. 60, 300, 900, 3600), or 0")
    held = feed_files_in(out)
    if held and not force:
        shown = ", ".join(held[:3]) + (f" and {len(held) - 3} more" if len(held) > 3 else "")
        raise HubError(
            f"{out} already holds feed files ({shown}); generate would write over them",
            "pick an empty or new folder, or add --force to write over them",
        )
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written: dict[str, int] = {}
    # Ids carry the seed and the start, so that two generated sets (another period, another
    # seed) never share a run, stop, GL entry or invoice id and never restate each other.
    tag = _id_tag(seed, start)

    def write(name: str, header: list[str], rows: list[list]) -> None:
        (out / name).write_text(_csv(rows, header), encoding="utf-8")
        written[name] = len(rows)

    # -- master data ---------------------------------------------------------------------------
    write(
        "plants.csv",
        ["plant_code", "plant_name", "country_code", "currency_code", "timezone", "updated_at"],
        [[c, n, ctry, cur, z, "2020-01-01T00:00:00Z"] for c, n, ctry, cur, z in PLANTS],
    )
    # Machines go round the plants; within a plant they alternate between lines L1 and L2.
    fleet = []
    for i in range(machines):
        plant = PLANTS[i % len(PLANTS)][0]
        number = i // len(PLANTS) + 1
        fleet.append(
            Machine(
                f"{plant}-M{number:02d}",
                plant,
                f"L{(number - 1) % 2 + 1}",
                breakdowns=rng.uniform(0.1, 1.0),
                speed=rng.uniform(0.8, 0.95),
                scrap=rng.uniform(0.005, 0.05),
            )
        )
    commissioned = {m.code: date(2015 + rng.randrange(8), 1 + rng.randrange(12), 1).isoformat() for m in fleet}

    def machine_row(m: Machine, line: str, kind: str, status: str, updated: str) -> list:
        return [m.code, f"{MACHINE_TYPES[m.plant][0].title()} {m.code[-2:]}", m.plant, line, kind,
                MACHINE_TYPES[m.plant][1], commissioned[m.code], status, updated]  # fmt: skip

    machine_rows = [machine_row(m, m.line, MACHINE_TYPES[m.plant][0], "active", "2020-01-01 00:00") for m in fleet]
    moved = fleet[1]  # moves to the other line a third into the period, at 06:00 plant time
    move_day = start + timedelta(days=days // 3)
    new_line = "L2" if moved.line == "L1" else "L1"
    servo = f"servo-{MACHINE_TYPES[moved.plant][0]}"  # retrofitted before the move (see below)
    machine_rows.append(machine_row(moved, new_line, servo, "active", f"{move_day.isoformat()} 06:00"))
    idle = fleet[-1]  # goes idle for the last week
    idle_day = start + timedelta(days=max(1, days - 7))
    machine_rows.append(
        machine_row(idle, idle.line, MACHINE_TYPES[idle.plant][0], "idle", f"{idle_day.isoformat()} 06:00")
    )
    rng.shuffle(machine_rows)  # master rows come in any order; history follows updated_at
    header_m = ["machine_code", "machine_name", "plant_code", "line_code", "machine_type", "manufacturer",
                "commissioned_on", "status", "updated_at"]  # fmt: skip
    write("machines.csv", header_m, machine_rows)
    # A late row: the moved machine was retrofitted (a new machine type) before it moved;
    # the row arrives in a later file, after the newer one, and history re-sequences.
    retrofit_day = start + timedelta(days=max(1, days // 6))
    late_row = machine_row(moved, moved.line, servo, "active", f"{retrofit_day.isoformat()} 06:00")
    write("machines_late.csv", header_m, [late_row])

    product_rows = []
    for plant, items in PRODUCTS.items():
        for sku, name, family, _ideal, cost, price in items:
            product_rows.append([sku, name, family, "pcs", f"{cost:.2f}", f"{price:.2f}", CURRENCY[plant],
                                 "2020-01-01T00:00:00Z"])  # fmt: skip
    sku, name, family, _ideal, cost, price = PRODUCTS["BER"][0]
    cost_day = start + timedelta(days=days // 2)
    product_rows.append([sku, name, family, "pcs", f"{cost * 1.06:.2f}", f"{price:.2f}", "EUR",
                         f"{cost_day.isoformat()}T00:00:00+01:00"])  # fmt: skip
    write("products.csv", ["product_sku", "product_name", "product_family", "unit_of_measure", "standard_cost",
                           "list_price", "currency_code", "updated_at"], product_rows)  # fmt: skip

    # -- runs and stops, week by week ----------------------------------------------------------
    header_r = ["run_id", "machine_code", "product_sku", "work_order", "shift_code", "start_ts", "end_ts",
                "total_count", "good_count", "ideal_cycle_time_s"]  # fmt: skip
    header_e = ["event_id", "machine_code", "start_ts", "end_ts", "reason_code", "reason_description", "is_planned"]
    run_no = 0
    event_no = 0
    telemetry = Telemetry(fleet, seed, sensor_interval) if sensor_interval else None
    activity: dict[tuple[str, date], dict] = {}
    restated: list[list] = []
    for week in range(math.ceil(days / 7)):
        runs: list[list] = []
        events: list[list] = []
        for day in range(week * 7, min(days, week * 7 + 7)):
            today = start + timedelta(days=day)
            for m in fleet:
                if m is idle and today >= idle_day:
                    continue
                zone = ZoneInfo(ZONE[m.plant])
                products = PRODUCTS[m.plant]
                for shift, hour in SHIFTS:
                    if today.weekday() == 6 and rng.random() < 0.7:
                        continue  # most Sunday shifts do not run
                    # A shift is 8 hours on the wall clock (7 or 9 when the clocks change);
                    # elapsed time is always computed in UTC.
                    wall = datetime(today.year, today.month, today.day, hour)
                    shift_start = wall.replace(tzinfo=zone).astimezone(UTC)
                    shift_end = (wall + timedelta(hours=8)).replace(tzinfo=zone).astimezone(UTC)
                    # one run, or two with a product change half-way
                    cuts = [shift_start, shift_end]
                    if rng.random() < 0.35:
                        cuts = [shift_start, shift_start + (shift_end - shift_start) / 2, shift_end]
                    for part, (a_utc, b_utc) in enumerate(itertools.pairwise(cuts)):
                        run_no += 1
                        sku, _name, _family, ideal, _cost, _price = products[(run_no + part) % len(products)]
                        stops: list[tuple[datetime, datetime, str, bool]] = []
                        if part == 1:  # changeover at the start of the second product
                            stops.append((a_utc, a_utc + timedelta(minutes=rng.randint(15, 30)), "CHANGEOVER", True))
                        for _ in range(_poisson(rng, m.breakdowns)):  # breakdowns, long-tailed
                            at = a_utc + (b_utc - a_utc) * rng.random()
                            minutes = min(240.0, rng.lognormvariate(math.log(18), 0.9))
                            stops.append((at, at + timedelta(minutes=minutes), rng.choice(BREAKDOWNS), False))
                        for _ in range(_poisson(rng, 3.0)):  # micro-stops
                            at = a_utc + (b_utc - a_utc) * rng.random()
                            stops.append((at, at + timedelta(minutes=rng.uniform(1, 4)), "MICRO_STOP", False))
                        # A stop ends with its run at the latest (the next run would not have
                        # been counted with it in mind).
                        stops = [(s, min(e, b_utc), r, p) for s, e, r, p in stops]
                        down = _union_seconds([(s, e) for s, e, _r, _p in stops])
                        run_s = max(0.0, (b_utc - a_utc).total_seconds() - down)
                        speed = min(1.0, rng.gauss(m.speed, 0.04))  # speed losses
                        total = int(run_s * speed / ideal)
                        good = total - int(total * min(0.5, rng.expovariate(1 / m.scrap)))  # scrap
                        act = activity.setdefault((m.plant, today), {"units": {}, "run_s": 0.0, "shifts": 0,
                                                                     "breakdown_min": 0.0})  # fmt: skip
                        act["units"][sku] = act["units"].get(sku, 0) + good
                        act["run_s"] += run_s
                        act["shifts"] += 1 if part == 0 else 0
                        act["breakdown_min"] += sum(
                            (e - st).total_seconds() / 60 for st, e, r, _p in stops if r in BREAKDOWNS
                        )
                        run_id = f"RUN-{tag}-{run_no:07d}"
                        row = [run_id, m.code, sku, f"WO-{today:%y%m%d}-{m.plant}", shift, _local(a_utc, m.plant),
                               _local(b_utc, m.plant), total, good, ideal]  # fmt: skip
                        runs.append(row)
                        if rng.random() < 0.01:  # a count corrected later
                            fixed = list(row)
                            fixed[8] = max(0, good - rng.randint(1, 20))
                            restated.append(fixed)
                        if telemetry:
                            telemetry.note_run(m.code, a_utc, b_utc, stops)
                        for s, e, reason, planned in stops:
                            event_no += 1
                            events.append([f"DT-{tag}-{event_no:07d}", m.code, _with_offset(s, m.plant),
                                           _with_offset(e, m.plant), reason,
                                           "Planned changeover" if planned else "",
                                           "true" if planned else "false"])  # fmt: skip
        if not runs:
            continue
        week_start = start + timedelta(days=week * 7)
        rng.shuffle(events)  # stops arrive in any order
        write(f"production_runs_{week_start.isoformat()}.csv", header_r, runs)
        write(f"downtime_events_{week_start.isoformat()}.csv", header_e, events)
        if telemetry:
            name = f"sensor_readings_{week_start.isoformat()}.csv"
            week_from = datetime(week_start.year, week_start.month, week_start.day, tzinfo=UTC)
            week_to = min(week_from + timedelta(days=7), datetime(start.year, start.month, start.day, tzinfo=UTC)
                          + timedelta(days=days))  # fmt: skip
            written[name] = telemetry.write_week(out / name, week_from, week_to)
    if restated:
        write("production_runs_zz_restated.csv", header_r, restated)
    _finance(write, rng, activity, start, days, tag)
    return written


class Telemetry:
    """Sensor readings consistent with the generated runs and stops, written week by week
    straight to the file (a year of 200 machines is tens of millions of rows)."""

    def __init__(self, fleet: list[Machine], seed: int, interval: int):
        self.fleet = fleet
        self.interval = timedelta(seconds=interval)
        self.rng = random.Random(seed * 1_000_003 + 17)
        self.base = {
            m.code: [(self.rng.uniform(*idle), self.rng.uniform(*running)) for _n, _u, idle, running in METRICS]
            for m in fleet
        }
        self.runs: dict[str, list[tuple[datetime, datetime]]] = {m.code: [] for m in fleet}
        self.stops: dict[str, list[tuple[datetime, datetime]]] = {m.code: [] for m in fleet}
        self.breakdowns: dict[str, list[datetime]] = {m.code: [] for m in fleet}
        self.dropout_until: dict[str, datetime] = {}

    def note_run(self, machine: str, start: datetime, end: datetime, stops) -> None:
        self.runs[machine].append((start, end))
        for s, e, reason, _planned in stops:
            self.stops[machine].append((s, e))
            if reason in BREAKDOWNS:
                self.breakdowns[machine].append(s)

    @staticmethod
    def _inside(spans: list[tuple[datetime, datetime]], t: datetime) -> bool:
        i = bisect.bisect_right(spans, (t, datetime.max.replace(tzinfo=UTC))) - 1
        return i >= 0 and spans[i][0] <= t < spans[i][1]

    def write_week(self, path: Path, week_from: datetime, week_to: datetime) -> int:
        rng = self.rng
        stamps = []
        t = week_from
        while t < week_to:
            stamps.append((t, t.strftime("%Y-%m-%dT%H:%M:%SZ")))
            t += self.interval
        rows = 0
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["machine_code", "reading_ts", "metric", "value", "unit"])
            for m in self.fleet:
                runs = sorted(self.runs[m.code])
                stops = sorted(self.stops[m.code])
                breaks = sorted(self.breakdowns[m.code])
                base = self.base[m.code]
                held = None  # a reading sent late, after the next timestamp's readings
                for k, (t, ts) in enumerate(stamps):
                    if t < self.dropout_until.get(m.code, t):
                        continue
                    if rng.random() < 0.0005:  # the sensor gateway drops out for 1 to 6 hours
                        self.dropout_until[m.code] = t + timedelta(hours=rng.randint(1, 6))
                        continue
                    running = self._inside(runs, t) and not self._inside(stops, t)
                    i = bisect.bisect_left(breaks, t)
                    drift = 0.0
                    if i < len(breaks) and breaks[i] - t < DRIFT:
                        drift = 1 - (breaks[i] - t) / DRIFT  # 0 two hours before, 1 at the breakdown
                    for (metric, unit, _idle, _running), (idle_level, run_level) in zip(METRICS, base, strict=True):
                        level = run_level if running else idle_level
                        if metric == "temperature":
                            value = level + 18 * drift + rng.gauss(0, 0.6)
                        elif metric == "vibration":
                            value = max(0.0, level * (1 + 2.5 * drift) + rng.gauss(0, 0.08))
                        else:
                            value = max(0.0, level * (1 + 0.15 * drift) + rng.gauss(0, level * 0.03))
                        row = [m.code, ts, metric, f"{value:.3f}", unit]
                        if held is None and rng.random() < 0.0005:
                            held = (row, k)  # out of order: written after the next timestamp
                            continue
                        w.writerow(row)
                        rows += 1
                        if rng.random() < 0.0003:  # sent twice
                            w.writerow(row)
                            rows += 1
                    if held is not None and held[1] < k:
                        w.writerow(held[0])
                        rows += 1
                        held = None
                if held is not None:
                    w.writerow(held[0])
                    rows += 1
                # what has been written no longer needs remembering
                self.runs[m.code] = [r for r in runs if r[1] > week_to]
                self.stops[m.code] = [s for s in stops if s[1] > week_to]
                self.breakdowns[m.code] = [b for b in breaks if b >= week_to]
        return rows


# Costs in the plant's currency, per unit of activity.
COST_RATES = {
    # plant: (material per unit by sku, energy per run hour, labour per shift, repair per breakdown minute,
    #         depreciation and overhead per month)
    "BER": ({"BRK-100": 1.75, "BRK-150": 2.70}, 25.0, 2600.0, 15.0, (90000.0, 40000.0)),
    "CHI": ({"HNG-200": 0.70, "HNG-250": 1.25}, 28.0, 2400.0, 16.0, (80000.0, 35000.0)),
    "PNQ": ({"SHF-300": 160.0, "SHF-350": 220.0}, 900.0, 52000.0, 650.0, (2600000.0, 900000.0)),
}
CUSTOMERS = {
    "BER": [
        ("C-BER-1", "Autowerk GmbH", "DE"),
        ("C-BER-2", "Fahrzeugbau AG", "AT"),
        ("C-BER-3", "Carrosserie SA", "FR"),
    ],
    "CHI": [
        ("C-CHI-1", "Midwest Motors", "US"),
        ("C-CHI-2", "Great Lakes Auto", "CA"),
        ("C-CHI-3", "Prairie Trucks", "US"),
    ],
    "PNQ": [("C-PNQ-1", "Deccan Auto", "IN"), ("C-PNQ-2", "Sahyadri Motors", "IN"), ("C-PNQ-3", "Gulf Vehicles", "AE")],
}
ACCOUNTS = [
    ("5100", "Raw material", "cost", "material"),
    ("5200", "Direct labour", "cost", "labor"),
    ("5300", "Electricity", "cost", "energy"),
    ("5400", "Repairs", "cost", "maintenance"),
    ("5500", "Depreciation", "cost", "depreciation"),
    ("5600", "Plant overhead", "cost", "overhead"),
    ("4000", "Product sales", "revenue", ""),
]


def _id_tag(seed: int, start: date) -> str:
    """The part of every generated id that tells one generated set from another."""
    return f"S{seed}-{start:%Y%m%d}"


def _finance(write, rng: random.Random, activity: dict, start: date, days: int, tag: str) -> None:
    """Accounts, GL entries that follow the generated activity, sales of what was made, and
    exchange rates (weekdays only) for EUR and INR against USD."""
    write("accounts.csv", ["account_code", "account_name", "account_type", "cost_category", "updated_at"],
          [[*a, "2020-01-01T00:00:00Z"] for a in ACCOUNTS])  # fmt: skip
    end = start + timedelta(days=days - 1)
    gl: list[list] = []
    entry = 0

    def post(day: date, plant: str, account: str, amount: float, text: str) -> None:
        nonlocal entry
        entry += 1
        gl.append([f"GL-{tag}-{entry:07d}", day.isoformat(), plant, f"CC-{plant}", account, f"{amount:.2f}",
                   CURRENCY[plant], text])  # fmt: skip

    for (plant, day), act in sorted(activity.items()):
        material, energy, labour, repair, _monthly = COST_RATES[plant]
        post(day, plant, "5100", sum(material[sku] * units for sku, units in sorted(act["units"].items())), "Material")
        post(day, plant, "5300", energy * act["run_s"] / 3600, "Electricity")
        post(day, plant, "5200", labour * act["shifts"], "Shift crews")
        if act["breakdown_min"] > 0:
            post(day, plant, "5400", repair * act["breakdown_min"] * rng.uniform(0.8, 1.3), "Repairs")
    month = date(start.year, start.month, 1)
    while month <= end:
        last = (month + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        share = (min(last, end) - max(month, start)).days + 1
        for plant, *_rest in PLANTS:
            depreciation, overhead = COST_RATES[plant][4]
            post(min(last, end), plant, "5500", depreciation * share / last.day, "Depreciation")
            post(min(last, end), plant, "5600", overhead * share / last.day, "Overhead")
        month = last + timedelta(days=1)
    write("gl_entries.csv", ["entry_id", "posting_date", "plant_code", "cost_center", "account_code", "amount",
                             "currency_code", "description"], gl)  # fmt: skip

    # Sales: each Friday, what the plant made that week, at list price with discounts, to its
    # customers; now and then a credit note. One customer moves country half-way.
    prices = {sku: price for items in PRODUCTS.values() for sku, _n, _f, _i, _c, price in items}
    lines: list[list] = []
    invoice = 0
    week_units: dict[tuple[str, date], dict[str, int]] = {}
    for (plant, day), act in activity.items():
        friday = day + timedelta(days=(4 - day.weekday()) % 7)
        bucket = week_units.setdefault((plant, min(friday, end)), {})
        for sku, units in act["units"].items():
            bucket[sku] = bucket.get(sku, 0) + units
    moved_customer = CUSTOMERS["BER"][1][0]
    for (plant, day), units in sorted(week_units.items()):
        for sku, made in sorted(units.items()):
            for code, name, country in CUSTOMERS[plant]:
                if code == moved_customer and day >= start + timedelta(days=days // 2):
                    country = "CH"
                invoice += 1
                quantity = int(made * 0.9 / len(CUSTOMERS[plant]))
                price = prices[sku] * rng.uniform(0.97, 1.03)
                discount = rng.choice(["", "", "2.5", "5"])
                lines.append([f"INV-{tag}-{invoice:06d}", 1, day.isoformat(), code, name, country, sku, plant, quantity,
                              f"{price:.2f}", discount, CURRENCY[plant]])  # fmt: skip
                if rng.random() < 0.05:
                    lines.append([f"CN-{tag}-{invoice:06d}", 1, min(day + timedelta(days=3), end).isoformat(), code,
                                  name, country, sku, plant, -max(1, quantity // 50), f"{price:.2f}", "",
                                  CURRENCY[plant]])  # fmt: skip
    write("sales_lines.csv", ["invoice_id", "line_no", "invoice_date", "customer_code", "customer_name",
                              "customer_country", "product_sku", "plant_code", "quantity", "unit_price",
                              "discount_pct", "currency_code"], lines)  # fmt: skip

    # Rates on weekdays only (the weekend takes Friday's), from a week before the start.
    rates: list[list] = []
    eur_usd, usd_inr = 1.08, 86.5
    day = start - timedelta(days=7)
    while day <= end:
        if day.weekday() < 5:
            eur_usd *= math.exp(rng.gauss(0, 0.004))
            usd_inr *= math.exp(rng.gauss(0, 0.003))
            rates.append([day.isoformat(), "EUR", "USD", f"{eur_usd:.5f}"])
            rates.append([day.isoformat(), "USD", "INR", f"{usd_inr:.4f}"])
        day += timedelta(days=1)
    write("fx_rates.csv", ["rate_date", "from_currency", "to_currency", "rate"], rates)


def _poisson(rng: random.Random, mean: float) -> int:
    threshold, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= threshold:
            return k
        k += 1


def _union_seconds(spans: list[tuple[datetime, datetime]]) -> float:
    total, end = 0.0, None
    for s, e in sorted(x for x in spans if x[1] > x[0]):
        if end is None or s > end:
            total += (e - s).total_seconds()
            end = e
        elif e > end:
            total += (e - end).total_seconds()
            end = e
    return total
