"""What `load`, `run` and `demo` print."""

from __future__ import annotations

from hublib.loader import LoadResult, shown_name


def print_load(result: LoadResult, out) -> None:
    rows = [("feed", "file", "read", "accepted", "rejected", "pending", "batch", "how")]
    for f in result.files:
        if f.status == "skipped":
            rows.append((f.feed, shown_name(f.path.name), "-", "-", "-", "-", str(f.skipped_as), "already loaded"))
            continue
        if f.status in ("unopened", "failed"):
            what = "cannot be read" if f.status == "unopened" else "failed"
            rows.append((f.feed, shown_name(f.path.name), "-", "-", "-", "-", "-", what))
            continue
        how = f.method or ""
        if f.status == "rejected":
            how = "file rejected"
        rows.append(
            (
                f.feed,
                shown_name(f.path.name),
                str(f.read),
                str(f.accepted),
                str(f.rejected),
                str(f.pending),
                str(f.batch_id),
                how,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    right = {2, 3, 4, 5, 6}
    for r in rows:
        out(
            "  ".join(
                c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            ).rstrip()
        )
    for f in result.files:
        notes = []
        if f.message and f.status != "skipped":
            notes.append(f.message)
        for line, reason, message in f.samples:
            notes.append(f"line {line}: {reason}: {message}")
        if f.rejected > len(f.samples):
            notes.append(
                f"... {f.rejected - len(f.samples)} more: SELECT * FROM etl.rejected_row WHERE batch_id = {f.batch_id}"
            )
        if notes:
            out(f"{shown_name(f.path.name)}:")
            for n in notes:
                out(f"  {n}")
    explained = [p for p in result.ignored if p in result.ignored_why and p not in result.warned]
    csv_like = [
        p for p in result.ignored if p not in result.ignored_why and p.name.lower().endswith((".csv", ".csv.gz"))
    ]
    other = [p for p in result.ignored if p not in csv_like and p not in result.ignored_why]
    for p in explained:
        out(f"ignored {shown_name(p.name)}: {result.ignored_why[p]}")
    for p in csv_like:
        out(f"ignored {shown_name(p.name)}: its name starts with no known feed (e.g. production_runs_2026-03-01.csv)")
    if other:
        names = ", ".join(shown_name(p.name) for p in other)
        out(f"ignored {len(other)} file(s) that are not .csv or .csv.gz: {names}")
    loaded = [f for f in result.files if f.status in ("loaded", "rejected")]
    total = {k: sum(getattr(f, k) for f in loaded) for k in ("read", "accepted", "rejected", "pending")}
    out(
        f"load: {len(loaded)} file(s) loaded, {sum(f.status == 'skipped' for f in result.files)} already loaded; "
        f"read {total['read']} = accepted {total['accepted']} + rejected {total['rejected']} "
        f"+ pending {total['pending']}; every batch reconciles (records and physical lines)"
    )
    trouble = result.needs_attention
    if trouble:
        out(
            f"load: {len(trouble)} file(s) not loaded and not registered (the next load tries them again): "
            f"{', '.join(shown_name(f.path.name) for f in trouble)}; exit status 2"
        )
    if result.still_pending:
        out(f"load: {result.still_pending} record(s) wait in etl.pending_record for their machine or plant")
