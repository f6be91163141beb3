"""The bad-input corpus (tests/bad_input/corpus.py), each case loaded through the command
line in-process: the exit status, each file's outcome, the reason codes at their physical
lines, the words of the report, no traceback, and every batch reconciling (records and
lines)."""

from __future__ import annotations

import pytest

import hublib.cli
import hublib.loader
from tests.bad_input.corpus import Case, cases, write_case

CASES = cases()


def test_the_corpus_has_at_least_45_kinds():
    assert len({c.name for c in CASES}) == len(CASES) >= 45


def _load(case: Case, folder, wh, monkeypatch, capsys) -> tuple[int, str]:
    monkeypatch.setenv("DATABASE_URL", wh.url)
    # The fixture's database is migrated (and load no longer migrates once issue 10 lands).
    monkeypatch.setattr(hublib.cli, "do_migrate", lambda _url: None, raising=False)
    if case.vanish:
        real = hublib.loader.discover

        def discover_then_vanish(*args, **kwargs):
            found = real(*args, **kwargs)
            for name in case.vanish:
                (folder / name).unlink()
            return found

        monkeypatch.setattr(hublib.loader, "discover", discover_then_vanish)
    status = hublib.cli.main(["load", str(folder), *case.args])
    captured = capsys.readouterr()
    return status, captured.out + captured.err


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, wh, tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    write_case(case, folder)
    for _n in range(case.loads):
        status, output = _load(case, folder, wh, monkeypatch, capsys)
        assert "Traceback" not in output
        assert status == case.exit, output
    for word in case.says:
        assert word in output, output
    for name, want in case.expect.items():
        row = wh.one(
            "SELECT status, records_read, records_accepted, records_rejected, records_pending, file_lines, "
            "load_method, batch_id FROM etl.batch WHERE file_name = %s",
            (name,),
        )
        if want.status in ("unopened", "skipped"):
            assert row is None or want.status == "skipped", f"{name}: {row}"
            if want.status == "unopened":
                assert f"{name} cannot be read" in output
            continue
        assert row is not None, f"{name}: no batch\n{output}"
        status_, read, accepted, rejected, pending, lines, method, batch_id = row
        got = {"status": status_, "read": read, "accepted": accepted, "rejected": rejected, "pending": pending}
        expected = {"status": want.status, "read": want.read, "accepted": want.accepted, "rejected": want.rejected}
        expected["pending"] = want.pending
        for key, value in expected.items():
            if value is not None:
                assert got[key] == value, f"{name}: {key} {got[key]} != {value}\n{output}"
        if want.lines is not None or (want.status == "rejected" and want.read == 0):
            assert lines == want.lines, f"{name}: lines {lines} != {want.lines}"
        if want.method is not None:
            assert method == want.method
        if want.reasons is not None:
            assert wh.rejected(batch_id) == want.reasons, output
    for query, value in case.checks:
        assert wh.scalar(query) == value, query
    assert wh.scalar("SELECT count(*) FROM etl.batch_reconciliation WHERE NOT is_reconciled") == 0
    assert wh.scalar("SELECT count(*) FROM etl.batch WHERE status = 'loading'") == 0
    # a rejected file always says why (docs/feeds.md)
    assert wh.all("SELECT file_name FROM etl.batch WHERE status = 'rejected' AND reject_reason IS NULL") == []
