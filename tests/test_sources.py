"""Real exports through the mappings of sources/ (scripts/hub import): each mapping on its
small shipped sample, with expected feed rows worked out by hand, and every source row
accounted for (mapped records + counted drops); then, when the team's copy of the public
data sets sits beside the checkout, every file of the four sets."""

from __future__ import annotations

import csv
import math
import shutil
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import psycopg
import pytest

from hublib.errors import HubError
from hublib.sources import SOURCES, import_sources
from tests.conftest import ROOT, run_hub
from tests.helpers import write

SAMPLE = {
    name: SOURCES / name / "sample" for name in ("azure_pdm", "sme_discrete_manufacturing", "ai4i2020", "superstore")
}
# The team's copy of the public sets, beside the checkout (spelled so that no file of the
# project names it: the project itself never reads it, only these tests do when present).
PUBLIC = ROOT.parent / "shared" / "data"


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def do_import(wh, *plan):
    with psycopg.connect(wh.url) as conn:
        return import_sources(conn, list(plan), log=wh.messages.append)


def accounting(wh) -> list[tuple]:
    """Per mapped batch: source rows + malformed, mapped records, dropped, and the batch's counts."""
    return wh.all(
        """
        SELECT s.source_file, s.mapping_name, s.record_part, s.source_rows, s.malformed_rows, s.mapped_records,
            s.covered_rows, s.dropped_rows, s.dropped, b.records_read, b.records_accepted + b.records_rejected
            + b.records_pending
        FROM etl.source_batch AS s JOIN etl.batch AS b USING (batch_id)
        ORDER BY s.source_file, s.mapping_name, s.record_part
        """
    )


def assert_accounted(wh):
    for file, mapping, part, rows, malformed, records, covered, dropped, _d, read, outcome in accounting(wh):
        assert rows == covered + dropped, (file, mapping, part)
        assert read == records + malformed == outcome, (file, mapping, part)


# -- Azure PdM ------------------------------------------------------------------------
def test_azure_sample_maps_by_hand(wh):
    result = do_import(wh, ("azure_pdm", [SAMPLE["azure_pdm"]]))
    assert result.failed == []
    assert_accounted(wh)
    # machines: 'AZ-001', model3, 18 years in service on 2015-01-01 -> commissioned 1997-01-01
    assert wh.all(
        "SELECT machine_code, plant_code, line_code, machine_type, commissioned_on FROM clean.machine ORDER BY 1"
    ) == [("AZ-001", "AZ", "L1", "model3", date(1997, 1, 1)), ("AZ-002", "AZ", "L1", "model4", date(2008, 1, 1))]
    # telemetry: 4 rows x 4 metrics unpivoted; naive times in plant AZ's zone (UTC)
    assert wh.scalar("SELECT count(*) FROM clean.sensor_reading") == 4 * 4 - 1
    assert wh.one(
        "SELECT value FROM clean.sensor_reading WHERE machine_code = 'AZ-001' AND metric = 'vibration' "
        "AND reading_ts = '2015-01-01 06:00:00+00'"
    ) == (45.0876857639276,)
    # line 5 of PdM_telemetry.csv has rotate 'not-a-number': rejected in the rotate part only,
    # naming the file and its line
    assert wh.all(
        "SELECT b.file_name, s.record_part, r.file_line, r.reason_code FROM etl.rejected_row AS r "
        "JOIN etl.batch AS b USING (batch_id) JOIN etl.source_batch AS s USING (batch_id)"
    ) == [("PdM_telemetry.csv", "rotate", 5, "unparsable_number")]
    # errors: zero minutes; failures: the hour; maint: planned, the repair of the failure dropped
    assert wh.all(
        "SELECT event_id, start_ts, end_ts, reason_code, is_planned FROM clean.downtime_event ORDER BY 1"
    ) == [
        ("AZ-E-1-20150101060000-error1", utc(2015, 1, 1, 6), utc(2015, 1, 1, 6), "error1", False),
        ("AZ-E-1-20150101060000-error3", utc(2015, 1, 1, 6), utc(2015, 1, 1, 6), "error3", False),
        ("AZ-E-2-20150101070000-error2", utc(2015, 1, 1, 7), utc(2015, 1, 1, 7), "error2", False),
        ("AZ-F-1-20150101070000-comp4", utc(2015, 1, 1, 7), utc(2015, 1, 1, 8), "failure_comp4", False),
        ("AZ-M-1-20141201060000-comp2", utc(2014, 12, 1, 6), utc(2014, 12, 1, 7), "maint_comp2", True),
        ("AZ-M-2-20150101060000-comp1", utc(2015, 1, 1, 6), utc(2015, 1, 1, 7), "maint_comp1", True),
    ]
    maint = [a for a in accounting(wh) if a[1] == "maint"]
    assert [(a[3], a[5], a[8]) for a in maint] == [(3, 2, {"repair_of_failure": 1})]  # 3 rows = 2 + 1


