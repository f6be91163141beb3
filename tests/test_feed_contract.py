"""The feed contract (etl.feed_column) is the one definition of every feed's per-column
checks: etl.validate_feed generates them from its rows, so a new column is a row plus a
migration, and a changed row changes what is accepted without touching a procedure."""

from __future__ import annotations

import psycopg
import pytest

from tests.helpers import BERLIN, HEADERS, M1_IN_P1, feed_file

RUN = "R{n},M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1.5,{scrap}"


def test_adding_a_column_is_a_contract_row_and_a_migration(wh, tmp_path):
    # what the migration of a new optional column scrap_count (a count >= 0) would say
    wh.conn.execute(
        "INSERT INTO etl.feed_column (feed_name, column_name, ordinal, is_optional, value_type, description, "
        "is_required, min_value, range_reason) "
        "VALUES ('production_runs', 'scrap_count', 11, TRUE, 'count', 'Units scrapped.', FALSE, 0, 'negative_count')"
    )
    wh.conn.execute("ALTER TABLE staging.production_runs ADD COLUMN scrap_count text")
    wh.conn.execute("ALTER TABLE clean.production_run ADD COLUMN scrap_count bigint")

    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    scraps = ["3", "-2", "x", "", "4.0"]
    rows = [RUN.format(n=n, scrap=s) for n, s in enumerate(scraps, start=1)]
    feed_file(tmp_path, "production_runs", *rows, header=HEADERS["production_runs"] + ",scrap_count")
    f = wh.load(tmp_path).files[-1]

    # lines: header 1, R1 2, R2 3, R3 4, R4 5, R5 6
    assert (f.read, f.accepted, f.rejected) == (5, 3, 2)
    assert wh.rejected(f.batch_id) == [(3, "negative_count", "scrap_count"), (4, "unparsable_number", "scrap_count")]
    assert wh.all("SELECT run_id, scrap_count FROM clean.production_run ORDER BY run_id") == [
        ("R1", 3),
        ("R4", None),
        ("R5", 4),
    ]
    assert wh.scalar("SELECT message FROM etl.rejected_row WHERE file_line = 3") == "scrap_count '-2' is below zero"

    # a file without the optional column still loads (it is NULL)
    feed_file(tmp_path / "old", "production_runs", "R6,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,9,1.5")
    g = wh.load(tmp_path / "old").files[-1]
    assert (g.accepted, g.rejected) == (1, 0)
    assert wh.scalar("SELECT scrap_count FROM clean.production_run WHERE run_id = 'R6'") is None


def test_a_changed_contract_row_changes_what_is_accepted(wh, tmp_path):
    feed_file(tmp_path / "a", "plants", BERLIN)
    feed_file(tmp_path / "a", "machines", "M2,Press 2,P1,L1,press,,2019-05-01,Scrapped,2020-01-01T00:00:00Z")
    f = wh.load(tmp_path / "a").files[-1]
    assert wh.rejected(f.batch_id) == [(2, "value_not_allowed", "status")]
    assert wh.scalar("SELECT message FROM etl.rejected_row") == (
        "status 'Scrapped' is not allowed: one of active, idle, retired"
    )

    # the migration that allows a fifth status: the contract row, and the clean table's CHECK
    wh.conn.execute(
        "ALTER TABLE clean.machine DROP CONSTRAINT machine_status_check, ADD CONSTRAINT machine_status_check "
        "CHECK (status IN ('active', 'idle', 'retired', 'scrapped'))"
    )
    wh.conn.execute(
        "UPDATE etl.feed_column SET allowed_values = allowed_values || '{scrapped}'::text[], "
        "allowed_text = 'one of active, idle, retired, scrapped' "
        "WHERE feed_name = 'machines' AND column_name = 'status'"
    )
    feed_file(
        tmp_path / "b",
        "machines",
        "M2,Press 2,P1,L1,press,,2019-05-01,Scrapped,2020-01-01T00:00:00Z",
        "M3,Press 3,P1,L1,press,,2019-05-01,broken,2020-01-01T00:00:00Z",
    )
    g = wh.load(tmp_path / "b").files[-1]
    assert (g.accepted, g.rejected) == (1, 1)
    assert wh.scalar("SELECT status FROM clean.machine WHERE machine_code = 'M2'") == "scrapped"
    assert wh.scalar("SELECT message FROM etl.rejected_row WHERE batch_id = %s", (g.batch_id,)) == (
        "status 'broken' is not allowed: one of active, idle, retired, scrapped"
    )


def test_every_stored_column_has_its_contract_row(wh):
    # the clean table's columns are the feed's columns (plus where they came from)
    rows = wh.all(
        "SELECT f.feed_name, a.attname::text FROM etl.feed AS f "
        "JOIN pg_attribute AS a ON a.attrelid = ('clean.' || f.clean_table)::regclass "
        "AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE a.attname NOT IN ('batch_id', 'file_line') "
        "EXCEPT SELECT feed_name, column_name FROM etl.feed_column"
    )
    assert rows == []
    # and a column stored without a contract row is a clear error, not a silent NULL
    wh.conn.execute("ALTER TABLE clean.fx_rate ADD COLUMN source text")
    batch = wh.scalar(
        "SELECT etl.register_batch('fx_rates', 'fx_rates.csv', '/x/fx_rates.csv', 'sha-fx', 1, "
        "'{}'::text[], '{}'::text[], 'copy')"
    )
    with pytest.raises(psycopg.errors.InvalidTableDefinition) as info:
        wh.conn.execute("CALL etl.validate_fx_rates(%s)", (batch,))
    assert info.value.diag.message_primary == ("etl.validate_feed: clean.fx_rate.source has no row in etl.feed_column")


