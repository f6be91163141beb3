"""Cost per unit and profitability, with expected values worked out by hand from the
business rules: allocation by run minutes, standard cost valid at a date, exchange rates
(weekend gap, inverse pair, tie, missing rate, reporting currency switched), credit notes,
discounts, and growth across a year boundary."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import psycopg
import pytest

from tests.helpers import BERLIN, feed_file

CHICAGO = "P2,Chicago,US,USD,America/Chicago,2020-01-01T00:00:00Z"
MACHINES = [
    "MA,Press A,P1,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
    "MC,Press C,P2,L1,press,,2019-05-01,active,2020-01-01T00:00:00Z",
]
PRODUCTS = [
    "SKUX,Widget X,widgets,pcs,5.00,9.00,EUR,2020-01-01T00:00:00Z",
    # from 2026-03-15 00:00 Berlin (2026-03-14 23:00 UTC) SKUX costs 5.50
    "SKUX,Widget X,widgets,pcs,5.50,9.00,EUR,2026-03-15T00:00:00+01:00",
    "SKUY,Widget Y,widgets,pcs,2.00,4.00,EUR,2020-01-01T00:00:00Z",
    "SKUZ,Widget Z,gadgets,pcs,10.00,15.00,USD,2020-01-01T00:00:00Z",
]
ACCOUNTS = [
    "5100,Material,cost,material,2020-01-01T00:00:00Z",
    "5200,Labour,cost,labor,2020-01-01T00:00:00Z",
    "4000,Sales,revenue,,2020-01-01T00:00:00Z",
]


I1_CONVERTED = (
    "SELECT f.net_amount * x.rate FROM dw.fact_sales_line AS f JOIN dw.fx_daily AS x "
    "ON x.currency_code = f.currency_code AND x.rate_date = f.invoice_date WHERE f.invoice_id = 'I1'"
)


def finance(wh, tmp_path, reporting="EUR", missing_rates=None, **feeds):
    feed_file(tmp_path, "plants", BERLIN, CHICAGO)
    feed_file(tmp_path, "machines", *MACHINES)
    feed_file(tmp_path, "products", *PRODUCTS)
    feed_file(tmp_path, "accounts", *ACCOUNTS)
    for feed, rows in feeds.items():
        feed_file(tmp_path, feed, *rows)
    wh.load(tmp_path)
    set_reporting(wh, reporting, missing_rates)


def set_reporting(wh, currency, missing_rates=None):
    wh.conn.execute("UPDATE etl.setting SET setting_value = %s WHERE setting_name = 'reporting_currency'", (currency,))
    if missing_rates is None:
        wh.conn.execute("CALL etl.run_pipeline()")
    else:
        # The exchange-rate check fails the run, naming what is missing; the steps before
        # it are committed, so the views show the data with NULL where a rate is missing.
        with pytest.raises(psycopg.errors.DataException, match=missing_rates):
            wh.conn.execute("CALL etl.run_pipeline()")


def rows(wh, view, where=""):
    cur = wh.conn.execute(f"SELECT * FROM reporting.{view} {where} ORDER BY month, plant_code, product_sku")
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_cost_pool_allocated_by_run_minutes(wh, tmp_path):
    # Pool of P1 in March: 6000 + 3000 on cost accounts = 9000 (the revenue account and the
    # entry on unknown account 5999 are held out; P3 has costs but no runs: no row).
    # Runs: X 120 + 60 = 180 min, 500 + 400 = 900 good; Y 120 min, 0 good; all 300 min.
    # X: 9000 x 180 / 300 = 5400, per unit 5400 / 900 = 6.00; standard at 03-31 is 5.50,
    # variance +0.50. Y: 9000 x 120 / 300 = 3600, no good units: per unit NULL.
    # P2 has a run of Z but no costs: allocated 0; standard 10 USD x (1 / 1.25) = 8 EUR.
    finance(
        wh,
        tmp_path,
        gl_entries=[
            "G1,2026-03-05,P1,CC1,5100,6000,EUR,",
            "G2,2026-03-20,P1,CC1,5200,3000,EUR,",
            "G3,2026-03-20,P1,CC1,4000,99999,EUR,",
            "G4,2026-03-21,P1,CC1,5999,777,EUR,",
            "G5,2026-03-21,P3,CC9,5100,5000,EUR,",
        ],
        production_runs=[
            "RX1,MA,SKUX,,A,2026-03-10T08:00Z,2026-03-10T10:00Z,600,500,1",
            "RX2,MA,SKUX,,A,2026-03-11T08:00Z,2026-03-11T09:00Z,450,400,1",
            "RY1,MA,SKUY,,A,2026-03-12T08:00Z,2026-03-12T10:00Z,100,0,1",
            "RZ1,MC,SKUZ,,A,2026-03-12T14:00Z,2026-03-12T15:00Z,100,90,1",
        ],
        fx_rates=["2026-03-31,EUR,USD,1.25"],
    )
    got = {(r["plant_code"], r["product_sku"]): r for r in rows(wh, "cost_per_unit_monthly")}
    assert set(got) == {("P1", "SKUX"), ("P1", "SKUY"), ("P2", "SKUZ")}
    x, y, z = got["P1", "SKUX"], got["P1", "SKUY"], got["P2", "SKUZ"]
    assert (x["month"], x["good_units"], x["run_min"], x["allocated_cost"]) == (date(2026, 3, 1), 900, 180, 5400)
    assert (x["cost_per_unit"], x["standard_cost_per_unit"], x["variance"]) == (6, Decimal("5.50"), Decimal("0.50"))
    assert (y["allocated_cost"], y["cost_per_unit"], y["variance"]) == (3600, None, None)
    assert (z["allocated_cost"], z["standard_cost_per_unit"]) == (0, 8)
    assert {r["currency_code"] for r in got.values()} == {"EUR"}


def test_cogs_uses_the_standard_cost_valid_at_each_invoice_date(wh, tmp_path):
    # 10 x 8 on 03-10 and 10 x 8 on 03-20: revenue 160. COGS 10 x 5.00 (valid on the 10th)
    # + 10 x 5.50 (valid from the 15th) = 105; margin 55, 55 / 160 = 0.34375.
    # A sale on 03-14 still takes 5.00: the change is at 00:00 Berlin on the 15th.
    finance(
        wh,
        tmp_path,
        sales_lines=[
            "I1,1,2026-03-10,C1,Cust,DE,SKUX,P1,10,8,,EUR",
            "I2,1,2026-03-20,C1,Cust,DE,SKUX,P1,10,8,,EUR",
            "I3,1,2026-03-14,C1,Cust,DE,SKUY,P1,1,4,,EUR",
        ],
    )
    [x] = rows(wh, "profitability_monthly", "WHERE product_sku = 'SKUX'")
    assert (x["units_sold"], x["revenue"], x["cogs"], x["gross_margin"]) == (20, 160, Decimal("105.00"), 55)
    assert x["gross_margin_pct"] == Decimal("0.34375")
    assert x["product_family"] == "widgets"
    assert wh.scalar(
        "SELECT p.standard_cost FROM dw.fact_sales_line f JOIN dw.dim_product p USING (product_key) "
        "WHERE invoice_id = 'I1'"
    ) == Decimal("5.00")


def test_credit_notes_and_discounts(wh, tmp_path):
    # 10 x 8 less 10% = 72; a credit note of 2 x 8 = -16: revenue 56, units 8.
    # COGS at 5.50 (April): 10 x 5.50 - 2 x 5.50 = 44; margin 12, 12 / 56 = 0.214286.
    finance(
        wh,
        tmp_path,
        sales_lines=[
            "I1,1,2026-04-02,C1,Cust,DE,SKUX,P1,10,8,10,EUR",
            "CN1,1,2026-04-05,C1,Cust,DE,SKUX,P1,-2,8,,EUR",
        ],
    )
    [x] = rows(wh, "profitability_monthly")
    assert (x["units_sold"], x["revenue"], x["cogs"], x["gross_margin"]) == (8, 56, Decimal("44.00"), 12)
    assert round(x["gross_margin_pct"], 6) == Decimal("0.214286")


def test_exchange_rates_gap_inverse_tie_latest_missing_and_switch(wh, tmp_path):
    # Reporting USD. Sales on Sunday 2026-03-08, each product in its own currency:
    #  E (EUR): Friday's EUR->USD 1.10 (no rate on the weekend): 100 EUR -> 110 USD
    #  G (GBP): only USD->GBP 0.8 exists: inverse 1 / 0.8 = 1.25: 100 GBP -> 125 USD
    #  C (CHF): CHF->USD 1.10 and USD->CHF 0.5 on the same day: the direct row wins: 110
    #  S (SEK): SEK->USD 0.09 on 03-02, USD->SEK 10 on 03-05: the latest wins: 0.1: 100
    #  J: a second line of E's product in JPY, which has no rate: E's revenue is NULL, not 110
    products = ["SKUE,E,f,pcs,0,1,USD,2020-01-01T00:00Z", "SKUG,G,f,pcs,0,1,USD,2020-01-01T00:00Z",
                "SKUC,C,f,pcs,0,1,USD,2020-01-01T00:00Z", "SKUS,S,f,pcs,0,1,USD,2020-01-01T00:00Z"]  # fmt: skip
    feed_file(tmp_path, "products", *products, name="products_fx.csv")
    finance(
        wh,
        tmp_path,
        reporting="USD",
        missing_rates=r"1 day\(s\) need an exchange rate to USD that is missing: JPY on 2026-03-08\n",
        fx_rates=[
            "2026-03-06,EUR,USD,1.10",
            "2026-03-09,EUR,USD,1.20",
            "2026-03-06,USD,GBP,0.8",
            "2026-03-06,CHF,USD,1.10",
            "2026-03-06,USD,CHF,0.5",
            "2026-03-02,SEK,USD,0.09",
            "2026-03-05,USD,SEK,10",
        ],
        sales_lines=[
            "I1,1,2026-03-08,C1,Cust,DE,SKUE,P1,1,100,,EUR",
            "I2,1,2026-03-08,C1,Cust,GB,SKUG,P1,1,100,,GBP",
            "I3,1,2026-03-08,C1,Cust,CH,SKUC,P1,1,100,,CHF",
            "I4,1,2026-03-08,C1,Cust,SE,SKUS,P1,1,1000,,SEK",
            "I5,1,2026-03-09,C1,Cust,DE,SKUG,P1,1,100,,GBP",
            "I6,1,2026-03-08,C1,Cust,JP,SKUE,P1,1,100,,JPY",
        ],
    )
    revenue = {r["product_sku"]: r["revenue"] for r in rows(wh, "profitability_monthly")}
    assert revenue == {"SKUE": None, "SKUG": Decimal("250"), "SKUC": Decimal("110.00"), "SKUS": Decimal("100")}
    assert wh.all(
        "SELECT rate_date, rate FROM dw.fx_daily WHERE currency_code = 'JPY' AND rate_date = '2026-03-08'"
    ) == [(date(2026, 3, 8), None)]
    assert wh.scalar(I1_CONVERTED) == Decimal("110.00")
    # Switch the reporting currency to EUR and run again: the EUR line is worth 100 EUR; GBP has
    # no rate to EUR at all (only USD->GBP exists, and there is no triangulation): NULL.
    # Against EUR only EUR->USD exists (and gives USD->EUR by inverse): CHF, GBP (sold on
    # the 8th and 9th), JPY and SEK have no rate, and the check names each; the USD
    # standard costs convert through the inverse of EUR->USD.
    set_reporting(
        wh,
        "EUR",
        missing_rates=r"5 day\(s\) need an exchange rate to EUR that is missing: CHF on 2026-03-08; "
        r"GBP on 2 days from 2026-03-08 to 2026-03-09; JPY on 2026-03-08; SEK on 2026-03-08\n",
    )
    revenue = {r["product_sku"]: r["revenue"] for r in rows(wh, "profitability_monthly")}
    assert revenue["SKUG"] is None and revenue["SKUS"] is None and revenue["SKUC"] is None
    assert wh.scalar(I1_CONVERTED) == 100
    assert {r["currency_code"] for r in rows(wh, "profitability_monthly")} == {"EUR"}


def test_month_over_month_and_year_over_year_across_a_year_boundary(wh, tmp_path):
    # SKUX at 10 a unit: Jan 2025 120, Dec 2025 100, Jan 2026 150, Feb 2026 +10 -10 = 0,
    # Mar 2026 100. Jan 2026: MoM (150 - 100) / 100 = 0.5, YoY (150 - 120) / 120 = 0.25.
    # Mar 2026: February's revenue is 0, so MoM is NULL; no March 2025, so YoY is NULL.
    finance(
        wh,
        tmp_path,
        sales_lines=[
            "I1,1,2025-01-15,C1,Cust,DE,SKUX,P1,12,10,,EUR",
            "I2,1,2025-12-15,C1,Cust,DE,SKUX,P1,10,10,,EUR",
            "I3,1,2026-01-15,C1,Cust,DE,SKUX,P1,15,10,,EUR",
            "I4,1,2026-02-10,C1,Cust,DE,SKUX,P1,1,10,,EUR",
            "CN4,1,2026-02-12,C1,Cust,DE,SKUX,P1,-1,10,,EUR",
            "I5,1,2026-03-15,C1,Cust,DE,SKUX,P1,10,10,,EUR",
        ],
    )
    got = {
        r["month"]: (r["revenue"], r["revenue_mom_pct"], r["revenue_yoy_pct"])
        for r in rows(wh, "profitability_monthly")
    }
    assert got[date(2025, 1, 1)] == (120, None, None)
    assert got[date(2025, 12, 1)] == (100, None, None)
    assert got[date(2026, 1, 1)] == (150, Decimal("0.5"), Decimal("0.25"))
    assert got[date(2026, 2, 1)][0] == 0
    assert got[date(2026, 3, 1)] == (100, None, None)
    [feb] = rows(wh, "profitability_monthly", "WHERE month = '2026-02-01'")
    assert feb["gross_margin_pct"] is None


def test_customer_history_and_finance_chain_twice(wh, tmp_path):
    # C1 moves from DE to AT on 2026-03-10: two versions; the March 5 line keeps DE.
    finance(
        wh,
        tmp_path,
        sales_lines=[
            "I1,1,2026-03-05,C1,Kunde,DE,SKUX,P1,1,8,,EUR",
            "I2,1,2026-03-10,C1,Kunde GmbH,AT,SKUX,P1,1,8,,EUR",
            "I3,1,2026-03-12,C1,Kunde GmbH,,SKUX,P1,1,8,,EUR",
        ],
        gl_entries=["G1,2026-03-05,P1,CC1,5100,100,EUR,"],
    )
    assert wh.all(
        "SELECT f.invoice_id, c.customer_country, c.customer_name FROM dw.fact_sales_line f "
        "JOIN dw.dim_customer c USING (customer_key) ORDER BY 1"
    ) == [("I1", "DE", "Kunde GmbH"), ("I2", "AT", "Kunde GmbH"), ("I3", "AT", "Kunde GmbH")]
    before = wh.snapshot()
    wh.conn.execute("CALL etl.run_pipeline()")
    assert wh.snapshot() == before
