"""The BI contract: the reporting views exist with their documented columns, every view and
column carries a comment, ratios are fractions, and hub_reporting can read them."""

from __future__ import annotations

import pytest

CONTRACT = {
    "oee_daily": [
        "plant_code", "line_code", "machine_code", "production_date", "scheduled_min", "planned_downtime_min",
        "planned_production_min", "unplanned_downtime_min", "run_time_min", "total_count", "good_count",
        "availability", "performance", "quality", "oee", "good_ratio",
    ],
    "oee_monthly": ["plant_code", "line_code", "month", "availability", "performance", "quality", "oee", "good_ratio"],
    "downtime_pareto": ["plant_code", "month", "reason_code", "is_planned", "events", "downtime_min",
                        "share_of_month", "cumulative_share"],
    "cost_per_unit_monthly": ["month", "plant_code", "product_sku", "good_units", "allocated_cost", "cost_per_unit",
                              "standard_cost_per_unit", "variance", "currency_code"],
    "profitability_monthly": ["month", "plant_code", "product_sku", "product_family", "units_sold", "revenue", "cogs",
                              "gross_margin", "gross_margin_pct", "revenue_mom_pct", "revenue_yoy_pct",
                              "currency_code"],
}  # fmt: skip


@pytest.mark.parametrize("view", sorted(CONTRACT))
def test_view_has_the_contract_columns(wh, view):
    columns = [r[0] for r in wh.all(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'reporting' AND table_name = %s",
        (view,),
    )]  # fmt: skip
    assert set(CONTRACT[view]) <= set(columns)


def test_every_reporting_view_and_column_is_commented(wh):
    missing_views = wh.all(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'reporting' AND obj_description(c.oid, 'pg_class') IS NULL"
    )
    missing_columns = wh.all(
        "SELECT c.relname, a.attname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
        "WHERE n.nspname = 'reporting' AND col_description(c.oid, a.attnum) IS NULL"
    )
    assert (missing_views, missing_columns) == ([], [])
    assert wh.scalar("SELECT count(*) FROM pg_views WHERE schemaname = 'reporting'") >= 5


def test_month_columns_are_dates_and_reporting_has_only_views(wh):
    assert wh.all(
        "SELECT DISTINCT data_type FROM information_schema.columns WHERE table_schema = 'reporting' "
        "AND column_name = 'month'"
    ) == [("date",)]
    assert wh.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'reporting'") == 0


def test_hub_reporting_reads_every_view(wh):
    for (view,) in wh.all("SELECT viewname FROM pg_views WHERE schemaname = 'reporting'"):
        assert wh.scalar("SELECT has_table_privilege('hub_reporting', %s, 'SELECT')", (f"reporting.{view}",)), view
