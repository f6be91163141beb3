"""Probe: the lean path against the full grammar on hand-made edge cases of every feed it
serves. Outcomes compared as text (numeric scale, -0, the exact instant)."""

from __future__ import annotations

from tests.helpers import BERLIN, M1_IN_P1, feed_file
from tests.test_lean_path import outcome


def load_both(wh, full_wh, tmp_path, make) -> tuple[dict, dict]:
    for n, target in enumerate((wh, full_wh)):
        folder = tmp_path / f"in{n}"
        make(folder)
        target.load(folder)
    return outcome(wh), outcome(full_wh)


def diff(a: dict, b: dict) -> dict:
    return {k: (a[k], b[k]) for k in a if a[k] != b[k]}


TS = [
    "2026-03-02T06:00:00+14:00",
    "2026-03-02T06:00:01-00:00",
    "2026-03-02T06:00:02+15:59",
    "0001-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "2024-02-29T06:00:00Z",
    "2026-03-02t06:00:03Z",
    "2026-03-02T06:00:04Z ",
    "2026-03-02T06:00:05Z\t",
    "２026-03-02T06:00:06Z",
    "2026-03-29T02:30:00+01:00",
    "2026-03-02T06:00:07+0100",
    "2026-03-02T06:00:08+01",
    "2026-03-02T10:00:00Z",
    "2026-03-02T11:00:00.000+01:00",
    "2026-03-02T10:00:09Z",
    "2026-03-02T11:00:09+01:00",
    "2026-03-02T10:00:10Z",
    "2026-03-02 11:00:10+01:00",
    "1899-12-31T23:59:59Z",
    "1900-01-01T00:00:00Z",
    "2026-03-02T06:00:11+00:60",
]
VALUES = [
    "1e5",
    "NaN",
    "Infinity",
    "-0",
    "+.5",
    "0.",
    ".",
    "-0.000",
    "١",
    "１",
    "9" * 308,
    "1" + "0" * 308,
    "0." + "0" * 322 + "1",
    "0." + "0" * 323 + "1",
    "1." + "5" * 998,
    "1." + "5" * 999,
    '" 2 "',
    "00007",
    "-.0",
    "+0",
]


def test_probe_lean_equals_full_on_sensor_edges(wh, full_wh, tmp_path):
    def make(folder):
        feed_file(folder, "plants", BERLIN)
        feed_file(folder, "machines", M1_IN_P1)
        rows = [f"M1,{ts},temp,{VALUES[i % len(VALUES)]},C" for i, ts in enumerate(TS)]
        rows += [f"M1,2026-03-02T07:{i // 60:02d}:{i % 60:02d}Z,v{i},{v},C" for i, v in enumerate(VALUES)]
        # duplicates: lean vs full, equal instant, different value
        rows += ["M1,2026-03-02T08:00:00Z,dup,1.5,C", "M1,2026-03-02T09:00:00.0+01:00,dup,2.5,C"]
        rows += ["M1,2026-03-02T08:00:01Z,same,1.5,C", "M1,2026-03-02T09:00:01+01:00,same,1.50,C"]
        feed_file(folder, "sensor_readings", *rows)

    lean, full = load_both(wh, full_wh, tmp_path, make)
    assert diff(lean, full) == {}
    # the lean path really ran on this batch
    assert wh.scalar("SELECT lean_rows FROM etl.batch WHERE feed_name = 'sensor_readings'") > 5


