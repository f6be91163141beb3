"""Validation rules of every feed: one bad row per rule, the reason code and column it
must get, and the rows that must pass. Line numbers: the header is line 1."""

from __future__ import annotations

import pytest

from tests.helpers import BERLIN, M1_IN_P1, feed_file

GOOD = {
    "plants": BERLIN,
    "machines": M1_IN_P1,
    "products": "SKU1,Widget,widgets,pcs,1.25,3.00,EUR,2026-01-01T00:00:00+01:00",
    "accounts": "4000,Raw material,cost,material,2026-01-01T00:00:00Z",
    "production_runs": "R1,M1,SKU1,WO1,A,2026-03-02T06:00:00Z,2026-03-02T08:00:00Z,100,95,1.5",
    "downtime_events": "E1,M1,2026-03-02T06:00:00Z,2026-03-02T06:10:00Z,JAM,Jam,TRUE",
    "sensor_readings": "M1,2026-03-02T06:00:00Z,temperature,71.5,C",
    "gl_entries": "G1,2026-03-02,P1,CC1,4000,-12.50,EUR,Invoice 7",
    "sales_lines": "I1,1,2026-03-02,C1,Customer One,DE,SKU1,P1,-2,3.00,10,EUR",
    "fx_rates": "2026-03-02,EUR,USD,1.0842",
}

# (feed, bad row, expected reason, expected column)
BAD = [
    ("plants", "P2,,DE,EUR,Europe/Berlin,2026-01-01T00:00Z", "required_value_missing", "plant_name"),
    ("plants", "P2,X,XX,EUR,Europe/Berlin,2026-01-01T00:00Z", "value_not_allowed", "country_code"),
    ("plants", "P2,X,DE,EUX,Europe/Berlin,2026-01-01T00:00Z", "unknown_currency", "currency_code"),
    ("plants", "P2,X,DE,EUR,Europe/Berlln,2026-01-01T00:00Z", "value_not_allowed", "timezone"),
    ("plants", "P2,X,DE,EUR,Europe/Berlin,today", "unparsable_timestamp", "updated_at"),
    ("plants", "P2,X,DE,EUR,Europe/Berlin,2026-03-29 02:30", "nonexistent_local_time", "updated_at"),
    ("machines", "M2,Press,P1,L1,press,,2019-02-30,active,2026-01-01T00:00Z", "unparsable_date", "commissioned_on"),
    ("machines", "M2,Press,P1,L1,press,,2019-02-03,broken,2026-01-01T00:00Z", "value_not_allowed", "status"),
    ("machines", "M2,Press,P1,,press,,2019-02-03,idle,2026-01-01T00:00Z", "required_value_missing", "line_code"),
    ("products", "SKU2,W,f,pcs,1.2.3,3,EUR,2026-01-01T00:00Z", "unparsable_number", "standard_cost"),
    ("products", "SKU2,W,f,pcs,-1,3,EUR,2026-01-01T00:00Z", "value_not_allowed", "standard_cost"),
    ("products", "SKU2,W,f,pcs,1,NaN,EUR,2026-01-01T00:00Z", "unparsable_number", "list_price"),
    ("products", "SKU2,W,f,pcs,1,3,EUR,2026-01-01 00:00", "offset_required", "updated_at"),
    ("accounts", "4001,X,asset,,2026-01-01T00:00Z", "value_not_allowed", "account_type"),
    ("accounts", "4001,X,cost,,2026-01-01T00:00Z", "required_value_missing", "cost_category"),
    ("accounts", "4001,X,cost,travel,2026-01-01T00:00Z", "value_not_allowed", "cost_category"),
    ("accounts", "8000,Sales,revenue,material,2026-01-01T00:00Z", "value_not_allowed", "cost_category"),
    ("accounts", "4001,X,cost,labor,2026-01-01", "unparsable_timestamp", "updated_at"),
    (
        "production_runs",
        "R2,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,1e3,9,1",
        "unparsable_number",
        "total_count",
    ),
    ("production_runs", "R2,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,-1,1", "negative_count", "good_count"),
    (
        "production_runs",
        "R2,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,11,1",
        "good_exceeds_total",
        "good_count",
    ),
    ("production_runs", "R2,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T05:00Z,10,9,1", "end_before_start", "end_ts"),
    (
        "production_runs",
        "R2,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,0",
        "value_not_allowed",
        "ideal_cycle_time_s",
    ),
    ("production_runs", "R2,M1,SKU1,,A,infinity,2026-03-02T08:00Z,10,9,1", "unparsable_timestamp", "start_ts"),
    ("production_runs", "R2,M1,SKU1,,A,2026-03-02T24:00,2026-03-02T08:00Z,10,9,1", "unparsable_timestamp", "start_ts"),
    (
        "production_runs",
        "R2,M1,SKU1,,,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1",
        "required_value_missing",
        "shift_code",
    ),
    ("downtime_events", "E2,M1,2026-03-02T06:00Z,2026-03-02T06:10Z,JAM,,yes", "value_not_allowed", "is_planned"),
    ("downtime_events", "E2,M1,2026-03-29T02:15,2026-03-29T03:10,JAM,,false", "nonexistent_local_time", "start_ts"),
    ("sensor_readings", "M1,2026-03-02T06:00Z,temperature,,C", "required_value_missing", "value"),
    ("sensor_readings", "M1,2026-03-02T06:00Z,temperature,1,5,C", "malformed_record", None),
    ("sensor_readings", "M1,03/02/2026 06:00,temperature,1.5,C", "unparsable_timestamp", "reading_ts"),
    ("sensor_readings", "M1,2026-03-02T06:00Z,temperature,1" + "0" * 400 + ",C", "value_not_allowed", "value"),
    ("sensor_readings", "M1,2026-03-02T06:00Z,temperature,0." + "0" * 400 + "1,C", "value_not_allowed", "value"),
    ("sensor_readings", "M1,2026-03-02 10:00:5.,temperature,1.5,C", "unparsable_timestamp", "reading_ts"),
    ("sensor_readings", "M1,2026-03-02Z10:00:00Z,temperature,1.5,C", "unparsable_timestamp", "reading_ts"),
    ("gl_entries", "G2,2026-3-2,P1,,4000,1,EUR,", "unparsable_date", "posting_date"),
    ("gl_entries", 'G2,2026-03-02,P1,,4000,"1,5",EUR,', "unparsable_number", "amount"),
    ("gl_entries", "G2,2026-03-02,P1,,4000,1.5,XYZ,", "unknown_currency", "currency_code"),
    ("sales_lines", "I2,0,2026-03-02,C1,C,DE,SKU1,P1,1,3,,EUR", "value_not_allowed", "line_no"),
    ("sales_lines", "I2,1,2026-03-02,C1,C,DE,SKU1,P1,1,3,101,EUR", "value_not_allowed", "discount_pct"),
    ("sales_lines", "I2,1,2026-03-02,C1,C,ZZ,SKU1,P1,1,3,,EUR", "value_not_allowed", "customer_country"),
    ("sales_lines", "I2,1,2026-03-02,C1,C,,SKU1,P1,1,-3,,EUR", "value_not_allowed", "unit_price"),
    ("fx_rates", "2026-03-02,EUR,EUR,1", "value_not_allowed", "to_currency"),
    ("fx_rates", "2026-03-02,EUR,USD,0", "value_not_allowed", "rate"),
    ("fx_rates", "2026-03-02,EUR,US,1.1", "unknown_currency", "to_currency"),
]


