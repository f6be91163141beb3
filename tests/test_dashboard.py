"""The self-contained HTML dashboard, opened in a real headless Chromium: no console error,
no network request, marks drawn on every chart, filters change what is drawn, and its
ratios are sums divided by sums (oee_monthly's values, and hand-worked ones)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from hublib.dashboard import PAGES, RATIOS, write_dashboard
from hublib.generate import generate
from hublib.workbook import WORKBOOK
from tests.browser import Browser, chromium_path
from tests.conftest import ROOT, run_hub
from tests.helpers import BERLIN, feed_file

CHARTS = [c for _key, _title, charts in PAGES for c in charts]
needs_chromium = pytest.mark.skipif(
    chromium_path() is None, reason="no chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)"
)


@pytest.fixture
def loaded(wh, tmp_path):
    generate(tmp_path / "feeds", seed=5, machines=6, days=21)
    wh.load(tmp_path / "feeds")
    wh.conn.execute("CALL etl.run_pipeline()")
    return wh


def _drawn(b: Browser) -> dict[str, int]:
    """Marks in each chart's SVG: bars and markers are `.point`, lines `.js-line`."""
    return b.js(
        "Object.fromEntries(hubDashboard.charts.map(id => "
        "[id, document.querySelectorAll('#' + id + ' .point, #' + id + ' .js-line').length]))"
    )


def _plotted(b: Browser) -> dict[str, str]:
    """What each chart plots (x and y of every trace), to compare before and after a filter."""
    return b.js(
        "Object.fromEntries(hubDashboard.charts.map(id => [id, JSON.stringify("
        "document.getElementById(id).data.map(t => [t.name, t.x, t.y]))]))"
    )


def _select(b: Browser, name: str, value: str) -> None:
    b.js(
        f"(() => {{ const s = document.getElementById('f-{name}'); s.value = {json.dumps(value)}; "
        "s.dispatchEvent(new Event('change')); })()"
    )
    assert b.js(f"document.getElementById('f-{name}').value") == value


def _apq(b: Browser) -> dict[str, list]:
    """The Availability x performance x quality chart: trace name -> (line labels, values)."""
    return {t[0]: [t[1], t[2]] for t in b.js("document.getElementById('oee_apq').data.map(t => [t.name, t.x, t.y])")}


@needs_chromium
def test_dashboard_in_a_real_browser(loaded, tmp_path):
    page = write_dashboard(loaded.conn, tmp_path / "dashboard.html")
    with Browser(width=1400, height=1000) as b:
        b.open(page.as_uri())
        assert b.js("typeof Plotly") == "object"
        assert b.js("hubDashboard.charts") == CHARTS
        drawn = _drawn(b)
        assert all(n > 0 for n in drawn.values()), drawn
        # Hover values: every trace has a hover template that prints its value.
        assert b.js("hubDashboard.charts.every(id => document.getElementById(id).data.every("
                    "t => /%\\{[xy][:}]/.test(t.hovertemplate)))") is True  # fmt: skip
        b.screenshot(ROOT / "out" / "dashboard.png", full_page=True)  # for people to look at

        # Filters: one plant changes what every chart draws and keeps only that plant.
        before = _plotted(b)
        plants = [r[0] for r in loaded.all("SELECT DISTINCT plant_code FROM reporting.oee_daily ORDER BY 1")]
        assert len(plants) > 1
        _select(b, "plant", plants[0])
        after = _plotted(b)
        assert [c for c in CHARTS if before[c] == after[c]] == []
        assert all(n > 0 for n in _drawn(b).values())
        labels = _apq(b)["OEE"][0]
        assert labels and all(label.startswith(plants[0] + " ") for label in labels)
        minutes = b.js("document.getElementById('downtime_pareto').data[0].y.reduce((a, v) => a + v, 0)")
        assert minutes == pytest.approx(
            float(
                loaded.scalar(
                    "SELECT sum(downtime_min) FROM reporting.downtime_pareto WHERE plant_code = %s", plants[:1]
                )
            )
        )

        # Every line-month of oee_monthly, chosen with the three filters, shows oee_monthly's
        # ratios: the browser divides sums of the daily minutes, it does not average.
        for plant, line, month, a, p, q, oee in loaded.all(
            "SELECT plant_code, line_code, to_char(month, 'YYYY-MM'), availability, performance, quality, oee "
            "FROM reporting.oee_monthly ORDER BY 1, 2, 3"
        ):
            _select(b, "plant", plant)
            _select(b, "line", line)
            _select(b, "month", month)
            apq = _apq(b)
            assert apq["OEE"][0] == [f"{plant} {line}"]
            shown = [apq[k][1][0] for k in ("Availability", "Performance", "Quality", "OEE")]
            assert shown == pytest.approx([float(a), float(p), float(q), float(oee)], rel=1e-12)
            assert len(b.js("document.getElementById('oee_trend').data[0].x")) == 1

        assert b.errors() == []
        assert [u for u in b.requests() if u != page.as_uri()] == []


