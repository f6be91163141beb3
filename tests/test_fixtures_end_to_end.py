"""The shipped fixtures through the command line, with every count worked out from how the
files were made (fixtures/README.md), and `scripts/hub demo` as a new user runs it."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT, run_hub

# file -> (read, accepted, rejected, pending)
EXPECTED = {
    "plants.csv": (3, 3, 0, 0),
    # 6 machines + a second version of CHI-A2 (moved line)
    "machines.csv": (7, 7, 0, 0),
    # 3 products + a second version of BRK-100 (standard cost change)
    "products.csv": (4, 4, 0, 0),
    # 6 cost accounts + 1 revenue account
    "accounts.csv": (7, 7, 0, 0),
    # 5 days x 6 machines x 3 shifts = 90 good runs; + DST gap, good > total, US date (rejected)
    # + a run of the unknown machine NEW-X1 with a local time (pending)
    "production_runs_2026-03.csv": (94, 90, 3, 1),
    # 44 stops + one that ends before it starts
    "downtime_events_2026-03.csv": (45, 44, 1, 0),
    # 6 machines x 48 hours x 2 metrics = 576, + 1 identical duplicate (accepted, stored once)
    "sensor_readings_2026-03-02.csv.gz": (577, 577, 0, 0),
    # 3 plants x 6 accounts + 1 refund
    "gl_entries_2026-03.csv": (19, 19, 0, 0),
    # 3 plants x 4 invoices + a credit note; + one line in 'EURO'
    "sales_lines_2026-03.csv": (14, 13, 1, 0),
    # 22 weekdays from 2026-03-02 (a Monday) to 03-31 x 2 pairs
    "fx_rates_2026-03.csv": (44, 44, 0, 0),
}


def test_fixtures_load_with_the_counts_worked_out_by_hand(wh):
    result = wh.load(ROOT / "fixtures")
    got = {f.path.name: (f.read, f.accepted, f.rejected, f.pending) for f in result.files}
    assert got == EXPECTED
    assert wh.scalar("SELECT count(*) FROM clean.sensor_reading") == 576
    assert wh.all("SELECT reason_code, count(*) FROM etl.rejected_row GROUP BY 1 ORDER BY 1") == [
        ("end_before_start", 1),
        ("good_exceeds_total", 1),
        ("nonexistent_local_time", 1),
        ("unknown_currency", 1),
        ("unparsable_timestamp", 1),
    ]
    assert wh.scalar("SELECT bool_and(is_reconciled) FROM etl.batch_reconciliation")


def test_load_command_on_the_fixtures(hub_env):
    proc = run_hub("load", str(ROOT / "fixtures"), env=hub_env)
    assert proc.returncode == 0, proc.stderr
    assert "read 814 = accepted 808 + rejected 5 + pending 1; every batch reconciles" in proc.stdout
    assert "ignored 1 file(s) that are not .csv or .csv.gz: README.md" in proc.stdout


def test_demo_from_nothing(tmp_path):
    """`scripts/hub demo` on the private cluster: generated data, the chain, the summary."""
    from hublib.db import private_cluster

    cluster = private_cluster()
    was_running = cluster.initialized() and cluster.running_port() is not None
    try:
        proc = subprocess.run([str(ROOT / "scripts" / "hub"), "demo"], capture_output=True, text=True, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        out = proc.stdout
        assert "fresh database hub_demo" in out
        assert "rejected 0 + pending 0; every batch reconciles" in out
        assert "OEE by plant and line, March 2026" in out
        assert "Five worst machines, March 2026" in out
        assert "Top downtime reasons, March 2026" in out
        assert "Cost per unit and margin, March 2026 (USD)" in out
        assert "export: 11 views written to" in out  # with profitability_by_country_monthly
        assert f"demo: dashboard written to {ROOT / 'out' / 'dashboard.html'}" in out
        assert (ROOT / "out" / "dashboard.html").stat().st_size > 1_000_000  # Plotly's JavaScript inside
        assert (ROOT / "out" / "exports" / "profitability_monthly.csv").exists()
        summary = out[out.index("OEE by plant and line") :].splitlines()
        assert [line.split()[0] for line in summary[2:8]] == ["BER", "BER", "CHI", "CHI", "PNQ", "PNQ"]
    finally:
        if not was_running:
            cluster.down()