def test_importing_the_same_export_again_changes_nothing(wh):
    do_import(wh, ("azure_pdm", [SAMPLE["azure_pdm"]]))
    before = wh.snapshot()
    again = do_import(wh, ("azure_pdm", [SAMPLE["azure_pdm"]]))
    assert {m.file.status for m in again.mapped} == {"skipped"}
    assert wh.snapshot() == before


def test_a_changed_source_file_restates_its_rows(wh, tmp_path):
    folder = tmp_path / "azure"
    shutil.copytree(SAMPLE["azure_pdm"], folder)
    do_import(wh, ("azure_pdm", [folder]))
    text = (folder / "PdM_telemetry.csv").read_text().replace("45.0876857639276", "46.5")
    (folder / "PdM_telemetry.csv").write_text(text)
    do_import(wh, ("azure_pdm", [folder]))
    assert wh.scalar(
        "SELECT value FROM clean.sensor_reading WHERE machine_code = 'AZ-001' AND metric = 'vibration' "
        "AND reading_ts = '2015-01-01 06:00:00+00'"
    ) == pytest.approx(46.5)
    assert_accounted(wh)


def test_a_malformed_source_record_is_rejected_in_every_part_and_nothing_is_lost(wh, tmp_path):
    folder = tmp_path / "azure"
    write(
        folder,
        "PdM_telemetry.csv",
        "datetime,machineID,volt,rotate,pressure,vibration\n"
        "2015-01-01 06:00:00,1,170,400,100,40\n"
        "2015-01-01 07:00:00,1,170,400\n"
        "2015-01-01 08:00:00,1,171,401,101,41\n",
    )
    result = do_import(wh, ("azure_pdm", [folder]))
    assert result.failed == []
    rows = accounting(wh)
    assert [(r[2], r[3], r[4], r[5], r[9]) for r in rows] == [
        (part, 2, 1, 2, 3) for part in ("pressure", "rotate", "vibration", "volt")
    ]
    assert wh.all("SELECT DISTINCT file_line, reason_code FROM etl.rejected_row") == [(3, "malformed_record")]
    # no machines file: the machine's plant (and so its zone) is unknown, the readings wait
    assert wh.scalar("SELECT count(*) FROM etl.pending_record") == 8


def test_a_mapped_batch_counts_the_lines_of_a_file_of_its_own_only(wh):
    do_import(wh, ("azure_pdm", [SAMPLE["azure_pdm"]]))
    assert wh.all(
        "SELECT b.file_name, s.record_part, b.file_lines, b.header_lines, b.blank_lines, b.records_read, "
        "b.continuation_lines FROM etl.batch AS b JOIN etl.source_batch AS s USING (batch_id) "
        "ORDER BY 1, 2"
    ) == [
        # errors: 4 lines = header 1 + blank 0 + records 3 + continuation 0
        ("PdM_errors.csv", "", 4, 1, 0, 3, 0),
        ("PdM_failures.csv", "", 2, 1, 0, 1, 0),
        ("PdM_machines.csv", "", 3, 1, 0, 2, 0),
        # maint: 3 rows, 2 records (1 dropped): its records are not the file's lines, not counted
        ("PdM_maint.csv", "", None, 0, 0, 2, 0),
        # telemetry: 4 batches share the file (one per metric), none counts its lines
        *[("PdM_telemetry.csv", part, None, 0, 0, 4, 0) for part in ("pressure", "rotate", "vibration", "volt")],
    ]


