"""The Tableau workbook (tableau/hub.twb): written from this module, checked into the repo.

Five dashboards (OEE, Downtime, Cost per unit, Profitability, Sensors before downtime) on
the `.hyper` extract that `scripts/hub export` writes (one data source per reporting view,
the connection pointing at `Data/Extracts/hub.hyper`, where `export --twbx` packages it).
Every ratio is a calculated field that divides sums of additive measures (CALCULATIONS;
the OEE family is RATIOS of the HTML dashboard), never an average of a ratio. The XML
follows Tableau's workbook schema 2026.2 (docs/tableau.md says how it is validated).

Regenerate after a change here or to a view's columns, then commit tableau/hub.twb:
    DATABASE_URL=... .venv/bin/python -m hublib.workbook   (or: on the demo database)
"""

from __future__ import annotations

import sys
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import psycopg

from hublib.dashboard import RATIOS
from hublib.db import ROOT

WORKBOOK = ROOT / "tableau" / "hub.twb"
EXTRACT_PATH = "Data/Extracts/hub.hyper"  # inside the .twbx; the .twb alone asks for the file
VERSION = "26.2"  # the schema release 2026.2, in Tableau's short form
USER_NS = "http://www.tableausoftware.com/xml/user"

# PostgreSQL type of a view column -> Tableau datatype of the extract column (the extract's
# types are hublib.export.HYPER_TYPES: numerics are doubles, i.e. Tableau's real).
TABLEAU_TYPES = {
    "text": "string",
    "character varying": "string",
    "bigint": "integer",
    "integer": "integer",
    "smallint": "integer",
    "numeric": "real",
    "double precision": "real",
    "real": "real",
    "boolean": "boolean",
    "date": "date",
    "timestamp with time zone": "datetime",
    "timestamp without time zone": "datetime",
    "ARRAY": "string",
}
REMOTE_TYPES = {"string": "129", "integer": "20", "real": "5", "boolean": "11", "date": "7", "datetime": "135"}


def _ratio(name: str) -> str:
    num, den = RATIOS[name]
    return f"SUM([{num}]) / SUM([{den}])"


# view -> calculated field name -> (caption, formula). Sums divided by sums, always.
CALCULATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "oee_daily": {
        "availability_calc": ("Availability", _ratio("availability")),
        "performance_calc": ("Performance", _ratio("performance")),
        "quality_calc": ("Quality", _ratio("quality")),
        "oee_calc": ("OEE", _ratio("oee")),
        "good_ratio_calc": ("Good ratio", _ratio("good_ratio")),
    },
    "downtime_pareto": {
        "downtime_share_calc": ("Share of downtime", "SUM([downtime_min]) / TOTAL(SUM([downtime_min]))"),
    },
    "cost_per_unit_monthly": {
        "cost_per_unit_calc": ("Cost per unit", _ratio("cost_per_unit")),
        "standard_cost_per_unit_calc": (
            "Standard cost per unit",
            "SUM([standard_cost_per_unit] * [good_units]) / SUM([good_units])",
        ),
        "variance_per_unit_calc": (
            "Variance per unit",
            "(SUM([allocated_cost]) - SUM([standard_cost_per_unit] * [good_units])) / SUM([good_units])",
        ),
    },
    "profitability_monthly": {
        "gross_margin_pct_calc": ("Gross margin %", _ratio("gross_margin_pct")),
    },
    "profitability_by_country_monthly": {
        "country_margin_pct_calc": ("Gross margin %", _ratio("gross_margin_pct")),
    },
    "sensor_before_downtime": {
        "share_outside_normal_calc": (
            "Share outside normal",
            "SUM(IIF([is_outside_normal], 1, 0)) / COUNT([is_outside_normal])",
        ),
        "mean_z_score_calc": ("Mean z-score", "SUM([z_score]) / COUNT([z_score])"),
    },
}
PERCENT = {
    "availability_calc",
    "performance_calc",
    "quality_calc",
    "oee_calc",
    "good_ratio_calc",
    "downtime_share_calc",
    "gross_margin_pct_calc",
    "country_margin_pct_calc",
    "share_outside_normal_calc",
}


@dataclass
class Sheet:
    name: str
    view: str
    mark: str  # Bar, Line, Square, ...
    rows: list[str]  # field tokens: "dim:plant_code", "month:month", "sum:revenue", "calc:oee_calc"
    cols: list[str]
    color: str | None = None
    detail: list[str] = field(default_factory=list)


