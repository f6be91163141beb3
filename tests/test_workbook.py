"""The Tableau workbook tableau/hub.twb: valid against Tableau's own workbook schema, current
with the views, every field a sheet uses present in the extract with the right type, every
dashboard zone naming a sheet, ratios only as sums over sums; and `export --twbx` packages
it with the extract it points at."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile

import pytest

from hublib.dashboard import RATIOS
from hublib.export import HYPER_TYPES, export_csv, export_hyper
from hublib.workbook import (
    CALCULATIONS,
    DASHBOARDS,
    EXTRACT_PATH,
    SHEETS,
    WORKBOOK,
    build_workbook,
    datasource_name,
)
from tests.conftest import run_hub
from tests.tableau_schema import validation_errors

# Hyper's type of an extract column -> the Tableau datatype a field of that column has.
HYPER_TO_TABLEAU = {
    "TEXT": "string",
    "BIGINT": "integer",
    "INTEGER": "integer",
    "SMALLINT": "integer",
    "DOUBLE PRECISION": "real",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP WITH TIME ZONE": "datetime",
    "TIMESTAMP": "datetime",
}
# The same, by the Hyper API's type tags (what a .hyper file reports).
HYPER_TAGS = {
    "TEXT": "string",
    "BIG_INT": "integer",
    "INT": "integer",
    "SMALL_INT": "integer",
    "DOUBLE": "real",
    "BOOL": "boolean",
    "DATE": "date",
    "TIMESTAMP_TZ": "datetime",
    "TIMESTAMP": "datetime",
}
FIELD = re.compile(r"\[([^\[\]]+)\]")


def _twb() -> bytes:
    return WORKBOOK.read_bytes()


def _root() -> ET.Element:
    return ET.fromstring(_twb())


def test_workbook_is_valid_against_tableaus_schema():
    assert validation_errors(_twb()) == []


def test_committed_workbook_is_current(wh):
    assert build_workbook(wh.conn) == _twb(), (
        "tableau/hub.twb is stale: run `.venv/bin/python -m hublib.workbook` (PYTHONPATH=scripts) and commit it"
    )


def _extract_types(wh) -> dict[str, dict[str, str]]:
    """view -> column -> Tableau datatype, as the extract holds them. With the Hyper API: read
    from a .hyper file written by the export; without it, from the export's own type map."""
    views = sorted({ds.get("caption") for ds in _root().iter("datasource") if ds.get("inline")})
    try:
        import tableauhyperapi as api
    except ImportError:
        types = {}
        for view in views:
            rows = wh.all(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'reporting' AND table_name = %s",
                (view,),
            )
            types[view] = {c: HYPER_TO_TABLEAU[HYPER_TYPES[t]] for c, t in rows}
        return types
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        export_csv(wh.conn, out)
        export_hyper(wh.conn, out / "hub.hyper", out)
        types = {}
        with (
            api.HyperProcess(
                telemetry=api.Telemetry.DO_NOT_SEND_USAGE_DATA_TO_TABLEAU, parameters={"log_dir": tmp}
            ) as hyper,
            api.Connection(hyper.endpoint, str(out / "hub.hyper")) as conn,
        ):
            for view in views:
                table = conn.catalog.get_table_definition(api.TableName("reporting", view))
                types[view] = {c.name.unescaped: HYPER_TAGS[c.type.tag.name] for c in table.columns}
    return types


