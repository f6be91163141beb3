"""scripts/hub import SOURCE --pull: a source table pulled from a second database on the
test cluster, and from a local HTTP API (pytest-httpserver), incrementally by watermark,
then through the same mapping and validation as an export file."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from werkzeug import Response

from hublib.errors import HubError
from hublib.sources import SOURCES, import_sources
from tests.helpers import write

MACHINES = (
    "machine_code,machine_name,plant_code,line_code,machine_type,manufacturer,commissioned_on,status,updated_at\n"
    "AZ-001,Azure PdM machine 1,AZ,L1,model3,,1997-01-01,active,2015-01-01T00:00:00Z\n"
)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def pull(wh, root, url=None, **kwargs):
    """Pulls the source as `scripts/hub import src --pull` does: inside a load run of the
    session (etl.set_source_watermark refuses a call from outside one)."""
    with psycopg.connect(url or wh.url) as conn:
        run_id = conn.execute("SELECT etl.start_run('load')").fetchone()[0]
        conn.commit()
        try:
            return import_sources(conn, [("src", [])], log=wh.messages.append, root=root, pull=True, **kwargs)
        finally:
            conn.rollback()
            conn.execute("SELECT etl.finish_run(%s, 'success')", (run_id,))
            conn.commit()


def readings(wh) -> list[tuple]:
    return wh.all("SELECT machine_code, metric, reading_ts, value FROM clean.sensor_reading ORDER BY 1, 2, 3")


# -- a source database ----------------------------------------------------------------
@pytest.fixture
def source_db(wh, monkeypatch):
    """A second database on the test cluster holding Azure-shaped telemetry with an
    updated_at the source sets on every change."""
    name = f"{conninfo_to_dict(wh.url)['dbname']}_source"
    wh.conn.execute(f'CREATE DATABASE "{name}"')
    url = make_conninfo(wh.url, dbname=name)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE telemetry (datetime timestamp, machine_id integer, volt double precision, "
            "rotate double precision, pressure double precision, vibration double precision, "
            "updated_at timestamptz NOT NULL)"
        )
    monkeypatch.setenv("HUB_TEST_SOURCE_DB", url)
    yield url
    wh.conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def db_source(tmp_path):
    """A source folder: Azure's telemetry mapping, pulled from the database above."""
    root = tmp_path / "sources"
    folder = root / "src"
    folder.mkdir(parents=True)
    shutil.copy(SOURCES / "azure_pdm" / "telemetry.sql", folder / "telemetry.sql")
    shutil.copytree(SOURCES / "azure_pdm" / "feeds", folder / "feeds")
    write(folder / "feeds", "machines.csv", MACHINES)
    write(
        folder,
        "source.toml",
        """
[[file]]
table = "telemetry"
patterns = ["telemetry*.csv"]

[[pull]]
table = "telemetry"
kind = "postgres"
url_env = "HUB_TEST_SOURCE_DB"
query = '''SELECT to_char(datetime, 'YYYY-MM-DD HH24:MI:SS') AS datetime, machine_id AS machineid,
    volt, rotate, pressure, vibration, updated_at FROM telemetry'''
watermark = "updated_at"

[[mapping]]
name = "telemetry"
feed = "sensor_readings"
driver = "telemetry"
sql = "telemetry.sql"
""",
    )
    return root


def _source_rows(url, *rows):
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        cur.executemany("INSERT INTO telemetry VALUES (%s, 1, %s, %s, %s, %s, %s)", rows)


