"""OEE, downtime and the Pareto view, with expected values worked out by hand from the
business rules (plant P1 is Europe/Berlin; local times are plant time)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.helpers import BERLIN, feed_file

MACHINES = [
    "MA,Press A,P1,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
    "MB,Press B,P1,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
]


def run(wh, tmp_path, runs, events=(), machines=MACHINES):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", *machines)
    feed_file(tmp_path, "production_runs", *runs)
    if events:
        feed_file(tmp_path, "downtime_events", *events)
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")


def daily(wh, machine="MA", day=None):
    cur = wh.conn.execute(
        "SELECT * FROM reporting.oee_daily WHERE machine_code = %s AND (%s::date IS NULL OR production_date = %s)",
        (machine, day, day),
    )
    rows = cur.fetchall()
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in rows]


def r6(x):
    return None if x is None else round(Decimal(x), 6)


def test_oee_com_shift_example(wh, tmp_path):
    # Shift 06:00-14:00 = 480 min scheduled; two planned breaks of 30 min = 60 min;
    # one breakdown of 47 min. Planned production 480 - 60 = 420, run time 420 - 47 = 373.
    # Ideal cycle 1 s, total 19,271, good 18,848.
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 14:00,19271,18848,1"],
        [
            "E1,MA,2026-03-02 09:00,2026-03-02 09:30,BREAK,,true",
            "E2,MA,2026-03-02 12:00,2026-03-02 12:30,BREAK,,true",
            "E3,MA,2026-03-02 10:00,2026-03-02 10:47,BREAKDOWN,,false",
        ],
    )
    [d] = daily(wh)
    assert (d["plant_code"], d["line_code"], str(d["production_date"])) == ("P1", "L1", "2026-03-02")
    assert (d["scheduled_min"], d["planned_downtime_min"], d["planned_production_min"]) == (480, 60, 420)
    assert (d["unplanned_downtime_min"], d["run_time_min"]) == (47, 373)
    assert r6(d["availability"]) == Decimal("0.888095")  # 373 / 420
    assert r6(d["performance"]) == Decimal("0.861081")  # 19271 s / (373 x 60 = 22380 s)
    assert r6(d["quality"]) == Decimal("0.978050")  # 18848 / 19271
    assert r6(d["oee"]) == Decimal("0.747937")  # 18848 s / (420 x 60 = 25200 s)
    assert r6(d["good_ratio"]) == Decimal("0.978050")
    product = Decimal(d["availability"]) * Decimal(d["performance"]) * Decimal(d["quality"])
    assert round(product, 12) == round(Decimal(d["oee"]), 12)


def test_roll_up_sums_before_dividing(wh, tmp_path):
    # A as above; B: 06:00-09:45 = 225 min, a 45 min breakdown, run 180, ideal 2 s,
    # total 4,800, good 4,560: OEE_B = 4560 x 2 / (225 x 60) = 9120 / 13500 = 0.675556.
    # Line: (18848 + 9120) / (25200 + 13500) = 27968 / 38700 = 0.722687;
    # averaging the two OEEs would give (0.747937 + 0.675556) / 2 = 0.711746.
    run(
        wh,
        tmp_path,
        [
            "R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 14:00,19271,18848,1",
            "R2,MB,SKU1,,A,2026-03-02 06:00,2026-03-02 09:45,4800,4560,2",
        ],
        [
            "E1,MA,2026-03-02 09:00,2026-03-02 09:30,BREAK,,true",
            "E2,MA,2026-03-02 12:00,2026-03-02 12:30,BREAK,,true",
            "E3,MA,2026-03-02 10:00,2026-03-02 10:47,BREAKDOWN,,false",
            "E4,MB,2026-03-02 07:00,2026-03-02 07:45,BREAKDOWN,,false",
        ],
    )
    [b] = daily(wh, "MB")
    assert r6(b["oee"]) == Decimal("0.675556")
    assert r6(b["availability"]) == Decimal("0.800000")  # 180 / 225
    [m] = wh.all(
        "SELECT plant_code, line_code, month, machine_days, planned_production_min, run_time_min, availability, oee "
        "FROM reporting.oee_monthly"
    )
    assert m[:6] == ("P1", "L1", date(2026, 3, 1), 2, 645, 553)
    assert r6(m[6]) == Decimal("0.857364")  # 553 / 645
    assert r6(m[7]) == Decimal("0.722687")
    assert r6(m[7]) != Decimal("0.711746")


def test_night_shift_across_midnight_belongs_to_its_start_date(wh, tmp_path):
    # 2026-01-15 22:00 -> 01-16 06:00 local = 480 min; a stop at 02:00-02:30 on the 16th
    # still belongs to the 15th: run time 450, availability 450 / 480 = 0.9375.
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,C,2026-01-15 22:00,2026-01-16 06:00,100,90,1"],
        ["E1,MA,2026-01-16 02:00,2026-01-16 02:30,JAM,,false"],
    )
    [d] = daily(wh)
    assert str(d["production_date"]) == "2026-01-15"
    assert (d["scheduled_min"], d["unplanned_downtime_min"], d["run_time_min"]) == (480, 30, 450)
    assert d["availability"] == Decimal("0.9375")


def test_daylight_saving_days_have_23_and_25_hour_clocks(wh, tmp_path):
    # Berlin 2026-03-29: 00:00 -> 08:00 on the wall clock is 7 hours (02:00 -> 03:00 skipped).
    # 2026-10-25: 00:00 -> 08:00 is 9 hours (03:00 -> 02:00 repeated).
    run(
        wh,
        tmp_path,
        [
            "R1,MA,SKU1,,A,2026-03-29 00:00,2026-03-29 08:00,100,90,1",
            "R2,MA,SKU1,,A,2026-10-25 00:00,2026-10-25 08:00,100,90,1",
        ],
    )
    got = {str(d["production_date"]): d["scheduled_min"] for d in daily(wh)}
    assert got == {"2026-03-29": 420, "2026-10-25": 540}


def test_overlapping_planned_and_unplanned_counts_the_overlap_as_planned(wh, tmp_path):
    # Run 08:00-12:00 = 240; planned 10:00-10:30 (30); unplanned 10:20-10:50 of which
    # 10:20-10:30 is planned: unplanned 20. Planned production 210, run time 190.
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,A,2026-03-02 08:00,2026-03-02 12:00,100,90,1"],
        [
            "E1,MA,2026-03-02 10:00,2026-03-02 10:30,CHANGEOVER,,true",
            "E2,MA,2026-03-02 10:20,2026-03-02 10:50,JAM,,false",
        ],
    )
    [d] = daily(wh)
    assert (d["planned_downtime_min"], d["unplanned_downtime_min"], d["run_time_min"]) == (30, 20, 190)
    assert r6(d["availability"]) == Decimal("0.904762")  # 190 / 210


def test_downtime_outside_runs_is_clipped_away(wh, tmp_path):
    # Run 06:00-14:00; stops 05:50-06:10 (10 inside), 13:50-14:20 (10 inside),
    # 15:00-15:30 (none inside): 20 minutes unplanned.
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 14:00,100,90,1"],
        [
            "E1,MA,2026-03-02 05:50,2026-03-02 06:10,JAM,,false",
            "E2,MA,2026-03-02 13:50,2026-03-02 14:20,JAM,,false",
            "E3,MA,2026-03-02 15:00,2026-03-02 15:30,JAM,,false",
        ],
    )
    [d] = daily(wh)
    assert d["unplanned_downtime_min"] == 20
    assert wh.all("SELECT events, downtime_min FROM reporting.downtime_pareto") == [(2, 20)]


def test_overlapping_stops_merge_for_oee_but_count_each_in_the_pareto(wh, tmp_path):
    # JAM 10:00-10:20 and TOOL 10:10-10:40 inside run 08:00-12:00: OEE sees their union,
    # 10:00-10:40 = 40 min; the Pareto counts each on its own: TOOL 30, JAM 20, total 50;
    # shares 30/50 = 0.6 and 20/50 = 0.4, cumulative 0.6 then 1.0.
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,A,2026-03-02 08:00,2026-03-02 12:00,100,90,1"],
        [
            "E1,MA,2026-03-02 10:00,2026-03-02 10:20,JAM,,false",
            "E2,MA,2026-03-02 10:10,2026-03-02 10:40,TOOL,,false",
        ],
    )
    [d] = daily(wh)
    assert d["unplanned_downtime_min"] == 40
    rows = wh.all(
        "SELECT reason_code, is_planned, events, downtime_min, share_of_month, cumulative_share "
        "FROM reporting.downtime_pareto ORDER BY cumulative_share"
    )
    assert rows == [
        ("TOOL", False, 1, 30, Decimal("0.6"), Decimal("0.6")),
        ("JAM", False, 1, 20, Decimal("0.4"), Decimal("1")),
    ]


def test_a_day_with_no_planned_production_time_has_null_ratios(wh, tmp_path):
    # Run 06:00-07:00 entirely covered by a planned stop: planned production 0, run time 0:
    # availability, performance and OEE are NULL; quality 9/10 and good ratio stay.
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 07:00,10,9,1"],
        ["E1,MA,2026-03-02 06:00,2026-03-02 07:00,CHANGEOVER,,true"],
    )
    [d] = daily(wh)
    assert (d["planned_production_min"], d["run_time_min"]) == (0, 0)
    assert (d["availability"], d["performance"], d["oee"]) == (None, None, None)
    assert d["quality"] == Decimal("0.9") and d["good_ratio"] == Decimal("0.9")


def test_two_products_quality_is_time_weighted_and_good_ratio_count_based(wh, tmp_path):
    # X: ideal 1 s, total 1000, good 900; Y: ideal 3 s, total 500, good 400.
    # quality = (900 x 1 + 400 x 3) / (1000 x 1 + 500 x 3) = 2100 / 2500 = 0.84;
    # good ratio = 1300 / 1500 = 0.866667.
    run(
        wh,
        tmp_path,
        [
            "R1,MA,SKUX,,A,2026-03-02 06:00,2026-03-02 07:00,1000,900,1",
            "R2,MA,SKUY,,A,2026-03-02 07:00,2026-03-02 08:00,500,400,3",
        ],
    )
    [d] = daily(wh)
    assert d["quality"] == Decimal("0.84")
    assert r6(d["good_ratio"]) == Decimal("0.866667")


def test_performance_above_one_is_kept_and_flagged(wh, tmp_path):
    # 60 min run, ideal 1 s, 4000 units: 4000 s of ideal output in 3600 s = 1.111111.
    run(wh, tmp_path, ["R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 07:00,4000,4000,1"])
    [d] = daily(wh)
    assert r6(d["performance"]) == Decimal("1.111111")
    assert d["performance_above_1"] is True


def test_the_chain_run_twice_changes_nothing(wh, tmp_path):
    run(
        wh,
        tmp_path,
        ["R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 14:00,19271,18848,1"],
        ["E1,MA,2026-03-02 09:00,2026-03-02 09:30,BREAK,,true"],
    )
    before = wh.snapshot()
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.snapshot() == before
    assert wh.scalar("SELECT count(*) FROM dw.fact_production_run") == 1


def test_pareto_attributes_stops_to_the_month_of_the_run_they_overlap(wh, tmp_path):
    # Night run N: 2026-03-31 22:00 -> 04-01 06:00 (production date 03-31, March);
    # morning run M: 04-01 06:00 -> 14:00 (April). A stop 05:30 -> 06:30 on 04-01 falls
    # 30 min inside N (March) and 30 min inside M (April): it counts in both months.
    # E2 09:50 -> 10:10 on 04-01 lies inside M: April = 30 + 20 = 50 min from 2 events.
    # E3 09:50 -> 10:10 on 03-10 overlaps runs D1 (06-10) and D2 (10-14), 10 min each: one
    # event, 20 min. March = E1's 30 + E3's 20 = 50 min from 2 distinct events.
    run(
        wh,
        tmp_path,
        [
            "N,MA,SKU1,,C,2026-03-31 22:00,2026-04-01 06:00,100,90,1",
            "M,MA,SKU1,,A,2026-04-01 06:00,2026-04-01 14:00,100,90,1",
            "D1,MA,SKU1,,A,2026-03-10 06:00,2026-03-10 10:00,100,90,1",
            "D2,MA,SKU1,,A,2026-03-10 10:00,2026-03-10 14:00,100,90,1",
        ],
        [
            "E1,MA,2026-04-01 05:30,2026-04-01 06:30,JAM,,false",
            "E2,MA,2026-04-01 09:50,2026-04-01 10:10,JAM,,false",
            "E3,MA,2026-03-10 09:50,2026-03-10 10:10,JAM,,false",
        ],
    )
    got = wh.all("SELECT month, events, downtime_min FROM reporting.downtime_pareto ORDER BY month")
    assert got == [(date(2026, 3, 1), 2, 50), (date(2026, 4, 1), 2, 50)]