def test_a_stray_quote_in_an_export_costs_one_record(wh, tmp_path):
    """Imported by an ETL login: its rejections reach etl.rejected_row through staging."""
    import uuid

    from psycopg.conninfo import make_conninfo

    folder = tmp_path / "azure"
    shutil.copytree(SAMPLE["azure_pdm"], folder)
    # line 2 opens a quote that is never closed; line 4 is blank
    write(
        folder,
        "PdM_errors.csv",
        'datetime,machineID,errorID\n2015-01-01 06:00:00,1,"error1\n2015-01-01 06:00:00,1,error3\n\n'
        "2015-01-01 07:00:00,2,error2\n",
    )
    login = f"importer_{uuid.uuid4().hex[:6]}"
    wh.conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD 'pw' IN ROLE hub_etl")
    try:
        info = wh.conn.info
        url = make_conninfo(host=info.host, port=info.port, user=login, password="pw", dbname=info.dbname)
        with psycopg.connect(url) as conn:
            result = import_sources(conn, [("azure_pdm", [folder])], log=wh.messages.append)
    finally:
        wh.conn.execute(f"DROP OWNED BY {login}")
        wh.conn.execute(f"DROP ROLE {login}")
    assert result.failed == []
    assert_accounted(wh)
    # 5 lines = header 1 + blank 1 + records 3 (2 mapped + 1 malformed) + continuation 0
    assert wh.one(
        "SELECT file_lines, header_lines, blank_lines, records_read, records_accepted, records_rejected "
        "FROM etl.batch WHERE file_name = 'PdM_errors.csv'"
    ) == (5, 1, 1, 3, 2, 1)
    assert wh.all(
        "SELECT r.file_line, r.reason_code, r.line_count, r.message FROM etl.rejected_row AS r "
        "JOIN etl.batch AS b USING (batch_id) WHERE b.file_name = 'PdM_errors.csv'"
    ) == [
        (
            2,
            "malformed_record",
            1,
            "PdM_errors.csv line 2: a quoted field opened here is never closed (a stray quote?)",
        )
    ]
    assert wh.all("SELECT event_id FROM clean.downtime_event WHERE event_id LIKE 'AZ-E-%' ORDER BY 1") == [
        ("AZ-E-1-20150101060000-error3",),
        ("AZ-E-2-20150101070000-error2",),
    ]