def test_database_pull_first_incremental_repeat_and_restatement(wh, source_db, db_source):
    t1, t2, t3 = utc(2015, 1, 2), utc(2015, 1, 3), utc(2015, 1, 4)
    _source_rows(
        source_db,
        (datetime(2015, 1, 1, 6), 170.0, 400.0, 100.0, 40.0, t1),
        (datetime(2015, 1, 1, 7), 171.0, 401.0, 101.0, 41.0, t1),
    )
    # first pull: 2 rows x 4 metrics
    pull(wh, db_source)
    assert len(readings(wh)) == 8
    assert wh.one("SELECT watermark, rows_pulled FROM etl.source_watermark") == ("2015-01-02 00:00:00+00", 2)

    # incremental: only the new row comes
    _source_rows(source_db, (datetime(2015, 1, 1, 8), 172.0, 402.0, 102.0, 42.0, t2))
    pull(wh, db_source)
    assert len(readings(wh)) == 12
    # its four batches (one per metric) read one record each
    assert (
        wh.all(
            "SELECT records_read FROM etl.batch JOIN etl.source_batch USING (batch_id) ORDER BY batch_id DESC LIMIT 4"
        )
        == [(1,)] * 4
    )

    # nothing new: nothing registered, nothing changed
    batches = wh.scalar("SELECT count(*) FROM etl.batch")
    before = readings(wh)
    pull(wh, db_source)
    assert wh.scalar("SELECT count(*) FROM etl.batch") == batches
    assert readings(wh) == before

    # the same window again (everything after 2015-01-01): rows restated with equal
    # values; a second time, the same content is already loaded
    pull(wh, db_source, since="2015-01-01 00:00:00+00")
    assert readings(wh) == before
    batches = wh.scalar("SELECT count(*) FROM etl.batch")
    pull(wh, db_source, since="2015-01-01 00:00:00+00")
    assert wh.scalar("SELECT count(*) FROM etl.batch") == batches
    assert readings(wh) == before

    # a source row changes (its updated_at moves on): pulled again and restated
    with psycopg.connect(source_db, autocommit=True) as conn:
        conn.execute(
            "UPDATE telemetry SET vibration = 49.5, updated_at = %s WHERE datetime = '2015-01-01 07:00'", (t3,)
        )
    pull(wh, db_source)
    assert wh.scalar(
        "SELECT value FROM clean.sensor_reading WHERE metric = 'vibration' AND reading_ts = '2015-01-01 07:00+00'"
    ) == pytest.approx(49.5)
    assert len(readings(wh)) == 12
    assert wh.scalar("SELECT watermark FROM etl.source_watermark") == "2015-01-04 00:00:00+00"
    assert wh.scalar("SELECT count(*) FROM etl.batch_reconciliation WHERE NOT is_reconciled") == 0


def test_the_etl_login_pulls_but_cannot_plant_a_watermark(wh, source_db, db_source):
    """A planted watermark would make the next pull skip rows silently: as a real hub_etl
    login, etl.set_source_watermark refuses a call outside an import run, and inside one a
    source the run imported nothing of; the login's own pull still moves it."""
    from tests.test_security import Login

    etl = Login(wh, "hub_etl")
    try:
        with etl.connect() as conn:
            for args in (("azure_pdm", "telemetry", "datetime", 999999), ("nosuch", "x", "9999-12-31", 0)):
                with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as info:
                    conn.execute("CALL etl.set_source_watermark(%s, %s, %s, %s::bigint)", args)
                assert "no import run is running in this session" in str(info.value)
                assert info.value.diag.message_hint.startswith("Watermarks are set by scripts/hub import")
        assert wh.scalar("SELECT count(*) FROM etl.source_watermark") == 0

        _source_rows(source_db, (datetime(2015, 1, 1, 6), 170.0, 400.0, 100.0, 40.0, utc(2015, 1, 2)))
        pull(wh, db_source, url=etl.url)
        assert len(readings(wh)) == 4
        assert wh.one("SELECT watermark, rows_pulled FROM etl.source_watermark") == ("2015-01-02 00:00:00+00", 1)

        # inside a run of its own that imported nothing: no source's watermark moves
        with etl.connect() as conn:
            run_id = conn.execute("SELECT etl.start_run('load')").fetchone()[0]
            for args in (("nosuch", "x", "9999-12-31", 0), ("src", "telemetry", "9999-12-31", 5)):
                with pytest.raises(psycopg.errors.InvalidParameterValue) as info:
                    conn.execute("CALL etl.set_source_watermark(%s, %s, %s, %s::bigint)", args)
                assert f"run {run_id} imported no batch of source {args[0]}" in str(info.value)
            # the watermark it already has may be set again (a pull whose rows were all imported before)
            conn.execute("CALL etl.set_source_watermark('src', 'telemetry', '2015-01-02 00:00:00+00', 1)")
            conn.execute("SELECT etl.finish_run(%s, 'success')", (run_id,))
        assert wh.all("SELECT source_name, watermark FROM etl.source_watermark") == [("src", "2015-01-02 00:00:00+00")]

        # the next pull is not fooled: the new row comes
        _source_rows(source_db, (datetime(2015, 1, 1, 7), 171.0, 401.0, 101.0, 41.0, utc(2015, 1, 3)))
        pull(wh, db_source, url=etl.url)
        assert len(readings(wh)) == 8
    finally:
        wh.conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", (etl.name,))
        wh.conn.execute(f"DROP OWNED BY {etl.name}")
        wh.conn.execute(f"DROP ROLE {etl.name}")