@pytest.mark.parametrize(
    ("change", "constraint"),
    [
        ("SET placed_by = NULL WHERE column_name = 'start_ts'", "feed_column_placed_by_check"),
        ("SET placed_by = 'plant' WHERE column_name = 'run_id'", "feed_column_placed_by_check"),
        ("SET min_value = 0 WHERE column_name = 'run_id'", "feed_column_range_check"),
        ("SET range_reason = 'nope' WHERE column_name = 'total_count'", "feed_column_range_reason_fkey"),
        ("SET fold_case = 'title' WHERE column_name = 'shift_code'", "feed_column_fold_case_check"),
    ],
)
def test_the_contract_refuses_rows_the_checks_could_not_follow(wh, change, constraint):
    with pytest.raises(psycopg.errors.IntegrityError) as info:
        wh.conn.execute(f"UPDATE etl.feed_column {change} AND feed_name = 'production_runs'")
    assert info.value.diag.constraint_name == constraint


def test_the_contract_is_checked_before_a_feeds_own_rules(wh, tmp_path):
    """docs/feeds.md: every per-column check of the contract, in column order, comes before
    the feed's own cross-column rules, so a row with two faults is named by the contract's."""
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(tmp_path, "machines", M1_IN_P1)
    # a revenue account with a cost category (own rule) and no offset (contract)
    feed_file(tmp_path, "accounts", "8000,Sales,revenue,material,2026-01-01 00:00")
    # good > total (own rule) and ideal_cycle_time_s 0 (the contract's range)
    feed_file(tmp_path, "production_runs", "R1,M1,SKU1,,A,2026-03-02T06:00Z,2026-03-02T08:00Z,10,11,0")
    # one currency to itself (own rule) at a broken rate (contract)
    feed_file(tmp_path, "fx_rates", "2026-03-02,EUR,eur,1.2.3")
    wh.load(tmp_path)
    assert wh.all(
        "SELECT b.feed_name, r.reason_code, r.column_name FROM etl.rejected_row AS r "
        "JOIN etl.batch AS b USING (batch_id) ORDER BY b.batch_id"
    ) == [
        ("accounts", "offset_required", "updated_at"),
        ("production_runs", "value_not_allowed", "ideal_cycle_time_s"),
        ("fx_rates", "unparsable_number", "rate"),
    ]


def test_adding_a_rule_is_a_contract_row_and_a_migration(wh, tmp_path):
    """A feed's own rule is a row of etl.feed_rule: no procedure changes. Plants take the
    full grammar (their country, currency and zone are lookups), readings the lean path:
    both apply the rule (the rows below would pass every column check)."""
    wh.conn.execute(
        "INSERT INTO etl.feed_rule (feed_name, ordinal, applies, condition, reason_code, column_name, detail) "
        "VALUES ('plants', 1, 'after_checks', 'j.plant_name = j.plant_code', 'value_not_allowed', 'plant_name', "
        "'a plant''s name is more than its code')"
    )
    feed_file(tmp_path, "plants", BERLIN, "P2,P2,DE,EUR,Europe/Berlin,2020-01-01T00:00:00Z")
    f = wh.load(tmp_path).files[-1]
    # lines: header 1, P1 2, P2 3
    assert (f.read, f.accepted, f.rejected) == (2, 1, 1)
    assert wh.rejected(f.batch_id) == [(3, "value_not_allowed", "plant_name")]
    assert wh.scalar("SELECT message FROM etl.rejected_row") == (
        "plant_name 'P2' is not allowed: a plant's name is more than its code"
    )

    wh.conn.execute(
        "INSERT INTO etl.feed_rule (feed_name, ordinal, applies, condition, reason_code, column_name, detail) "
        "VALUES ('sensor_readings', 2, 'after_checks', 'j.metric = j.unit', 'value_not_allowed', 'unit', "
        "'a unit is not its metric')"
    )
    feed_file(tmp_path / "r", "machines", M1_IN_P1)
    feed_file(tmp_path / "r", "sensor_readings", "M1,2026-03-02T06:00:00Z,temp,1.5,C", "M1,2026-03-02T06:01:00Z,C,2,C")
    g = wh.load(tmp_path / "r").files[-1]
    # lines: header 1, the good reading 2, the one whose unit is its metric 3; the first is lean
    assert (g.read, g.accepted, g.rejected) == (2, 1, 1)
    assert wh.rejected(g.batch_id) == [(3, "value_not_allowed", "unit")]
    assert wh.scalar("SELECT lean_rows FROM etl.batch WHERE batch_id = %s", (g.batch_id,)) == 1


def test_every_feed_has_its_generated_validator(wh):
    """etl.define_feed_validators gives each feed of etl.feed its etl.validate_<feed>: a
    definer procedure with a pinned search_path that the ETL role may execute."""
    feeds = [r[0] for r in wh.all("SELECT feed_name FROM etl.feed ORDER BY feed_name")]
    got = wh.all(
        "SELECT substr(p.proname, 10), p.prosecdef, p.proconfig, has_function_privilege('hub_etl', p.oid, 'EXECUTE') "
        "FROM pg_proc AS p WHERE p.pronamespace = 'etl'::regnamespace AND p.proname LIKE 'validate\\_%' "
        "AND p.proname <> 'validate_feed' ORDER BY 1"
    )
    assert got == [(f, True, ["search_path=pg_catalog, pg_temp"], True) for f in feeds]
    assert len(feeds) == 10
