"""Probe: what a real ETL login (a member of hub_etl) may and may not do with this
session's contract tables and routines."""

from __future__ import annotations

import psycopg
import pytest

from tests.test_security import logins  # noqa: F401  (fixture)

REFUSED = [
    "INSERT INTO etl.feed_rule (feed_name, ordinal, applies, condition, reason_code, column_name) "
    "VALUES ('plants', 9, 'after_checks', 'TRUE', 'value_not_allowed', 'plant_name')",
    "UPDATE etl.feed_rule SET condition = 'FALSE'",
    "DELETE FROM etl.feed_rule",
    "UPDATE etl.setting SET setting_value = 'full' WHERE setting_name = 'validation_path'",
    "CALL etl.define_feed_validators()",
    "CALL etl.validate_feed(1, 'plants')",
    "CALL etl.apply_validated(1, 'plants')",
    "SELECT etl.shown_text('x', TRUE)",
    "SELECT etl.record_problem_message('malformed_record', 'x', '{}')",
]


@pytest.mark.parametrize("statement", REFUSED)
def test_probe_the_etl_login_is_refused(wh, logins, statement):  # noqa: F811
    with logins["etl"].connect() as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(statement)


HOSTILE = [
    "x'); DROP TABLE etl.batch; --",
    "'; SELECT pg_sleep(5); --",
    "a\nb\r\x01\u202e\ufeff",
    "$$; DROP TABLE etl.batch; $$",
    "\\",
    "x" * 2_000_000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_probe_definer_text_routines_only_return_text(wh, logins, text):  # noqa: F811
    with logins["etl"].connect() as conn:
        rows = conn.execute(
            "SELECT * FROM etl.header_problem('plants', %s, %s::text[], NULL)", (text, [text, text, "plant_code"])
        ).fetchall()
        assert rows and rows[0][0] == "missing_column"
        rows = conn.execute("SELECT * FROM etl.header_problem('plants', %s, NULL, %s)", (text, text)).fetchall()
        assert rows[0][0] == "missing_column"
        rows = conn.execute(
            "SELECT * FROM etl.file_problem(%s, "
            "jsonb_build_object('gzip', 'corrupt', 'content_bytes', 1, 'error', %s::text))",
            (text, text),
        ).fetchall()
        assert rows[0][0] == "unreadable_file"
    assert wh.scalar("SELECT to_regclass('etl.batch') IS NOT NULL")
