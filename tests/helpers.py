"""Small helpers shared by the tests."""

from __future__ import annotations

import gzip
from pathlib import Path

import psycopg
from psycopg.conninfo import make_conninfo

from hublib.loader import Loader, LoadResult

# Columns that record when something happened, not what: equal content, other clock.
VOLATILE = {"pending_record": {"attempts", "last_tried_at"}}
# The run history: every run adds its record by design (it is the audit log, not the
# warehouse's content), so a second run is compared without it.
RUN_LOG = {
    "etl.pipeline_run",
    "etl.pipeline_run_step",
    "etl.pipeline_state_change",
    "etl.dq_result",
    "etl.notification_outbox",
}

HEADERS = {
    "plants": "plant_code,plant_name,country_code,currency_code,timezone,updated_at",
    "machines": "machine_code,machine_name,plant_code,line_code,machine_type,manufacturer,"
    "commissioned_on,status,updated_at",
    "products": "product_sku,product_name,product_family,unit_of_measure,standard_cost,list_price,"
    "currency_code,updated_at",
    "accounts": "account_code,account_name,account_type,cost_category,updated_at",
    "production_runs": "run_id,machine_code,product_sku,work_order,shift_code,start_ts,end_ts,"
    "total_count,good_count,ideal_cycle_time_s",
    "downtime_events": "event_id,machine_code,start_ts,end_ts,reason_code,reason_description,is_planned",
    "sensor_readings": "machine_code,reading_ts,metric,value,unit",
    "gl_entries": "entry_id,posting_date,plant_code,cost_center,account_code,amount,currency_code,description",
    "sales_lines": "invoice_id,line_no,invoice_date,customer_code,customer_name,customer_country,"
    "product_sku,plant_code,quantity,unit_price,discount_pct,currency_code",
    "fx_rates": "rate_date,from_currency,to_currency,rate",
}

BERLIN = "P1,Berlin Works,DE,EUR,Europe/Berlin,2020-01-01T00:00:00Z"
M1_IN_P1 = "M1,Press 1,P1,L1,press,Acme,2019-05-01,active,2020-01-01T00:00:00Z"


def write(folder: Path, name: str, content: str | bytes, *, gz: bool = False) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    data = content.encode() if isinstance(content, str) else content
    path = folder / name
    if gz:
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)
    return path


def feed_file(folder: Path, feed: str, *rows: str, name: str | None = None, header: str | None = None) -> Path:
    text = "\n".join([header or HEADERS[feed], *rows]) + "\n"
    return write(folder, name or f"{feed}.csv", text)


class Warehouse:
    """One test database: run SQL, load folders, take snapshots."""

    def __init__(self, conn: psycopg.Connection):
        self.conn = conn
        info = conn.info
        self.url = make_conninfo(
            host=info.host, port=info.port, user=info.user, password=info.password, dbname=info.dbname
        )
        self.messages: list[str] = []

    def one(self, sql: str, params=None):
        return self.conn.execute(sql, params).fetchone()

    def all(self, sql: str, params=None) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def scalar(self, sql: str, params=None):
        return self.one(sql, params)[0]

    def load(self, *dirs: Path) -> LoadResult:
        with psycopg.connect(self.url) as conn:
            return Loader(conn, log=self.messages.append, url=self.url).load(list(dirs))

    def rejected(self, batch_id: int | None = None) -> list[tuple]:
        """(file_line, reason_code, column_name) of rejected rows, in line order."""
        where = "" if batch_id is None else "WHERE batch_id = %s"
        return self.all(
            f"SELECT file_line, reason_code, column_name FROM etl.rejected_row {where} ORDER BY batch_id, file_line",
            None if batch_id is None else (batch_id,),
        )

    def batch(self, file_name: str) -> dict:
        cur = self.conn.execute("SELECT * FROM etl.batch WHERE file_name = %s", (file_name,))
        row = cur.fetchone()
        assert row is not None, f"no batch for {file_name}"
        return dict(zip([d.name for d in cur.description], row, strict=True))

    def snapshot(self, schemas=("etl", "staging", "clean", "dw")) -> dict[str, list]:
        """Every row of every table in the schemas, sorted, volatile columns left out."""
        tables = self.all(
            "SELECT n.nspname, c.relname FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%s) ORDER BY 1, 2",
            (list(schemas),),
        )
        snap = {}
        for schema, table in tables:
            if f"{schema}.{table}" in RUN_LOG:
                continue
            skip = VOLATILE.get(table, set())
            cols = [
                r[0]
                for r in self.all(
                    "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
                    "AND NOT attisdropped ORDER BY attnum",
                    (f"{schema}.{table}",),
                )
                if r[0] not in skip
            ]
            col_list = ", ".join(f'"{c}"' for c in cols)
            rows = self.all(f'SELECT {col_list} FROM "{schema}"."{table}"')
            snap[f"{schema}.{table}"] = sorted(rows, key=repr)
        return snap
