"""Exports for Tableau: every reporting view to typed CSV (read back with the csv module,
each column checked against its form), and to one .hyper extract bulk-loaded from those
files, read back with Tableau's own Hyper API (CI installs that optional extra)."""

from __future__ import annotations

import csv
import re
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest

from hublib.export import SCALES, export_csv, export_hyper, numeric_kind, view_columns
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


def _form(view: str, column: str, pg_type: str) -> re.Pattern:
    if pg_type == "boolean":
        return re.compile(r"true|false")
    if pg_type == "timestamp with time zone":
        return re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00")
    if pg_type == "date":
        return re.compile(r"\d{4}-\d\d-\d\d")
    if pg_type in ("bigint", "integer", "smallint"):
        return re.compile(r"-?\d+")
    if pg_type in ("numeric", "double precision"):
        scale = SCALES[numeric_kind(view, column)]
        return re.compile(r"-?\d+" + (rf"\.\d{{{scale}}}" if scale else ""))
    return re.compile(r".*", re.S)


def test_every_view_to_typed_csv(loaded, tmp_path):
    counts = export_csv(loaded.conn, tmp_path / "out")
    assert counts == _view_counts(loaded)
    assert all(n > 0 for n in counts.values())
    checked = set()
    for view, n in counts.items():
        columns = view_columns(loaded.conn, view)
        raw = (tmp_path / "out" / f"{view}.csv").read_bytes()
        raw.decode("utf-8")  # UTF-8 throughout
        with open(tmp_path / "out" / f"{view}.csv", newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            assert next(reader) == [c for c, _t in columns]  # the header
            rows = list(reader)
        assert len(rows) == n
        forms = [_form(view, c, t) for c, t in columns]
        for line, row in enumerate(rows, start=2):
            for (column, pg_type), form, value in zip(columns, forms, row, strict=True):
                if value == "":  # NULL
                    continue
                assert form.fullmatch(value), f"{view}.csv line {line}: {column} ({pg_type}) = {value!r}"
                checked.add(pg_type)
    assert {"boolean", "timestamp with time zone", "date", "numeric", "double precision", "bigint"} <= checked

    # Spot values against the view, worked out in SQL at the documented scales.
    with open(tmp_path / "out" / "oee_monthly.csv", newline="") as fh:
        first = next(csv.DictReader(fh))
    expected = loaded.one(
        "SELECT plant_code, line_code, to_char(month, 'YYYY-MM-DD'), round(oee, 6)::text, "
        "round(planned_production_min, 4)::text FROM reporting.oee_monthly ORDER BY plant_code, line_code, month"
    )
    assert (
        first["plant_code"],
        first["line_code"],
        first["month"],
        first["oee"],
        first["planned_production_min"],
    ) == expected
    assert re.fullmatch(r"0\.\d{6}|1\.0{6}", first["oee"])
    with open(tmp_path / "out" / "profitability_monthly.csv", newline="") as fh:
        money = next(csv.DictReader(fh))
    assert re.fullmatch(r"-?\d+\.\d\d", money["revenue"]) and re.fullmatch(r"-?\d+\.\d{6}", money["gross_margin_pct"])
    with open(tmp_path / "out" / "cost_per_unit_monthly.csv", newline="") as fh:
        unit = next(csv.DictReader(fh))
    assert re.fullmatch(r"-?\d+\.\d{4}", unit["cost_per_unit"])


def test_every_view_to_one_hyper_file_read_back(loaded, tmp_path):
    api = pytest.importorskip("tableauhyperapi", reason="the optional extra: pip install -r requirements-hyper.txt")
    temp = Path(tempfile.gettempdir())
    before = set(temp.glob("hub-hyper-log-*")), set(Path.cwd().glob("hyperd*.log"))
    out = tmp_path / "out"
    export_csv(loaded.conn, out)
    path = out / "hub.hyper"
    counts = export_hyper(loaded.conn, path, out)
    assert counts == _view_counts(loaded)
    # No log folder or log file left behind, nothing but the exports in the folder.
    assert (set(temp.glob("hub-hyper-log-*")), set(Path.cwd().glob("hyperd*.log"))) == before
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{v}.csv" for v in counts] + ["hub.hyper"])
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
            # A checksum of values per column: numeric sums at the export scale, and the
            # count of non-NULL values for every column (dates and timestamps as min/max).
            for column, pg_type in view_columns(loaded.conn, view):
                q = f'"{column}"'
                assert conn.execute_scalar_query(f'SELECT COUNT({q}) FROM "reporting"."{view}"') == loaded.scalar(
                    f"SELECT count({q}) FROM reporting.{view}"
                ), (view, column)
                if pg_type in ("numeric", "double precision"):
                    scale = SCALES[numeric_kind(view, column)]
                    got = conn.execute_scalar_query(f'SELECT SUM({q}) FROM "reporting"."{view}"')
                    want = loaded.scalar(f"SELECT sum(round({q}::numeric, {scale})) FROM reporting.{view}")
                    assert (got is None and want is None) or got == pytest.approx(float(want), rel=1e-12, abs=1e-9)
                elif pg_type == "date":
                    got = conn.execute_scalar_query(f'SELECT MAX({q}) FROM "reporting"."{view}"')
                    want = loaded.scalar(f"SELECT max({q}) FROM reporting.{view}")
                    assert (None if got is None else got.to_date()) == want, (view, column)
                elif pg_type == "boolean":
                    got = conn.execute_scalar_query(f'SELECT COUNT(*) FROM "reporting"."{view}" WHERE {q}')
                    assert got == loaded.scalar(f"SELECT count(*) FROM reporting.{view} WHERE {q}"), (view, column)
        oee = conn.execute_scalar_query('SELECT SUM("oee") FROM "reporting"."oee_monthly"')
    assert Decimal(str(oee)) == pytest.approx(loaded.scalar("SELECT sum(round(oee, 6)) FROM reporting.oee_monthly"))


def test_a_failed_hyper_write_keeps_the_previous_extract(loaded, tmp_path):
    api = pytest.importorskip("tableauhyperapi", reason="the optional extra: pip install -r requirements-hyper.txt")
    out = tmp_path / "out"
    export_csv(loaded.conn, out)
    (out / "hub.hyper").write_bytes(b"the good extract of yesterday")
    # a CSV Hyper cannot read: its COPY fails half-way through the extract
    (out / "oee_daily.csv").write_text("plant_code\n" + "x," * 50 + "\n", encoding="utf-8")
    with pytest.raises(api.HyperException):
        export_hyper(loaded.conn, out / "hub.hyper", out)
    assert (out / "hub.hyper").read_bytes() == b"the good extract of yesterday"
    assert not [p.name for p in out.iterdir() if "partial" in p.name]