# Hand-worked: machine A on 2 March, 06:00-14:00 (480 min), two 30 min planned breaks,
# a 47 min breakdown, ideal cycle 1 s, 19,271 made, 18,848 good; machine B the same day,
# 06:00-09:45 (225 min), a 45 min breakdown, ideal cycle 2 s, 4,800 made, 4,560 good.
#   planned production: A 480 - 60 = 420, B 225; run time: A 420 - 47 = 373, B 180
#   ideal output: A 19,271 s = 321.1833 min, B 9,600 s = 160 min
#   ideal good:   A 18,848 s = 314.1333 min, B 9,120 s = 152 min
# Line L1 in March, sums then divide:
#   availability (373 + 180) / (420 + 225)                = 553 / 645           = 0.857364
#   performance  (321.1833 + 160) / 553                   = 481.1833 / 553      = 0.870133
#   quality      (314.1333 + 152) / 481.1833              = 466.1333 / 481.1833 = 0.968723
#   OEE          466.1333 / 645 = 27,968 s / 38,700 s                           = 0.722687
# The average of the two daily OEEs, 18,848/25,200 = 0.747937 and 9,120/13,500 = 0.675556,
# would be 0.711746: wrong.
HAND = {"availability": "0.857364", "performance": "0.870133", "quality": "0.968723", "oee": "0.722687"}


@pytest.fixture
def two_machines(wh, tmp_path):
    feed_file(tmp_path, "plants", BERLIN)
    feed_file(
        tmp_path,
        "machines",
        "MA,Press A,P1,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
        "MB,Press B,P1,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
    )
    feed_file(
        tmp_path,
        "production_runs",
        "R1,MA,SKU1,,A,2026-03-02 06:00,2026-03-02 14:00,19271,18848,1",
        "R2,MB,SKU1,,A,2026-03-02 06:00,2026-03-02 09:45,4800,4560,2",
    )
    feed_file(
        tmp_path,
        "downtime_events",
        "E1,MA,2026-03-02 09:00,2026-03-02 09:30,BREAK,,true",
        "E2,MA,2026-03-02 12:00,2026-03-02 12:30,BREAK,,true",
        "E3,MA,2026-03-02 10:00,2026-03-02 10:47,BREAKDOWN,,false",
        "E4,MB,2026-03-02 07:00,2026-03-02 07:45,BREAKDOWN,,false",
    )
    wh.load(tmp_path)
    wh.conn.execute("CALL etl.run_pipeline()")
    return wh


def _r6(x) -> str:
    return str(round(Decimal(x), 6))


def test_ratio_formulas_give_oee_monthly_from_oee_daily(two_machines):
    wh = two_machines
    cur = wh.conn.execute("SELECT * FROM reporting.oee_daily ORDER BY machine_code")
    names = [d.name for d in cur.description]
    days = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    assert [d["machine_code"] for d in days] == ["MA", "MB"]

    def ratio(name):
        num, den = RATIOS[name]
        return sum(Decimal(d[num]) for d in days) / sum(Decimal(d[den]) for d in days)

    assert {k: _r6(ratio(k)) for k in HAND} == HAND

    # The Tableau workbook's calculated fields, read from tableau/hub.twb and evaluated the
    # way Tableau does over these rows: SUM of each field, then the division.
    root = ET.fromstring(WORKBOOK.read_bytes())
    source = next(ds for ds in root.find("datasources") if ds.get("caption") == "oee_daily")
    formulas = {c.get("caption").lower(): c.find("calculation").get("formula")
                for c in source.findall("column") if c.find("calculation") is not None}  # fmt: skip

    def tableau(formula):
        num, den = re.fullmatch(r"SUM\(\[(\w+)\]\) / SUM\(\[(\w+)\]\)", formula).groups()
        return sum(Decimal(d[num]) for d in days) / sum(Decimal(d[den]) for d in days)

    assert {k: _r6(tableau(formulas[k])) for k in HAND} == HAND
    monthly = wh.one("SELECT availability, performance, quality, oee FROM reporting.oee_monthly")
    assert dict(zip(HAND, map(_r6, monthly), strict=True)) == HAND
    # The wrong way, for the record: the average of the daily OEEs.
    assert _r6(sum(Decimal(d["oee"]) for d in days) / 2) == "0.711746"


@needs_chromium
def test_dashboard_shows_the_hand_worked_line_month(two_machines, tmp_path):
    page = write_dashboard(two_machines.conn, tmp_path / "dashboard.html")
    with Browser() as b:
        b.open(page.as_uri())
        _select(b, "plant", "P1")
        _select(b, "line", "L1")
        _select(b, "month", "2026-03")
        apq = _apq(b)
        shown = {k.lower(): _r6(apq[label][1][0]) for k, label in [
            ("availability", "Availability"), ("performance", "Performance"), ("quality", "Quality"), ("oee", "OEE")
        ]}  # fmt: skip
        assert shown == HAND
        worst = b.js("document.getElementById('oee_worst').data[0]")
        assert dict(zip(worst["y"], map(_r6, worst["x"]), strict=True)) == {"MB": "0.675556", "MA": "0.747937"}
        assert b.errors() == []


def test_dashboard_command_writes_one_offline_file(two_machines, hub_env, tmp_path):
    out = tmp_path / "d" / "hub.html"
    proc = run_hub("dashboard", str(out), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert str(out) in proc.stdout
    html = out.read_text(encoding="utf-8")
    # Everything inline: no script, stylesheet or image is fetched from anywhere.
    assert "<script src" not in html and "<link" not in html and "http://cdn" not in html
    assert "default-src 'none'" in html  # and the page's policy forbids any request anyway
    proc = run_hub("dashboard", "--help", env=hub_env)
    assert proc.returncode == 0 and "self-contained HTML dashboard" in proc.stdout