SHEETS = [
    Sheet("OEE trend", "oee_daily", "Line", ["calc:oee_calc"], ["month:production_date"], color="dim:line_code",
          detail=["dim:plant_code"]),
    Sheet("OEE components", "oee_daily", "Bar", ["dim:plant_code", "dim:line_code"],
          ["calc:availability_calc", "calc:performance_calc", "calc:quality_calc", "calc:oee_calc"]),
    Sheet("Worst machines", "oee_daily", "Bar", ["dim:machine_code"], ["calc:oee_calc"], detail=["dim:plant_code"]),
    Sheet("Downtime Pareto", "downtime_pareto", "Bar", ["sum:downtime_min", "calc:downtime_share_calc"],
          ["dim:reason_code"], color="dim:is_planned"),
    Sheet("Planned vs unplanned", "downtime_pareto", "Bar", ["sum:downtime_min"], ["month:month"],
          color="dim:is_planned", detail=["dim:plant_code"]),
    Sheet("Cost per unit vs standard", "cost_per_unit_monthly", "Bar", ["dim:plant_code", "dim:product_sku"],
          ["calc:cost_per_unit_calc", "calc:standard_cost_per_unit_calc"]),
    Sheet("Cost per unit by month", "cost_per_unit_monthly", "Line", ["calc:cost_per_unit_calc"], ["month:month"],
          color="dim:product_sku", detail=["dim:plant_code"]),
    Sheet("Revenue and margin by month", "profitability_monthly", "Bar",
          ["sum:revenue", "sum:cogs", "sum:gross_margin"], ["month:month"], detail=["dim:currency_code"]),
    Sheet("Margin by plant and product", "profitability_monthly", "Bar", ["dim:plant_code", "dim:product_sku"],
          ["sum:revenue", "calc:gross_margin_pct_calc"], color="dim:product_family"),
    Sheet("Margin by customer country", "profitability_by_country_monthly", "Bar", ["dim:customer_country"],
          ["sum:revenue", "calc:country_margin_pct_calc"], detail=["dim:plant_code"]),
    Sheet("Sensors outside normal", "sensor_before_downtime", "Bar", ["calc:share_outside_normal_calc"],
          ["dim:metric", "dim:hours_before"], color="dim:metric"),
    Sheet("Sensor z-scores", "sensor_before_downtime", "Bar", ["calc:mean_z_score_calc"],
          ["dim:metric", "dim:hours_before"], color="dim:metric", detail=["dim:plant_code", "dim:line_code"]),
]  # fmt: skip

DASHBOARDS = {
    "OEE": ["OEE trend", "OEE components", "Worst machines"],
    "Downtime": ["Downtime Pareto", "Planned vs unplanned"],
    "Cost per unit": ["Cost per unit vs standard", "Cost per unit by month"],
    "Profitability": ["Revenue and margin by month", "Margin by plant and product", "Margin by customer country"],
    "Sensors before downtime": ["Sensors outside normal", "Sensor z-scores"],
}


def datasource_name(view: str) -> str:
    return f"federated.hub_{view}"