def test_probe_lean_equals_full_on_other_feeds(wh, full_wh, tmp_path):
    def make(folder):
        feed_file(folder, "plants", BERLIN)
        feed_file(
            folder,
            "machines",
            M1_IN_P1,
            "M2,Press 2,P1,L1,press,Acme,1899-12-31,active,2020-01-01T00:00:00Z",
            "M3,Press 3,P1,L1,press,Acme, 2019-05-01 ,ACTIVE,2020-01-01T00:00:00+01:00",
            "M4,Press 4,P9,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00",
            "M5,Press 5,P1,L1,press,,2024-02-29,active,2020-01-01T00:00:00-00:00",
            "M6,Press 6,P1,L1,press,Acme,2019-05-01,retired,2020-01-01T00:00:00Z",
            "M1,Press 1,P1,L1,press,Acme,2019-05-01,active,2020-01-01T01:00:00+01:00",
            "M7," + "x" * 201 + ",P1,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z",
            "M" + "8" * 200 + ",Press,P1,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z",
        )
        feed_file(
            folder,
            "production_runs",
            "R1,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,10,11,1.5",
            "R2,M1,S1,,A,2026-03-02T07:00:00Z,2026-03-02T06:00:00Z,10,9,1.5",
            "R3,M1,S1,,A,2026-03-02T07:00:00Z,2026-03-02T06:00:00Z,10,11,1.5",
            "R4,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,5.,5.000,0",
            "R5,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,-0,+0,-0",
            "R6,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,999999999999999,1,.5",
            "R7,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,-1,0,1",
            "R8,M9,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,1,1,1",
            "R9,M9,S1,,A,2026-03-02T06:00:00,2026-03-02T07:00:00Z,1,1,1",
            "R10,M1,S1,,A,2026-03-29T02:30:00,2026-03-29T03:30:00Z,1,1,1",
            "R11,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00+01:00,1,1,1",
            "R12,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T06:00:00Z,0,0,0",
            "R1,M1,S1,,A,2026-03-02T07:00:00+01:00,2026-03-02T08:00:00+01:00,10,11,1.5",
            "R13,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,10,10,-0.0",
            "R14,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,00010,0010,1.50",
            "R15,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,,1,1",
            'R16,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,"",1,1',
            'R17,M1,S1,"",A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,1,1,1',
            "R18,M1,S1, ,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,1,1,1",
        )
        feed_file(
            folder,
            "downtime_events",
            "E1,M1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,JAM,,true",
            "E2,M1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,JAM,, TRUE ",
            "E3,M1,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,JAM,,yes",
            "E4,M1,2026-03-02T07:00:00Z,2026-03-02T06:59:59+00:00,JAM,,false",
            "E5,M1,2026-03-02T07:00:00Z,2026-03-02T08:00:00+01:00,JAM,x,False",
            "E6,M1,2026-03-02T07:00:00Z,,JAM,x,False",
            "E7,M1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,,x,False",
            'E8,M1,2026-03-02T07:00:00Z,2026-03-02T08:00:00Z,"",x,False',
        )
        feed_file(
            folder,
            "accounts",
            "A1,Sales,revenue,,2020-01-01T00:00:00Z",
            "A2,Material,COST,Material,2020-01-01T00:00:00Z",
            "A3,Other,cost,,2020-01-01T00:00:00Z",
            "A4,Other,cost,travel,2020-01-01T00:00:00Z",
            "A5,Other,revenue,labor,2020-01-01T00:00:00Z",
            "A6,Other,revenue,,2020-01-01T00:00:00",
            "A7,Other,asset,,2020-01-01T00:00:00Z",
            "A1,Sales,revenue,,2020-01-01T01:00:00+01:00",
            "A8,Sales,Revenue, ,2020-01-01T00:00:00Z",
            'A9,Sales,revenue,"",2020-01-01T00:00:00Z',
        )

    lean, full = load_both(wh, full_wh, tmp_path, make)
    assert diff(lean, full) == {}
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE lean_rows > 0") >= 4


def test_probe_lean_equals_full_on_retry_pending(wh, full_wh, tmp_path):
    def first(folder):
        feed_file(folder, "plants", BERLIN)
        feed_file(
            folder,
            "machines",
            "M4,Press 4,P9,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00",
            "M5,Press 5,P9,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z",
            "M4,Press 4,P9,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z",
        )
        feed_file(
            folder,
            "production_runs",
            "R9,M4,S1,,A,2026-03-02T06:00:00,2026-03-02T07:00:00Z,1,1,1",
            "R10,M4,S1,,A,2026-03-29T02:30:00,2026-03-29T03:30:00Z,1,1,1",
            "R11,M4,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,1,2,1",
            "R12,M4,S1,,A,2026-03-02T08:00:00,2026-03-02T07:00:00Z,1,1,1",
        )

    def second(folder):
        feed_file(folder, "plants", "P9,Lisbon,PT,EUR,Europe/Lisbon,2020-01-01T00:00:00Z")
        feed_file(folder, "machines", "M4,Press 4,P9,L1,press,Acme,2019-05-01,active,2021-01-01T00:00:00Z")

    for n, target in enumerate((wh, full_wh)):
        first(tmp_path / f"a{n}")
        target.load(tmp_path / f"a{n}")
        second(tmp_path / f"b{n}")
        target.load(tmp_path / f"b{n}")
        target.load(tmp_path / f"b{n}")
    lean, full = outcome(wh), outcome(full_wh)
    assert diff(lean, full) == {}


