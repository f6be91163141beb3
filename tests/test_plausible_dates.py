"""Plausible date windows (etl.plausible_window, defaults in etl.setting): a value outside
its column's window is value_not_allowed with the window in the message, and no derived
calendar grows with it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.helpers import BERLIN, M1_IN_P1, feed_file

GL = "G{n},{d},P1,CC1,5100,100.00,EUR,entry"
ACCOUNT = "5100,Material,cost,material,2020-01-01T00:00:00Z"
RATE = "2026-03-01,EUR,USD,1.1"


def _latest() -> date:
    return datetime.now(UTC).date() + timedelta(days=366)


def test_open_ended_gl_date_is_rejected_and_fx_daily_spans_only_what_the_facts_need(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "accounts", ACCOUNT)
    feed_file(tmp_path, "fx_rates", RATE)
    feed_file(tmp_path, "gl_entries", GL.format(n=1, d="2026-03-02"), GL.format(n=2, d="9999-12-31"))
    f = {f.path.name: f for f in wh.load(tmp_path).files}["gl_entries.csv"]
    assert (f.read, f.accepted, f.rejected) == (2, 1, 1)
    assert wh.rejected(f.batch_id) == [(3, "value_not_allowed", "posting_date")]
    assert wh.scalar("SELECT message FROM etl.rejected_row") == (
        f"posting_date '9999-12-31' is not allowed: outside the plausible window 1990-01-01 to {_latest()} "
        "(etl.plausible_window)"
    )
    wh.conn.execute("CALL etl.run_pipeline()")
    # EUR only (the reporting currency USD needs no rate), 2026-03-02 to the end of March:
    # 31 - 2 + 1 = 30 days.
    assert wh.one("SELECT count(*), min(rate_date), max(rate_date) FROM dw.fx_daily") == (
        30,
        date(2026, 3, 2),
        date(2026, 3, 31),
    )


def test_windows_per_column_edges_and_settings(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1, "M2,Old press,P1,L1,press,,1899-12-31,active,2020-01-01T00:00:00Z")
    latest = _latest()
    feed_file(
        tmp_path,
        "gl_entries",
        GL.format(n=1, d="1990-01-01"),  # first day of the window: accepted
        GL.format(n=2, d="1989-12-31"),  # line 3: one day before
        GL.format(n=3, d=latest.isoformat()),  # last day: accepted
        GL.format(n=4, d=(latest + timedelta(days=1)).isoformat()),  # line 5: one day after
    )
    ts = (latest + timedelta(days=1)).isoformat()
    feed_file(
        tmp_path,
        "production_runs",
        "R1,M1,SKU1,,A,1989-12-31T23:59:59Z,1990-01-01T01:00:00Z,1,1,1",  # line 2: start too early
        f"R2,M1,SKU1,,A,2026-03-02T06:00:00Z,{ts}T00:00:00Z,1,1,1",  # line 3: end too late
        "R3,M1,SKU1,,A,1990-01-01T00:00:00Z,1990-01-01T01:00:00Z,1,1,1",
    )
    files = {f.path.name: f for f in wh.load(tmp_path).files}
    # Machines: commissioned_on has its own window from 1900-01-01.
    assert wh.rejected(files["machines.csv"].batch_id) == [(3, "value_not_allowed", "commissioned_on")]
    assert wh.rejected(files["gl_entries.csv"].batch_id) == [
        (3, "value_not_allowed", "posting_date"),
        (5, "value_not_allowed", "posting_date"),
    ]
    assert wh.rejected(files["production_runs.csv"].batch_id) == [
        (2, "value_not_allowed", "start_ts"),
        (3, "value_not_allowed", "end_ts"),
    ]
    # The window is data: widen it and the same rows load.
    wh.conn.execute(
        "UPDATE etl.setting SET setting_value = '1980-01-01' WHERE setting_name = 'plausible_earliest_date'"
    )
    feed_file(tmp_path / "again", "gl_entries", GL.format(n=2, d="1989-12-31"), name="gl_entries_2.csv")
    assert wh.load(tmp_path / "again").files[0].accepted == 1