def _load_one(wh, tmp_path, feed, *rows):
    if feed != "plants":
        feed_file(tmp_path, "plants", GOOD["plants"])
    if feed not in ("plants", "machines"):
        feed_file(tmp_path, "machines", GOOD["machines"])
    feed_file(tmp_path, feed, *rows)
    return wh.load(tmp_path).files[-1]


@pytest.mark.parametrize(("feed", "row", "reason", "column"), BAD, ids=[f"{b[0]}-{b[2]}-{b[3]}" for b in BAD])
def test_bad_row_is_rejected_with_its_reason(wh, tmp_path, feed, row, reason, column):
    f = _load_one(wh, tmp_path, feed, GOOD[feed], row)
    assert (f.read, f.accepted, f.rejected, f.pending) == (2, 1, 1, 0)
    assert wh.rejected(f.batch_id) == [(3, reason, column)]
    message = wh.scalar("SELECT message FROM etl.rejected_row WHERE batch_id = %s", (f.batch_id,))
    assert column is None or column in message  # the message names the column


def test_good_rows_of_every_feed_are_typed(wh, tmp_path):
    for feed, row in GOOD.items():
        feed_file(tmp_path, feed, row)
    files = wh.load(tmp_path).files
    assert [(f.feed, f.accepted, f.rejected) for f in files] == [(feed, 1, 0) for feed in GOOD]
    assert wh.one("SELECT quantity, unit_price, discount_pct, customer_country FROM clean.sales_line") == (
        -2,
        3,
        10,
        "DE",
    )
    assert wh.one("SELECT is_planned, reason_code FROM clean.downtime_event") == (True, "JAM")
    assert wh.scalar("SELECT amount FROM clean.gl_entry") == pytest.approx(-12.5)
    # products.updated_at +01:00 is 2025-12-31 23:00 UTC
    assert str(wh.scalar("SELECT updated_at AT TIME ZONE 'UTC' FROM clean.product")) == "2025-12-31 23:00:00"


def test_tiny_and_huge_readings_within_double_precision_load(wh, tmp_path):
    # 1e-321 (a subnormal) and 9.9e307 are within double precision; 0.000 (400 zeros) is 0.
    rows = ["M1,2026-03-02T06:00Z,a,0." + "0" * 320 + "1,C", "M1,2026-03-02T06:00Z,b,99" + "0" * 306 + ",C",
            "M1,2026-03-02T06:00Z,c,0." + "0" * 400 + ",C"]  # fmt: skip
    f = _load_one(wh, tmp_path, "sensor_readings", *rows)
    assert (f.accepted, f.rejected) == (3, 0)
    values = dict(wh.all("SELECT metric, value FROM clean.sensor_reading"))
    assert values["a"] == pytest.approx(1e-321, rel=0.01)
    assert values["b"] == pytest.approx(9.9e307)
    assert values["c"] == 0.0


def test_discount_defaults_to_zero_and_optional_columns_may_be_empty(wh, tmp_path):
    f = _load_one(wh, tmp_path, "sales_lines", "I9,2,2026-03-02,C1,Customer One,,SKU1,P1,5,2.5,,eur")
    assert f.accepted == 1
    assert wh.one("SELECT discount_pct, customer_country, currency_code FROM clean.sales_line") == (0, None, "EUR")