def _rand_rows(seed: int, n: int) -> list[str]:
    import random

    rnd = random.Random(seed)
    stamps = [
        "2026-03-02T06:00:00Z",
        "2026-03-02T07:00:00+01:00",
        "2026-03-02T06:00:00",
        "2026-03-02T05:00:00-01:00",
        "2026-03-02T06:00:00.5Z",
        "2026-03-29T02:30:00",
        "2026-03-29T02:30:00+02:00",
        "2026-10-25T02:30:00",
        "2025-02-29T06:00:00Z",
        "2026-03-02T06:00Z",
        "2026-03-02T06:00:00+16:00",
        "2026-03-02T06:00:00+14:00",
        " 2026-03-02T06:00:00Z",
        "2026-03-02T08:00:00Z",
        "2026-03-02T09:00:00+01:00",
        "",
    ]
    counts = ["0", "1", "5", "5.", "5.0", "-1", "+3", "10", "abc", "", "1e2", "007", "9" * 16, " 4"]
    dec = ["0", "1.5", "-0", "+.5", "-.1", "0.", "x", "", "1e3", "00.10", "2"]
    machines = ["M1", "M9", "M1 ", "m1"]
    rows = []
    for _ in range(n):
        run = f"R{rnd.randrange(n // 2)}"
        rows.append(
            ",".join(
                [
                    run,
                    rnd.choice(machines),
                    "S1",
                    rnd.choice(["", "W1"]),
                    "A",
                    rnd.choice(stamps[:15] if rnd.random() < 0.3 else stamps[:2] + stamps[13:15]),
                    rnd.choice(stamps[:2] + stamps[13:15] if rnd.random() < 0.8 else stamps),
                    rnd.choice(counts[:8] if rnd.random() < 0.9 else counts),
                    rnd.choice(counts[:8] if rnd.random() < 0.9 else counts),
                    rnd.choice(dec[:6] if rnd.random() < 0.9 else dec),
                ]
            )
        )
    return rows


def test_probe_lean_equals_full_random_runs(wh, full_wh, tmp_path):
    for seed in range(6):
        rows = _rand_rows(seed, 60)
        for n, target in enumerate((wh, full_wh)):
            folder = tmp_path / f"s{seed}_{n}"
            if seed == 0:
                feed_file(folder, "plants", BERLIN)
                feed_file(folder, "machines", M1_IN_P1)
            # no cast-raising values in half of the seeds, so that the lean path runs
            use = rows if seed % 2 else [r for r in rows if "2025-02-29" not in r and "+16:00" not in r]
            feed_file(folder, "production_runs", *use, name=f"production_runs_{seed}.csv")
            feed_file(
                folder,
                "downtime_events",
                *[f"E{r.split(',')[0]},{r.split(',')[1]},{r.split(',')[5]},{r.split(',')[6]},JAM,,true" for r in use],
                name=f"downtime_events_{seed}.csv",
            )
            target.load(folder)
        lean, full = outcome(wh), outcome(full_wh)
        assert diff(lean, full) == {}, seed


RULES = [
    # (feed, applies, condition, reason, column)
    ("sensor_readings", "after_checks", "j.metric = 'forbidden'", "value_not_allowed", "metric"),
    ("sensor_readings", "after_placing", "j.reading_ts_at < '2026-03-02T06:30:00Z'", "value_not_allowed", "reading_ts"),
    ("production_runs", "after_checks", "j.total_count = '10'", "value_not_allowed", "total_count"),
    (
        "production_runs",
        "after_placing",
        "j.end_ts_at - j.start_ts_at > interval '1 hour'",
        "value_not_allowed",
        "end_ts",
    ),
]


def test_probe_a_new_rule_row_applies_on_the_lean_path(wh, full_wh, tmp_path):
    for target in (wh, full_wh):
        for n, (feed, applies, cond, reason, col) in enumerate(RULES):
            target.conn.execute(
                "INSERT INTO etl.feed_rule (feed_name, ordinal, applies, condition, reason_code, column_name) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                (feed, 10 + n, applies, cond, reason, col),
            )

    def make(folder):
        feed_file(folder, "plants", BERLIN)
        feed_file(folder, "machines", M1_IN_P1)
        feed_file(
            folder,
            "sensor_readings",
            "M1,2026-03-02T06:00:00Z,temp,1,C",
            "M1,2026-03-02T07:00:00Z,forbidden,1,C",
            "M1,2026-03-02T07:00:01Z,temp,1,C",
        )
        feed_file(
            folder,
            "production_runs",
            "R1,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,10,1,1",
            "R2,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T07:00:00Z,11,1,1",
            "R3,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T09:00:00Z,11,1,1",
            "R4,M1,S1,,A,2026-03-02T06:00:00Z,2026-03-02T06:30:00Z,011,1,1",
        )

    lean, full = load_both(wh, full_wh, tmp_path, make)
    assert diff(lean, full) == {}
    assert wh.rejected() != []
