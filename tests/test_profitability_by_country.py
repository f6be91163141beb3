"""reporting.profitability_by_country_monthly: profitability split by the customer's country
(the version valid at the invoice date), summing back to profitability_monthly."""

from __future__ import annotations

from decimal import Decimal

from tests.test_finance import finance


def _rows(wh, view):
    cur = wh.conn.execute(f"SELECT * FROM reporting.{view} ORDER BY 1, 2, 3, 4")
    names = [d.name for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def test_split_by_customer_country_sums_back(wh, tmp_path):
    # SKUX costs 5.00 EUR before 15 March (Berlin). In March:
    #   C1 (DE) 10 x 8 = 80, COGS 10 x 5 = 50;  C3 (DE) 2 x 8 = 16, COGS 10
    #   C2 (AT) 5 x 8 less 25% = 30, COGS 5 x 5 = 25
    # DE: 2 customers, 12 units, revenue 96, COGS 60, margin 36, 36 / 96 = 0.375
    # AT: 1 customer, 5 units, revenue 30, COGS 25, margin 5, 5 / 30 = 0.166667
    # Together 126 - 85 = 41, as profitability_monthly has it; C2 moved to CH in April.
    finance(
        wh,
        tmp_path,
        sales_lines=[
            "I1,1,2026-03-10,C1,Cust,DE,SKUX,P1,10,8,,EUR",
            "I2,1,2026-03-11,C2,Kunde,AT,SKUX,P1,5,8,25,EUR",
            "I3,1,2026-03-12,C3,Client,DE,SKUX,P1,2,8,,EUR",
            "I4,1,2026-04-02,C2,Kunde,CH,SKUX,P1,1,8,,EUR",
        ],
    )
    march = [r for r in _rows(wh, "profitability_by_country_monthly") if str(r["month"]) == "2026-03-01"]
    got = {
        r["customer_country"]: (r["customers"], r["units_sold"], r["revenue"], r["cogs"], r["gross_margin"])
        for r in march
    }
    assert got == {"AT": (1, 5, 30, 25, 5), "DE": (2, 12, 96, 60, 36)}
    pct = {r["customer_country"]: round(r["gross_margin_pct"], 6) for r in march}
    assert pct == {"AT": Decimal("0.166667"), "DE": Decimal("0.375000")}
    [total] = [r for r in _rows(wh, "profitability_monthly") if str(r["month"]) == "2026-03-01"]
    assert (total["revenue"], total["cogs"], total["gross_margin"]) == (126, 85, 41)
    april = [r["customer_country"] for r in _rows(wh, "profitability_by_country_monthly") if r["month"].month == 4]
    assert april == ["CH"]
    assert {r["currency_code"] for r in march} == {"EUR"}
    assert wh.scalar(
        "SELECT has_table_privilege('hub_reporting', 'reporting.profitability_by_country_monthly', 'SELECT')"
    )
