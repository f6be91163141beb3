"""Exports for Tableau: every reporting view to CSV, and to one .hyper extract read back
with Tableau's own Hyper API (CI installs that optional extra)."""

from __future__ import annotations

import csv

import pytest

from hublib.export import export_csv, export_hyper
from hublib.generate import generate


@pytest.fixture
def loaded(wh, tmp_path):
    generate(tmp_path / "feeds", seed=5, machines=6, days=21)
    wh.load(tmp_path / "feeds")
    wh.conn.execute("CALL etl.run_pipeline()")
    return wh


def _view_counts(wh):
    views = [r[0] for r in wh.all("SELECT viewname FROM pg_views WHERE schemaname = 'reporting' ORDER BY 1")]
    return {v: wh.scalar(f"SELECT count(*) FROM reporting.{v}") for v in views}


def test_every_view_to_csv(loaded, tmp_path):
    counts = export_csv(loaded.conn, tmp_path / "out")
    assert counts == _view_counts(loaded)
    assert all(n > 0 for n in counts.values())
    for view, n in counts.items():
        with open(tmp_path / "out" / f"{view}.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert len(rows) == n
    with open(tmp_path / "out" / "oee_monthly.csv", newline="") as fh:
        first = next(csv.DictReader(fh))
    expected = loaded.one(
        "SELECT plant_code, line_code, month::text, oee::text FROM reporting.oee_monthly ORDER BY 1, 2, 3"
    )
    assert (first["plant_code"], first["line_code"], first["month"], first["oee"]) == expected


def test_every_view_to_one_hyper_file_read_back(loaded, tmp_path):
    api = pytest.importorskip("tableauhyperapi", reason="the optional extra: pip install -r requirements-hyper.txt")
    path = tmp_path / "hub.hyper"
    counts = export_hyper(loaded.conn, path)
    assert counts == _view_counts(loaded)
    with (
        api.HyperProcess(
            telemetry=api.Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": str(tmp_path)}
        ) as hyper,
        api.Connection(hyper.endpoint, str(path)) as conn,
    ):
        tables = {t.name.unescaped for t in conn.catalog.get_table_names(api.SchemaName("reporting"))}
        assert tables == set(counts)
        for view, n in counts.items():
            assert conn.execute_scalar_query(f'SELECT COUNT(*) FROM "reporting"."{view}"') == n
        oee = conn.execute_scalar_query('SELECT SUM("oee") FROM "reporting"."oee_monthly"')
    assert oee == pytest.approx(float(loaded.scalar("SELECT sum(oee) FROM reporting.oee_monthly")))