def test_a_file_lacking_a_column_the_mapping_needs_is_named_and_the_others_import(wh, tmp_path):
    folder = tmp_path / "azure"
    shutil.copytree(SAMPLE["azure_pdm"], folder)
    write(folder, "PdM_errors.csv", "datetime,machine,errorID\n2015-01-01 06:00:00,1,error1\n")
    proc = run_hub("import", "azure_pdm", str(folder), env={"DATABASE_URL": wh.url, "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "not imported" in proc.stdout and "PdM_errors.csv" in proc.stdout and "machineid" in proc.stdout
    assert "Traceback" not in proc.stderr
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE file_name = 'PdM_errors.csv'") == 0
    assert wh.scalar("SELECT count(*) FROM clean.sensor_reading") == 15


def test_import_command_prints_counts_and_refuses_an_unknown_source(wh):
    env = {"DATABASE_URL": wh.url, "PATH": "/usr/bin:/bin"}
    proc = run_hub("import", "azure_pdm", str(SAMPLE["azure_pdm"]), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "repair_of_failure 1" in proc.stdout
    # machines 2 + errors 3 + failures 1 + maint 3 - 1 dropped + telemetry 4 x 4 = 24 mapped records
    # in 8 batches (telemetry: one per metric), + the source's feed file plants.csv: 1 record, 1 batch
    assert "import: 9 batch(es) imported, 0 already imported; records 25 = accepted 24 + rejected 1 + pending 0" in (
        proc.stdout
    )
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 9
    assert wh.one("SELECT kind, state FROM reporting.pipeline_runs ORDER BY run_id DESC LIMIT 1") == ("load", "success")
    again = run_hub("import", "azure_pdm", str(SAMPLE["azure_pdm"]), env=env)
    assert "import: 0 batch(es) imported, 9 already imported; records 0 = accepted 0" in again.stdout
    proc = run_hub("import", "no_such_source", str(SAMPLE["azure_pdm"]), env=env)
    assert proc.returncode != 0
    assert proc.stderr.startswith("hub: unknown source 'no_such_source'") and "Traceback" not in proc.stderr


def test_import_of_a_folder_matching_none_of_the_source_patterns_is_a_mistake(wh, tmp_path):
    env = {"DATABASE_URL": wh.url, "PATH": "/usr/bin:/bin"}
    write(tmp_path, "notes.txt", "nothing of azure_pdm here\n")
    proc = run_hub("import", "azure_pdm", str(tmp_path), env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.startswith(f"hub: no file of {tmp_path} matches a file pattern of source azure_pdm (")
    assert len(proc.stderr.splitlines()) == 1
    # nothing loaded, not even the source's own feed files, and no run
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0
    assert wh.scalar("SELECT count(*) FROM etl.pipeline_run") == 0
    with psycopg.connect(wh.url) as conn, pytest.raises(HubError, match="matches a file pattern of source azure_pdm"):
        import_sources(conn, [("azure_pdm", [tmp_path])], log=wh.messages.append)
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0


def test_import_while_paused_records_a_paused_run_and_exits_0(wh):
    env = {"DATABASE_URL": wh.url, "PATH": "/usr/bin:/bin"}
    wh.conn.execute("CALL etl.pause('ERP cut-over')")
    proc = run_hub("import", "azure_pdm", str(SAMPLE["azure_pdm"]), env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "run 1: paused: the hub is paused (by " in proc.stdout and "ERP cut-over); nothing was done" in proc.stdout
    assert proc.stderr == ""
    assert wh.all("SELECT kind, state FROM etl.pipeline_run") == [("load", "paused")]
    assert wh.scalar("SELECT count(*) FROM etl.batch") == 0


# -- SME machine log ------------------------------------------------------------------
def test_sme_sample_builds_runs_and_alarm_stops_by_hand(wh):
    do_import(wh, ("sme_discrete_manufacturing", [SAMPLE["sme_discrete_manufacturing"]]))
    assert_accounted(wh)
    # Ideal cycle time, 5th percentile of seconds per item over full 5-minute windows:
    #   product 0 (automatic): 300/10, 300/12, 300/15 = 30, 25, 20 -> 20 + 0.05 x 2 x (25 - 20) = 20.5
    #   product 1: 300/5 (04:02:30-04:07:30), 300/10 = 60, 30 -> 30 + 0.05 x 1 x 30 = 31.5
    #   product 4 (manual only): 300/6 = 50
    # Shifts in Europe/Rome (UTC+2): 03:55Z is 05:55 (S3), 04:00Z is 06:00 (S1).
    assert wh.all(
        "SELECT run_id, product_sku, shift_code, start_ts, end_ts, total_count, good_count, ideal_cycle_time_s, "
        "file_line FROM clean.production_run ORDER BY 1"
    ) == [
        (
            "SME-A0-20220901T035500",
            "SME-P00",
            "S3",
            utc(2022, 9, 1, 3, 55),
            utc(2022, 9, 1, 4),
            10,
            10,
            Decimal("20.50"),
            2,
        ),
        (
            "SME-A0-20220901T040000",
            "SME-P00",
            "S1",
            utc(2022, 9, 1, 4),
            utc(2022, 9, 1, 4, 20),
            27,
            27,
            Decimal("20.50"),
            3,
        ),
        (
            "SME-A0-20220901T042000",
            "SME-P04",
            "S1",
            utc(2022, 9, 1, 4, 20),
            utc(2022, 9, 1, 4, 25),
            6,
            6,
            Decimal("50.00"),
            7,
        ),
        (
            "SME-A1-20220901T040000",
            "SME-P01",
            "S1",
            utc(2022, 9, 1, 4),
            utc(2022, 9, 1, 4, 7, 30),
            25,
            25,
            Decimal("31.50"),
            8,
        ),
        (
            "SME-A1-20220901T042000",
            "SME-P01",
            "S1",
            utc(2022, 9, 1, 4, 20),
            utc(2022, 9, 1, 4, 25),
            10,
            10,
            Decimal("31.50"),
            10,
        ),
    ]
    assert wh.all("SELECT event_id, start_ts, end_ts, reason_code, is_planned FROM clean.downtime_event") == [
        ("SME-A0-ALARM-20220901T040500", utc(2022, 9, 1, 4, 5), utc(2022, 9, 1, 4, 15), "alarm", False)
    ]
    # 11 rows: runs cover 1 + 4 + 1 + 2 + 1, idle 1, unreadable ('n/a' items) 1;
    # alarms cover 2, the 9 others are not alarms
    assert [(a[1], a[3], a[6], a[8]) for a in accounting(wh)] == [
        ("alarms", 11, 2, {"not_an_alarm": 9}),
        ("runs", 11, 9, {"idle_window": 1, "unreadable_row": 1}),
    ]
    wh.conn.execute("CALL etl.run_pipeline()")
    # Machine A0 on 2022-09-01 (local): scheduled 5 + 20 + 5 = 30 min, the alarm 10 min inside
    # run 2 is unplanned: run time 20; performance = (20.5 x 10 + 20.5 x 27 + 50 x 6) / 60 / 20
    a0 = wh.one(
        "SELECT scheduled_min, unplanned_downtime_min, run_time_min, performance FROM reporting.oee_daily "
        "WHERE machine_code = 'SME-A0' AND production_date = '2022-09-01'"
    )
    assert a0[:3] == (30, 10, 20)
    assert float(a0[3]) == pytest.approx((20.5 * 10 + 20.5 * 27 + 50 * 6) / 60 / 20)


# -- AI4I 2020 ------------------------------------------------------------------------
def test_ai4i_sample_converts_units_places_time_and_maps_failures(wh):
    do_import(wh, ("ai4i2020", [SAMPLE["ai4i2020"]]))
    assert_accounted(wh)
    # UDI 1 at 2020-01-06T00:00Z; 298.1 K = 24.95 degC; UDI 61 one hour later
    rows = dict(
        ((m, ts), (v, u)) for m, ts, v, u in wh.all("SELECT metric, reading_ts, value, unit FROM clean.sensor_reading")
    )
    assert len(rows) == 5 * 5
    assert rows[("air_temperature", utc(2020, 1, 6))] == (pytest.approx(298.1 - 273.15), "degC")
    assert rows[("process_temperature", utc(2020, 1, 6, 1))] == (pytest.approx(310.0 - 273.15), "degC")
    assert rows[("torque", utc(2020, 1, 6, 0, 1))] == (46.3, "Nm")
    # failures: UDI 61 (TWF and OSF) and 63 (no mode); UDI 62 has RNF but no failure: dropped
    assert wh.all(
        "SELECT event_id, start_ts, end_ts, reason_code, reason_description FROM clean.downtime_event ORDER BY 1"
    ) == [
        (
            "AI4I-F-61",
            utc(2020, 1, 6, 1),
            utc(2020, 1, 6, 1, 1),
            "tool_wear_failure",
            "AI4I failure; modes set: TWF OSF",
        ),
        (
            "AI4I-F-63",
            utc(2020, 1, 6, 1, 2),
            utc(2020, 1, 6, 1, 3),
            "unspecified_failure",
            "AI4I failure; modes set: none",
        ),
    ]
    failures = [a for a in accounting(wh) if a[1] == "failures"]
    assert [(a[3], a[5], a[8]) for a in failures] == [(5, 2, {"no_failure": 3})]


# -- Superstore -----------------------------------------------------------------------
def test_superstore_sample_maps_products_and_sales_by_hand(wh):
    result = do_import(wh, ("superstore", [SAMPLE["superstore"]]))
    assert_accounted(wh)
    assert sorted((p.name, what) for p, what in result.not_driving) == [
        ("addresses.csv", "looked up by mapping sales_lines"),
        ("customers.csv", "looked up by mapping sales_lines"),
        ("orders.csv", "looked up by mapping sales_lines"),
        ("states.csv", "read by no mapping"),
    ]
    # TEC: cost (100 - 10.5) + (50 - 5.25) = 134.25 over 3 units = 44.75; list (100 + 50) / 3 = 50
    # OFF: cost (24 + 2.5) + (4 + 8) = 38.5 over 8 = 4.8125; list (24 / 0.8 + 4 / 0.2) / 8 = 6.25
    assert wh.all(
        "SELECT product_sku, product_name, product_family, standard_cost, list_price FROM clean.product ORDER BY 1"
    ) == [
        ("OFF-PA-10000001", "Paper A4", "Office Supplies", Decimal("4.8125"), Decimal("6.2500")),
        (
            "TEC-PH-10002075",
            "Phone, Model \u201cPillow Soft\u201d Im\u00e0ge",
            "Technology",
            Decimal("44.7500"),
            Decimal("50.0000"),
        ),
    ]
    # line 2: 24.00 after 20 % off 3 units -> unit price 24 / (3 x 0.8) = 10; 9/7/2012 is 7 September
    assert wh.one(
        "SELECT invoice_date, customer_code, customer_name, customer_country, quantity, unit_price, discount_pct "
        "FROM clean.sales_line WHERE line_no = 2"
    ) == (date(2012, 9, 7), "AA-10315", "Alex Avila", "US", 3, 10, 20)
    assert [(a[1], a[3], a[5], a[8]) for a in accounting(wh)] == [
        ("sales_lines", 4, 4, {}),
        ("products", 3, 2, {"never_sold": 1}),
    ]
    wh.conn.execute("CALL etl.run_pipeline()")
    # September 2012: TEC revenue 100, COGS 2 x 44.75 = 89.5; OFF 24, 3 x 4.8125 = 14.4375
    assert wh.all(
        "SELECT product_sku, revenue, cogs, gross_margin FROM reporting.profitability_monthly "
        "WHERE month = '2012-09-01' ORDER BY 1"
    ) == [
        ("OFF-PA-10000001", 24, Decimal("14.4375"), Decimal("9.5625")),
        ("TEC-PH-10002075", 100, Decimal("89.5"), Decimal("10.5")),
    ]


# -- the public sets, when present ----------------------------------------------------
def _public(name: str) -> Path:
    folder = PUBLIC / name
    if not folder.is_dir():
        pytest.skip(f"the public data set {name} is not beside the checkout ({folder} absent)")
    return folder


def _records(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def public_wh(warehouse_server, tmp_path_factory):
    """One database holding all four public sets, imported and through the chain (module-wide:
    importing them takes a few seconds)."""
    from pytest_postgresql.janitor import DatabaseJanitor

    from tests.helpers import Warehouse

    available = [
        n
        for n in ("azure_pdm", "sme_discrete_manufacturing", "ai4i2020", "superstore_normalized")
        if (PUBLIC / n).is_dir()
    ]
    if not available:
        pytest.skip(f"the public data sets are not beside the checkout ({PUBLIC} absent)")
    janitor = DatabaseJanitor(
        user=warehouse_server.user,
        host=warehouse_server.host,
        port=warehouse_server.port,
        dbname="hub_public",
        template_dbname=warehouse_server.template_dbname,
        password=warehouse_server.password,
    )
    with (
        janitor,
        psycopg.connect(
            host=warehouse_server.host,
            port=warehouse_server.port,
            user=warehouse_server.user,
            password=warehouse_server.password,
            dbname="hub_public",
            autocommit=True,
        ) as conn,
    ):
        wh = Warehouse(conn)
        plan = [("superstore" if n == "superstore_normalized" else n, [PUBLIC / n]) for n in available]
        result = do_import(wh, *plan)
        wh.result = result
        wh.conn.execute("CALL etl.run_pipeline()")
        yield wh


EXPECTED_ROWS = {
    # file: data records (PROVENANCE.md of each set)
    "PdM_machines.csv": 100,
    "PdM_telemetry.csv": 43_200,
    "PdM_errors.csv": 3_919,
    "PdM_failures.csv": 761,
    "PdM_maint.csv": 3_286,
    "company_A_labelled_subset.csv": 14_492,
    "ai4i2020.csv": 10_000,
    "lineitems.csv": 9_994,
    "products.csv": 1_875,
}


def test_public_sets_import_with_nothing_lost(public_wh):
    assert public_wh.result.failed == []
    assert_accounted(public_wh)
    for file, _mapping, _part, rows, malformed, *_rest in accounting(public_wh):
        assert rows + malformed == EXPECTED_ROWS[file], file
    assert public_wh.scalar("SELECT count(*) FROM etl.batch_reconciliation WHERE NOT is_reconciled") == 0


def test_public_azure_machine_1_vibration_on_2_january_matches_the_raw_telemetry(public_wh):
    folder = _public("azure_pdm")
    raw = [
        float(r["vibration"])
        for r in _records(folder / "PdM_telemetry.csv")
        if r["machineID"] == "1" and r["datetime"].startswith("2015-01-02 ")
    ]
    assert len(raw) == 24
    hourly = public_wh.all(
        "SELECT readings, avg_value FROM reporting.sensor_hourly WHERE machine_code = 'AZ-001' "
        "AND metric = 'vibration' AND hour_start >= '2015-01-02 00:00+00' AND hour_start < '2015-01-03 00:00+00'"
    )
    assert [r[0] for r in hourly] == [1] * 24
    assert math.fsum(r[1] for r in hourly) / 24 == pytest.approx(math.fsum(raw) / 24, rel=1e-12)


def test_public_superstore_product_month_matches_the_raw_lines(public_wh):
    folder = _public("superstore_normalized")
    lines = _records(folder / "lineitems.csv")
    orders = {o["Order ID"]: o for o in _records(folder / "orders.csv")}
    sku = "OFF-BI-10003527"  # a binder sold in several months
    mine = [r for r in lines if r["Product ID"] == sku]
    unit_cost = round(
        sum(Decimal(r["Sales"]) - Decimal(r["Profit"]) for r in mine) / sum(Decimal(r["Quantity"]) for r in mine), 4
    )
    by_month: dict[date, list[dict]] = {}
    for r in mine:
        m, _d, y = (int(x) for x in orders[r["Order ID"]]["Order Date"].split("/"))
        by_month.setdefault(date(y, m, 1), []).append(r)
    month, month_lines = max(by_month.items(), key=lambda kv: (len(kv[1]), kv[0]))
    revenue = sum(Decimal(r["Sales"]) for r in month_lines)
    cogs = sum(Decimal(r["Quantity"]) * unit_cost for r in month_lines)
    got = public_wh.one(
        "SELECT revenue, cogs, gross_margin FROM reporting.profitability_monthly WHERE product_sku = %s AND month = %s",
        (sku, month),
    )
    assert got is not None
    assert float(got[0]) == pytest.approx(float(revenue), abs=1e-9)
    assert got[1] == cogs
    assert float(got[2]) == pytest.approx(float(revenue - cogs), abs=1e-9)


def test_public_sme_production_date_is_plant_local(public_wh):
    _public("sme_discrete_manufacturing")
    # the log starts 2022-08-31 22:00 UTC = 2022-09-01 00:00 in Europe/Rome: no August day
    assert public_wh.scalar("SELECT min(production_date) FROM reporting.oee_daily WHERE plant_code = 'SMEA'") == date(
        2022, 9, 1
    )


def test_the_etl_role_imports_but_writes_the_source_tables_only_through_their_routines(wh):
    import uuid

    from psycopg.conninfo import make_conninfo

    login = f"importer_{uuid.uuid4().hex[:6]}"
    wh.conn.execute(f"CREATE ROLE {login} LOGIN PASSWORD 'pw' IN ROLE hub_etl")
    try:
        info = wh.conn.info
        url = make_conninfo(host=info.host, port=info.port, user=login, password="pw", dbname=info.dbname)
        with psycopg.connect(url) as conn:
            # outside an import run no watermark may be set (test_source_pulls.py has the rest)
            with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState):
                conn.execute("CALL etl.set_source_watermark('azure_pdm', 'y', '2015-01-01', 3)")
            conn.rollback()
            run_id = conn.execute("SELECT etl.start_run('load')").fetchone()[0]
            conn.commit()
            result = import_sources(conn, [("azure_pdm", [SAMPLE["azure_pdm"]])], log=lambda _m: None)
            conn.execute("CALL etl.set_source_watermark('azure_pdm', 'y', '2015-01-01', 3)")
            conn.commit()
            with pytest.raises(psycopg.errors.InvalidParameterValue):
                conn.execute("CALL etl.set_source_watermark('azure_pdm', 'y', '2015-01-02', -1)")
            conn.rollback()
            with pytest.raises(psycopg.errors.InvalidParameterValue, match="imported no batch of source x"):
                conn.execute("CALL etl.set_source_watermark('x', 'y', '2015-01-02', 1)")
            conn.rollback()
            conn.execute("SELECT etl.finish_run(%s, 'success')", (run_id,))
            conn.commit()
        assert result.failed == []
        assert wh.scalar("SELECT count(*) FROM etl.source_batch") == 8
        with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("UPDATE etl.source_batch SET dropped_rows = 0")
        with psycopg.connect(url) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO etl.source_watermark VALUES ('x', 'y', 'z', 0)")
        assert wh.one("SELECT source_name, watermark, rows_pulled FROM etl.source_watermark") == (
            "azure_pdm",
            "2015-01-01",
            3,
        )
    finally:
        wh.conn.execute(f"DROP OWNED BY {login}")
        wh.conn.execute(f"DROP ROLE {login}")


def test_record_source_batch_refuses_a_batch_that_loses_source_rows(wh):
    do_import(wh, ("azure_pdm", [SAMPLE["azure_pdm"]]))
    batch = wh.scalar("SELECT batch_id FROM etl.source_batch WHERE mapping_name = 'maint'")
    wh.conn.execute("DELETE FROM etl.source_batch WHERE batch_id = %s", (batch,))
    # 3 rows but 2 covered and nothing dropped: one row unaccounted for
    with pytest.raises(psycopg.errors.CheckViolation, match="3 rows <> 2 covered \\+ 0 dropped"):
        wh.conn.execute(
            "CALL etl.record_source_batch(%s, 'azure_pdm', 'maint', '', 'PdM_maint.csv', 'x', 3, 0, 2, 2, '{}')",
            (batch,),
        )
    # a batch read 2 records: 3 mapped records cannot have gone into it
    with pytest.raises(psycopg.errors.CheckViolation, match="read 2 records, not 3 mapped"):
        wh.conn.execute(
            "CALL etl.record_source_batch(%s, 'azure_pdm', 'maint', '', 'PdM_maint.csv', 'x', 3, 0, 3, 3, '{}')",
            (batch,),
        )
    # right: recorded, and recording it again changes nothing
    for _ in range(2):
        wh.conn.execute(
            "CALL etl.record_source_batch(%s, 'azure_pdm', 'maint', '', 'PdM_maint.csv', 'x', 3, 0, 2, 2, "
            "'{\"repair_of_failure\": 1}')",
            (batch,),
        )
    assert wh.one("SELECT dropped_rows, dropped FROM etl.source_batch WHERE batch_id = %s", (batch,)) == (
        1,
        {"repair_of_failure": 1},
    )


def test_demo_real_on_the_samples_prints_the_summary(tmp_path):
    """`scripts/hub demo --real DIR` on the private cluster, DIR holding the four samples
    under the public sets' folder names."""
    import subprocess

    from hublib.db import private_cluster

    data = tmp_path / "data"
    for source, folder in [
        ("azure_pdm", "azure_pdm"),
        ("sme_discrete_manufacturing", "sme_discrete_manufacturing"),
        ("ai4i2020", "ai4i2020"),
        ("superstore", "superstore_normalized"),
    ]:
        shutil.copytree(SAMPLE[source], data / folder)
    cluster = private_cluster()
    was_running = cluster.initialized() and cluster.running_port() is not None
    try:
        proc = subprocess.run(
            [str(ROOT / "scripts" / "hub"), "demo", "--real", str(data)], capture_output=True, text=True, cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        out = proc.stdout
        assert "found ai4i2020 (" in out and "superstore (" in out
        assert "OEE by plant and line, September 2022" in out
        # the alarm of A0, 04:05-04:15Z, inside its run
        assert "  SMEA alarm        unplanned       10 min  100.0% of the plant's month" in out
        # 2 machines x 2 hours; rotate lost one reading (line 5 rejected)
        assert "  AZ    vibration               2 machine(s)        4 machine-hours" in out
        assert "  AZ    rotate                  2 machine(s)        3 machine-hours" in out
        # October 2012: TEC 50 with margin 50 - 44.75 = 5.25; OFF 4 with 4 - 5 x 4.8125 = -20.0625
        assert "Revenue and gross margin by product family, October 2012" in out
        assert "  SS    Technology         revenue        50.00 USD  margin        5.25   10.5%" in out
        assert "  SS    Office Supplies    revenue         4.00 USD  margin      -20.06  -501.6%" in out
        # the closing lines go through scripts/hub psql: no password on screen (docs/security.md)
        assert "  scripts/hub --db hub_demo psql -c 'SELECT * FROM reporting.oee_daily'" in out
        password = cluster.password_file.read_text().strip()
        assert password and password not in proc.stdout + proc.stderr
        assert "postgresql://" not in out
    finally:
        if not was_running:
            cluster.down()
    proc = subprocess.run([str(ROOT / "scripts" / "hub"), "demo", "--real"], capture_output=True, text=True)
    # the argparse command line (issue 13) names the missing DIR itself, before demo --real runs
    assert proc.returncode == 2 and proc.stderr.startswith(
        "hub: scripts/hub demo: argument --real: expected one argument"
    )


def test_a_broken_mapping_is_named_in_one_line(wh, tmp_path):
    from hublib.errors import HubError

    root = tmp_path / "sources"
    shutil.copytree(SOURCES / "azure_pdm", root / "src")
    (root / "src" / "errors.sql").write_text("SELECT e.source_line, FROM src_errors AS e\n")
    with psycopg.connect(wh.url) as conn, pytest.raises(HubError) as err:
        import_sources(conn, [("src", [SAMPLE["azure_pdm"] / "PdM_errors.csv"])], log=wh.messages.append, root=root)
    assert str(err.value).startswith("mapping ") and "errors.sql failed on PdM_errors.csv: syntax error" in str(
        err.value
    )
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE file_name = 'PdM_errors.csv'") == 0


def test_a_source_whose_encoding_breaks_lines_otherwise_is_refused(tmp_path):
    from hublib.errors import HubError
    from hublib.sources import read_source

    root = tmp_path / "sources"
    shutil.copytree(SOURCES / "azure_pdm", root / "src")
    toml = root / "src" / "source.toml"
    toml.write_text(toml.read_text().replace('table = "errors"\n', 'table = "errors"\nencoding = "utf-16"\n'))
    with pytest.raises(HubError, match="file 'errors': encoding 'utf-16' is unknown or writes line breaks"):
        read_source("src", root)
    toml.write_text(toml.read_text().replace('"utf-16"', '"cp1252"'))
    assert read_source("src", root).files[2].encoding == "cp1252"


def test_import_command_usage_errors(wh):
    env = {"DATABASE_URL": wh.url, "PATH": "/usr/bin:/bin"}
    for args, fragment in [
        (("import", "azure_pdm"), "give the export's PATH(s), or --pull"),
        (("import", "azure_pdm", "--pull"), "source azure_pdm declares no [[pull]]"),
        (("import", "azure_pdm", str(SAMPLE["azure_pdm"]), "--full"), "--since and --full go with --pull"),
        (("import", "azure_pdm", "/nonexistent/export"), "/nonexistent/export does not exist"),
    ]:
        proc = run_hub(*args, env=env)
        assert proc.returncode != 0, args
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("hub: ") and fragment in lines[0], (args, proc.stderr)