def test_database_pull_without_its_url_says_which_variable(wh, db_source, monkeypatch):
    monkeypatch.delenv("HUB_TEST_SOURCE_DB", raising=False)
    with pytest.raises(HubError, match="HUB_TEST_SOURCE_DB"):
        pull(wh, db_source)
    assert wh.scalar("SELECT count(*) FROM etl.source_watermark") == 0


# -- an HTTP API ----------------------------------------------------------------------
@pytest.fixture
def api_source(tmp_path, httpserver, monkeypatch):
    root = tmp_path / "sources"
    folder = root / "src"
    write(
        folder / "feeds",
        "plants.csv",
        "plant_code,plant_name,country_code,currency_code,timezone,updated_at\n"
        "AZ,Azure,US,USD,UTC,2014-01-01T00:00:00Z\n",
    )
    write(folder / "feeds", "machines.csv", MACHINES)
    write(
        folder,
        "readings.sql",
        "SELECT r.source_line, r.machine AS machine_code, r.ts AS reading_ts, r.metric, r.value\n"
        "FROM src_readings AS r\n",
    )
    write(
        folder,
        "source.toml",
        """
[[file]]
table = "readings"
patterns = ["readings*.csv"]

[[pull]]
table = "readings"
kind = "http"
url_env = "HUB_TEST_API_URL"
token_env = "HUB_TEST_API_TOKEN"
records = "data"
since_param = "since"
watermark = "ts"
backoff_s = 0.01
timeout_s = 1.0
retries = 3

[[mapping]]
name = "readings"
feed = "sensor_readings"
driver = "readings"
sql = "readings.sql"
""",
    )
    monkeypatch.setenv("HUB_TEST_API_URL", httpserver.url_for("/readings"))
    monkeypatch.setenv("HUB_TEST_API_TOKEN", "s3cret")
    return root


RECORDS = [{"machine": "AZ-001", "ts": f"2015-01-01T0{h}:00:00Z", "metric": "volt", "value": 170 + h} for h in range(5)]


def serve(httpserver, records=RECORDS, page_size=2, bad_page=None, bad_body='{"data": [ {"machine": "AZ-0'):
    """Pages of page_size records after ?since=..., an empty page at the end; the bearer
    token is checked."""

    def handler(request):
        if request.headers.get("Authorization") != "Bearer s3cret":
            return Response("no", status=401)
        since = request.args.get("since")
        page = int(request.args["page"])
        if page == bad_page:
            return Response(bad_body, content_type="application/json")
        kept = [r for r in records if since is None or r["ts"] > since]
        n = page - 1 if bad_page is None or page < bad_page else page - 2
        return Response(
            json.dumps({"data": kept[n * page_size : (n + 1) * page_size]}), content_type="application/json"
        )

    httpserver.expect_request("/readings").respond_with_handler(handler)


def test_api_pull_pages_until_an_empty_page(wh, httpserver, api_source):
    serve(httpserver)
    pull(wh, api_source)
    assert [r[3] for r in readings(wh)] == [170, 171, 172, 173, 174]
    # 5 records in pages of 2: pages 1, 2, 3 and the empty page 4
    assert [int(r.args["page"]) for r, _ in httpserver.log] == [1, 2, 3, 4]
    assert wh.scalar("SELECT watermark FROM etl.source_watermark") == "2015-01-01T04:00:00Z"


def test_api_pull_of_the_same_window_twice_is_a_no_op(wh, httpserver, api_source):
    serve(httpserver)
    pull(wh, api_source)
    batches = wh.scalar("SELECT count(*) FROM etl.batch")
    before = wh.snapshot(schemas=("clean", "dw"))
    httpserver.clear_log()
    pull(wh, api_source)
    assert [r.args.get("since") for r, _ in httpserver.log] == ["2015-01-01T04:00:00Z"]
    assert wh.scalar("SELECT count(*) FROM etl.batch") == batches
    assert wh.snapshot(schemas=("clean", "dw")) == before