def test_every_field_a_sheet_uses_is_in_the_extract_with_its_type(wh):
    extract = _extract_types(wh)
    root = _root()
    sources = {ds.get("name"): ds.get("caption") for ds in root.find("datasources")}
    assert set(sources) == {datasource_name(v) for v in sources.values()}
    checked = 0
    for ws in root.iter("worksheet"):
        deps = ws.find("table/view/datasource-dependencies")
        view = sources[deps.get("datasource")]
        columns = {c.get("name"): c for c in deps.findall("column")}
        for name, col in columns.items():
            calc = col.find("calculation")
            if calc is None:
                field = name.strip("[]")
                assert field in extract[view], f"{ws.get('name')}: {field} is not a column of the extract's {view}"
                assert col.get("datatype") == extract[view][field], (ws.get("name"), field)
                checked += 1
            else:
                for used in FIELD.findall(calc.get("formula")):
                    assert used in extract[view], f"{ws.get('name')}: {name} uses {used}, not in {view}"
                    assert extract[view][used] in ("integer", "real", "boolean"), (name, used)
                    checked += 1
        # Every reference on the shelves and marks is a column instance of the sheet's data source.
        instances = {i.get("name") for i in deps.findall("column-instance")}
        assert {i.get("column") for i in deps.findall("column-instance")} <= set(columns)
        table = ws.find("table")
        refs = " ".join([table.findtext("rows"), table.findtext("cols")])
        refs += " " + " ".join(e.get("column") for e in table.iter() if e.tag in ("color", "lod"))
        for ds_name, instance in re.findall(r"\[([^\]]+)\]\.(\[[^\]]+\])", refs):
            assert ds_name == deps.get("datasource"), ws.get("name")
            assert instance in instances, (ws.get("name"), instance)
    assert checked > 40


def test_every_dashboard_zone_names_a_sheet():
    root = _root()
    sheets = {ws.get("name") for ws in root.iter("worksheet")}
    dashboards = {d.get("name"): d for d in root.find("dashboards")}
    assert list(dashboards) == ["OEE", "Downtime", "Cost per unit", "Profitability", "Sensors before downtime"]
    used = set()
    for name, dash in dashboards.items():
        named = [z.get("name") for z in dash.iter("zone") if z.get("name")]
        assert named == DASHBOARDS[name]
        assert set(named) <= sheets, (name, set(named) - sheets)
        used |= set(named)
    assert used == sheets  # and no sheet is left out of every dashboard


def test_ratios_are_sums_over_sums():
    root = _root()
    formulas = {c.get("name").strip("[]"): c.find("calculation").get("formula")
                for c in root.iter("column") if c.find("calculation") is not None}  # fmt: skip
    assert set(formulas) == {name for calcs in CALCULATIONS.values() for name in calcs}
    for name, formula in formulas.items():
        assert "AVG(" not in formula.upper(), name
    for ratio in ("availability", "performance", "quality", "oee", "good_ratio"):
        num, den = RATIOS[ratio]
        assert formulas[f"{ratio}_calc"] == f"SUM([{num}]) / SUM([{den}])"
    assert formulas["gross_margin_pct_calc"] == "SUM([gross_margin]) / SUM([revenue])"
    assert formulas["cost_per_unit_calc"] == "SUM([allocated_cost]) / SUM([good_units])"


@pytest.fixture
def small(wh, tmp_path):
    from hublib.generate import generate

    generate(tmp_path / "feeds", seed=3, machines=3, days=7, sensor_interval=0)
    wh.load(tmp_path / "feeds")
    wh.conn.execute("CALL etl.run_pipeline()")
    return wh


def test_export_twbx_packages_the_workbook_with_its_extract(small, hub_env, tmp_path):
    pytest.importorskip("tableauhyperapi", reason="the optional extra: pip install -r requirements-hyper.txt")
    out = tmp_path / "exports"
    proc = run_hub("export", str(out), "--twbx", env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "hub.twbx" in proc.stdout
    with zipfile.ZipFile(out / "hub.twbx") as z:
        assert sorted(z.namelist()) == sorted(["hub.twb", EXTRACT_PATH])
        twb = z.read("hub.twb")
        assert z.read(EXTRACT_PATH) == (out / "hub.hyper").read_bytes()
    assert twb == _twb()
    assert validation_errors(twb) == []
    root = ET.fromstring(twb)
    hyper_connections = [c for c in root.iter("connection") if c.get("class") == "hyper"]
    assert len(hyper_connections) == len(root.find("datasources")) == len({s.view for s in SHEETS}) == 6
    assert {c.get("dbname") for c in hyper_connections} == {EXTRACT_PATH}


def test_export_twbx_without_the_extract_says_what_to_do(small, hub_env, tmp_path):
    import hublib.export as export

    if export.hyper_available():
        pytest.skip("the Hyper API is installed here, so the extract is always written")
    proc = run_hub("export", str(tmp_path / "x"), "--twbx", env=hub_env)
    assert proc.returncode != 0
    assert "--install-hyper" in proc.stderr and "Traceback" not in proc.stderr