def _uuid(name: str) -> str:
    """Stable ids: the same workbook gives the same bytes."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"hub-workbook:{name}")).upper() + "}"


def view_columns(conn: psycopg.Connection, view: str) -> list[tuple[str, str]]:
    """(column, Tableau datatype) of a reporting view, in column order."""
    rows = conn.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'reporting' AND table_name = %s ORDER BY ordinal_position",
        (view,),
    ).fetchall()
    if not rows:
        raise LookupError(f"reporting.{view} does not exist")
    return [(c, TABLEAU_TYPES[t]) for c, t in rows]


class _Field:
    """One field token of a sheet, as Tableau names its column instance."""

    def __init__(self, token: str, types: dict[str, str]):
        kind, name = token.split(":", 1)
        self.kind, self.name = kind, name
        if kind == "calc":
            self.instance, self.derivation, self.type = f"[usr:{name}:qk]", "User", "quantitative"
        elif kind == "sum":
            self.instance, self.derivation, self.type = f"[sum:{name}:qk]", "Sum", "quantitative"
        elif kind == "month":
            self.instance, self.derivation, self.type = f"[tmn:{name}:ok]", "Month-Trunc", "ordinal"
        else:
            quantitative = types.get(name) in ("integer", "real")
            suffix = "ok" if quantitative else "nk"
            self.instance, self.derivation = f"[none:{name}:{suffix}]", "None"
            self.type = "ordinal" if quantitative else "nominal"


def _column_attrs(name: str, datatype: str) -> dict[str, str]:
    measure = datatype in ("integer", "real") and not name.endswith("hours_before")
    return {
        "datatype": datatype,
        "name": f"[{name}]",
        "role": "measure" if measure else "dimension",
        "type": "quantitative" if measure else ("ordinal" if datatype in ("date", "datetime") else "nominal"),
    }


def _datasource(parent: ET.Element, view: str, columns: list[tuple[str, str]]) -> None:
    ds = ET.SubElement(
        parent, "datasource", {"caption": view, "inline": "true", "name": datasource_name(view), "version": VERSION}
    )
    conn = ET.SubElement(ds, "connection", {"class": "federated"})
    named = ET.SubElement(ET.SubElement(conn, "named-connections"), "named-connection",
                          {"caption": "hub.hyper", "name": "hyper.hub"})  # fmt: skip
    ET.SubElement(named, "connection", {
        "authentication": "auth-none", "author-locale": "en_US", "class": "hyper", "dbname": EXTRACT_PATH,
        "default-settings": "yes", "schema": "reporting", "sslmode": "", "tablename": view,
        "username": "tableau_internal_user",
    })  # fmt: skip
    relation = {"connection": "hyper.hub", "name": view, "table": f"[reporting].[{view}]", "type": "table"}
    ET.SubElement(conn, "relation", relation)
    records = ET.SubElement(conn, "metadata-records")
    for ordinal, (name, datatype) in enumerate(columns):
        rec = ET.SubElement(records, "metadata-record", {"class": "column"})
        for tag, text in [
            ("remote-name", name),
            ("remote-type", REMOTE_TYPES[datatype]),
            ("local-name", f"[{name}]"),
            ("parent-name", f"[{view}]"),
            ("remote-alias", name),
            ("ordinal", str(ordinal)),
            ("local-type", datatype),
            ("aggregation", "Sum" if datatype in ("integer", "real") else "Count"),
            ("contains-null", "true"),
        ]:
            ET.SubElement(rec, tag).text = text
    ET.SubElement(ds, "aliases", {"enabled": "yes"})
    for name, datatype in columns:
        ET.SubElement(ds, "column", _column_attrs(name, datatype))
    for calc, (caption, formula) in CALCULATIONS.get(view, {}).items():
        attrs = {"caption": caption, "datatype": "real", "name": f"[{calc}]", "role": "measure", "type": "quantitative"}
        if calc in PERCENT:
            attrs["default-format"] = "p0.0%"
        col = ET.SubElement(ds, "column", attrs)
        ET.SubElement(col, "calculation", {"class": "tableau", "formula": formula})


def _worksheet(parent: ET.Element, sheet: Sheet, columns: list[tuple[str, str]]) -> None:
    types = dict(columns)
    ds_name = datasource_name(sheet.view)
    ws = ET.SubElement(parent, "worksheet", {"name": sheet.name})
    table = ET.SubElement(ws, "table")
    view = ET.SubElement(table, "view")
    ET.SubElement(ET.SubElement(view, "datasources"), "datasource", {"caption": sheet.view, "name": ds_name})
    deps = ET.SubElement(view, "datasource-dependencies", {"datasource": ds_name})
    tokens = [*sheet.rows, *sheet.cols, *([sheet.color] if sheet.color else []), *sheet.detail]
    fields = [_Field(t, types) for t in tokens]
    calcs = CALCULATIONS.get(sheet.view, {})
    for name in sorted({f.name for f in fields}):
        if name in calcs:
            caption, formula = calcs[name]
            col = ET.SubElement(deps, "column", {"caption": caption, "datatype": "real", "name": f"[{name}]",
                                                 "role": "measure", "type": "quantitative"})  # fmt: skip
            ET.SubElement(col, "calculation", {"class": "tableau", "formula": formula})
        else:
            ET.SubElement(deps, "column", _column_attrs(name, types[name]))
    seen = set()
    for f in sorted(fields, key=lambda f: f.instance):
        if f.instance in seen:
            continue
        seen.add(f.instance)
        ET.SubElement(deps, "column-instance", {
            "column": f"[{f.name}]", "derivation": f.derivation, "name": f.instance, "pivot": "key", "type": f.type,
        })  # fmt: skip
    ET.SubElement(view, "aggregation", {"value": "true"})
    ET.SubElement(table, "style")
    panes = ET.SubElement(table, "panes")
    pane = ET.SubElement(panes, "pane", {"selection-relaxation-option": "selection-relaxation-allow"})
    ET.SubElement(ET.SubElement(pane, "view"), "breakdown", {"value": "auto"})
    ET.SubElement(pane, "mark", {"class": sheet.mark})
    encodings = []
    if sheet.color:
        encodings.append(("color", _Field(sheet.color, types)))
    encodings += [("lod", _Field(t, types)) for t in sheet.detail]
    if encodings:
        enc = ET.SubElement(pane, "encodings")
        for tag, f in encodings:
            ET.SubElement(enc, tag, {"column": f"[{ds_name}].{f.instance}"})

    def shelf(tokens: list[str]) -> str:
        refs = [f"[{ds_name}].{_Field(t, types).instance}" for t in tokens]
        measures = [r for r, t in zip(refs, tokens, strict=True) if t.split(":")[0] in ("sum", "calc")]
        dims = [r for r, t in zip(refs, tokens, strict=True) if t.split(":")[0] not in ("sum", "calc")]
        parts = []
        if dims:
            parts.append(dims[0] if len(dims) == 1 else "(" + " / ".join(dims) + ")")
        if measures:
            parts.append(measures[0] if len(measures) == 1 else "(" + " + ".join(measures) + ")")
        return " / ".join(parts) if len(parts) > 1 else parts[0]

    ET.SubElement(table, "rows").text = shelf(sheet.rows)
    ET.SubElement(table, "cols").text = shelf(sheet.cols)
    ET.SubElement(ws, "simple-id", {"uuid": _uuid("sheet:" + sheet.name)})


def _dashboard(parent: ET.Element, name: str, sheets: list[str], ids) -> None:
    dash = ET.SubElement(parent, "dashboard", {"name": name})
    ET.SubElement(dash, "style")
    ET.SubElement(dash, "size", {"maxheight": "900", "maxwidth": "1400", "minheight": "900", "minwidth": "1400"})
    zones = ET.SubElement(dash, "zones")
    root = ET.SubElement(zones, "zone", {"h": "100000", "id": str(next(ids)), "type-v2": "layout-basic",
                                         "w": "100000", "x": "0", "y": "0"})  # fmt: skip
    # Two columns of sheets: the first sheet spans the top when there are three.
    n = len(sheets)
    for i, sheet in enumerate(sheets):
        if n == 3 and i == 0:
            x, y, w, h = 0, 0, 100000, 50000
        elif n == 3:
            x, y, w, h = (i - 1) * 50000, 50000, 50000, 50000
        else:
            x, y, w, h = i * (100000 // n), 0, 100000 // n, 100000
        ET.SubElement(root, "zone", {"h": str(h), "id": str(next(ids)), "name": sheet, "w": str(w),
                                     "x": str(x), "y": str(y)})  # fmt: skip
    ET.SubElement(dash, "simple-id", {"uuid": _uuid("dashboard:" + name)})


def build_workbook(conn: psycopg.Connection) -> bytes:
    views = sorted({s.view for s in SHEETS})
    columns = {v: view_columns(conn, v) for v in views}
    root = ET.Element("workbook", {
        "original-version": VERSION, "source-build": "0.0.0 (0000.0.0.0)", "source-platform": "linux",
        "version": VERSION, "xmlns:user": USER_NS,
    })  # fmt: skip
    ET.SubElement(ET.SubElement(root, "document-format-change-manifest"), "ManifestByVersion")
    datasources = ET.SubElement(root, "datasources")
    for v in views:
        _datasource(datasources, v, columns[v])
    worksheets = ET.SubElement(root, "worksheets")
    for sheet in SHEETS:
        _worksheet(worksheets, sheet, columns[sheet.view])
    dashboards = ET.SubElement(root, "dashboards")
    ids = iter(range(1, 10_000))
    for name, sheets in DASHBOARDS.items():
        _dashboard(dashboards, name, sheets, ids)
    windows = ET.SubElement(root, "windows")
    for name in DASHBOARDS:
        window = ET.SubElement(windows, "window", {"class": "dashboard", "name": name})
        ET.SubElement(window, "viewpoints")
        ET.SubElement(window, "active", {"id": "-1"})
        ET.SubElement(window, "simple-id", {"uuid": _uuid("window:" + name)})
    for sheet in SHEETS:
        window = ET.SubElement(windows, "window", {"class": "worksheet", "hidden": "true", "name": sheet.name})
        ET.SubElement(window, "cards")
        ET.SubElement(window, "simple-id", {"uuid": _uuid("window:" + sheet.name)})
    explain = ET.SubElement(
        root, "explain-data", {"enabled-for-viewer": "true", "extreme-values-enabled-for-all": "true"}
    )
    ET.SubElement(explain, "explanation-types")
    ET.indent(root, space="  ")
    return (
        b"<?xml version='1.0' encoding='utf-8' ?>\n"
        + ET.tostring(root, encoding="utf-8", xml_declaration=False)
        + b"\n"
    )


def main() -> int:
    from hublib.db import connect, warehouse_url

    with connect(warehouse_url(), autocommit=True) as conn:
        WORKBOOK.parent.mkdir(parents=True, exist_ok=True)
        WORKBOOK.write_bytes(build_workbook(conn))
    print(f"workbook: {WORKBOOK} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