def test_api_pull_retries_a_500_then_succeeds(wh, httpserver, api_source):
    httpserver.expect_oneshot_request("/readings").respond_with_data("busy", status=503)
    serve(httpserver)
    pull(wh, api_source)
    assert len(readings(wh)) == 5
    assert [r.status_code for _, r in httpserver.log][:2] == [503, 200]


def test_api_pull_retries_a_timeout(wh, httpserver, api_source):
    import time

    def slow(_request):
        time.sleep(1.5)
        return Response("late", status=200)

    httpserver.expect_oneshot_request("/readings").respond_with_handler(slow)
    serve(httpserver)
    pull(wh, api_source)
    assert len(readings(wh)) == 5


def test_api_pull_stops_on_401_with_a_clear_error(wh, httpserver, api_source, monkeypatch):
    serve(httpserver)
    monkeypatch.setenv("HUB_TEST_API_TOKEN", "wrong")
    with pytest.raises(HubError) as err:
        pull(wh, api_source)
    assert "HTTP 401" in str(err.value) and "HUB_TEST_API_TOKEN" in err.value.todo
    assert "wrong" not in str(err.value) + err.value.todo
    assert len(httpserver.log) == 1  # a 4xx is not retried
    assert wh.scalar("SELECT count(*) FROM etl.source_watermark") == 0
    assert readings(wh) == []


def test_api_pull_keeps_a_malformed_page_as_a_rejected_record(wh, httpserver, api_source):
    serve(httpserver, bad_page=2)
    pull(wh, api_source)
    # pages 1 (2 records), 2 (broken), 3 (2), 4 (1), 5 (empty): 5 readings + 1 rejected page
    assert len(readings(wh)) == 5
    assert wh.one(
        "SELECT records_read, records_accepted, records_rejected FROM etl.batch WHERE feed_name = 'sensor_readings'"
    ) == (6, 5, 1)
    line, reason, message, raw = wh.one("SELECT file_line, reason_code, message, raw_values FROM etl.rejected_row")
    assert (line, reason) == (4, "malformed_record")
    assert message.startswith("page 2 of the API could not be read")
    assert '{"data": [ {"machine": "AZ-0' in json.dumps(raw) or '"AZ-0' in str(raw)


def test_api_pull_keeps_a_malformed_page_with_line_breaks_as_one_rejected_record(wh, httpserver, api_source):
    serve(httpserver, bad_page=2, bad_body='{"data": [\n  {"machine": "AZ-0')
    pull(wh, api_source)
    assert len(readings(wh)) == 5
    # one physical line per record: 7 lines = header 1 + 5 readings + 1 page
    assert wh.one(
        "SELECT records_read, records_accepted, records_rejected, file_lines, continuation_lines FROM etl.batch "
        "WHERE feed_name = 'sensor_readings'"
    ) == (6, 5, 1, 7, 0)
    line, reason, raw = wh.one("SELECT file_line, reason_code, raw_values FROM etl.rejected_row")
    assert (line, reason) == (4, "malformed_record")
    assert raw == {"machine": 'page 2: {"data": [\\n  {"machine": "AZ-0'}


def test_api_pull_of_csv_pages(wh, httpserver, api_source):
    toml = api_source / "src" / "source.toml"
    toml.write_text(toml.read_text().replace('records = "data"', 'format = "csv"'))

    def handler(request):
        page = int(request.args["page"])
        rows = RECORDS[(page - 1) * 3 : page * 3]
        body = "machine,ts,metric,value\n" + "".join(
            f"{r['machine']},{r['ts']},{r['metric']},{r['value']}\n" for r in rows
        )
        return Response(body if rows else "machine,ts,metric,value\n", content_type="text/csv")

    httpserver.expect_request("/readings").respond_with_handler(handler)
    pull(wh, api_source)
    # pages of 3: 3 + 2 records, then a page with only its header
    assert [r[3] for r in readings(wh)] == [170, 171, 172, 173, 174]
    assert [int(r.args["page"]) for r, _ in httpserver.log] == [1, 2, 3]
