"""The ``segstudio`` command: the same core as the app, without a browser.

Exit codes: 0 done (a load with rejected rows is still done), 2 a clear error in one line
(an unusable file, a bad argument), never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

# Only what the parser needs is imported here, so that `segstudio --help` starts at once; each
# command imports the libraries it uses (pandas, DuckDB, the renderers).
from segstudio.errors import SegStudioError
from segstudio.ingest.paths import DEFAULT_WORKSPACE
from segstudio.ingest.schema import TABLES

if TYPE_CHECKING:
    import pandas as pd

    from segstudio.config.rules import Rules
    from segstudio.ingest.validate import FileReport
    from segstudio.ingest.workspace import Workspace
    from segstudio.segment.segmentation import Portfolio, Segmentation

__all__ = [
    "main",
]


def _workspace_and_rules(parser: argparse.ArgumentParser, table: str) -> None:
    """The --workspace and --rules options of a command that reads a table of the rules."""
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument(
        "--rules",
        type=Path,
        help=f"TOML rules file with the {table} table (default: the official rules)",
    )


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="segstudio", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser(
        "demo", help="write the seeded demo data set (or a large one for benchmarks)"
    )
    d.add_argument("--out", required=True, type=Path)
    d.add_argument("--skus", type=int, default=2000)
    d.add_argument("--weeks", type=int, default=104)
    d.add_argument("--format", choices=["csv", "parquet"], default="csv")
    d.add_argument(
        "--grain",
        choices=["daily", "weekly"],
        default=None,
        help="daily order lines or one row per SKU and week (default: daily up to 20,000 SKUs)",
    )
    d.add_argument("--seed", type=int, default=7)

    ld = sub.add_parser("load", help="load files into a workspace and print the validation summary")
    ld.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    for key, table in TABLES.items():
        ld.add_argument(
            f"--{key}", type=Path, help=f"{table.label} file (CSV, CSV.gz, XLSX, Parquet)"
        )
    ld.add_argument(
        "--sheet",
        action="append",
        default=[],
        metavar="KEY=SHEET",
        help="the sheet of a workbook, e.g. sales=Orders",
    )
    ld.add_argument("--mapping", type=Path, help='TOML mapping file: [sales] sku = "StockCode" ...')
    ld.add_argument("--json", action="store_true", help="print one JSON object")
    ld.add_argument("--rejects", type=Path, help="write every rejected row to this CSV")
    _history_commands(sub, ld)

    f = sub.add_parser("features", help="compute the per-SKU feature table")
    f.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    f.add_argument(
        "--weeks",
        type=int,
        default=None,
        help="analysis window in weeks (default: the rules' window, 52)",
    )
    f.add_argument("--period", choices=["auto", "week", "month"], default="auto")
    f.add_argument(
        "--rules",
        type=Path,
        help="rules TOML whose demand-pattern and lifecycle "
        "cut-offs (and window) apply (default: the official rules)",
    )
    f.add_argument("--out", required=True, type=Path, help="F.csv or F.parquet")

    for name, help_text in (
        ("classify", "write every SKU's classes and segment (and its nearest boundary) as CSV"),
        ("alerts", "write the SKUs within the alert band of a boundary as CSV"),
    ):
        c = sub.add_parser(name, help=help_text)
        c.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
        c.add_argument(
            "--rules", type=Path, help="TOML rules file (default: the workspace's official rules)"
        )
        c.add_argument("--out", required=True, type=Path, help="F.csv")

    pol = sub.add_parser(
        "policy",
        help="write every SKU's inventory policy (safety stock, reorder "
        "point, order quantity, ...) as CSV or XLSX",
    )
    _workspace_and_rules(pol, "[policy]")
    pol.add_argument("--out", required=True, type=Path, help="F.csv or F.xlsx")

    fc = sub.add_parser(
        "forecast",
        help="backtest and forecast every SKU's demand with its segment's forecast policy "
        "(CSV, Parquet or XLSX)",
    )
    _workspace_and_rules(fc, "[forecast]")
    fc.add_argument(
        "--method",
        help="one model for every SKU: auto (the segments' policies, default), naive, "
        "seasonal_naive, ses, ets, arima, croston, sba, tsb, adida or imapa",
    )
    fc.add_argument(
        "--horizon", type=int, help="periods ahead (weeks, or months for monthly files)"
    )
    fc.add_argument("--windows", type=int, default=3, help="backtest windows (default 3)")
    fc.add_argument(
        "--out", required=True, type=Path, help="the forecast: F.csv, .parquet or .xlsx"
    )
    fc.add_argument("--backtest", type=Path, help="the backtest, one row per SKU, window, period")
    fc.add_argument("--accuracy", type=Path, help="the accuracy, one row per SKU")
    fc.add_argument("--json", action="store_true", help="print the per-segment summary as JSON")

    sup = sub.add_parser(
        "suppliers",
        help="write every supplier's performance (on time, in "
        "full, OTIF, lead time) and suggested tier as CSV "
        "or XLSX",
    )
    sup.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    sup.add_argument(
        "--rules", type=Path, help="TOML rules file for the segments (default: the official rules)"
    )
    sup.add_argument(
        "--out",
        required=True,
        type=Path,
        help="F.csv (one row per supplier) or F.xlsx (with the per-segment, "
        "quarterly and dual-sourcing sheets)",
    )

    rep = sub.add_parser(
        "report",
        help="write the quarterly business review: scorecard, "
        "segment matrix, trade-off curves, suppliers and "
        "inventory health as PDF, PowerPoint or Excel",
    )
    rep.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    rep.add_argument(
        "--rules",
        type=Path,
        help="TOML rules file (segments, [policy], [kpi] targets; default: the official rules)",
    )
    rep.add_argument("--format", required=True, choices=["pdf", "pptx", "xlsx"])
    rep.add_argument("--out", required=True, type=Path, help="the file to write")
    rep.add_argument("--title", default="Quarterly business review")
    return p


def _history_commands(sub: argparse._SubParsersAction, ld: argparse.ArgumentParser) -> None:
    """The load history's commands (loads, undo, clear) and the load's options about it."""
    user_help = "who does it, for the load history (default: your login name, else 'local')"
    ld.add_argument("--user", default=None, help=user_help)
    ld.add_argument(
        "--into-demo",
        action="store_true",
        help="load into the demo workspace even though demo tables would stay beside yours",
    )
    ls = sub.add_parser(
        "loads", help="list the workspace's loads, clears and undos (id, when, who, files, rows)"
    )
    ls.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    ls.add_argument("--json", action="store_true", help="print one JSON object")
    un = sub.add_parser(
        "undo", help="put back the tables a load (or clear) replaced, as they were before it"
    )
    un.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    un.add_argument("--load", required=True, type=int, metavar="N", help="the load id to undo")
    un.add_argument("--user", default=None, help=user_help)
    cl = sub.add_parser("clear", help="empty a table on purpose (recorded; undo puts it back)")
    cl.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    cl.add_argument(
        "--table",
        required=True,
        action="append",
        choices=list(TABLES),
        metavar="KEY",
        help=f"the file key of the table to empty ({', '.join(TABLES)}); repeat for several",
    )
    cl.add_argument("--user", default=None, help=user_help)


def _existing(path: Path) -> Path:
    if not path.exists():
        raise SegStudioError(f"{path}: no such workspace; run 'segstudio load' first")
    return path


def _refuse_demo_mix(ws: Workspace, file_keys: list[str]) -> None:
    """A load into the demo workspace that would leave demo tables beside the user's data."""
    from segstudio.ingest.workspace import own_workspace_path

    left = ws.demo_leftovers(file_keys)
    if left:
        raise SegStudioError(
            f"{ws.path} is the demo workspace: its {', '.join(t.lower() for t in left)} would "
            "stay and count in your figures. Load into a workspace of your own (e.g. "
            f"--workspace {own_workspace_path(ws.path)}), or add --into-demo to mix them"
        )


def _cmd_loads(args: argparse.Namespace) -> int:
    import pandas as pd

    from segstudio.common import fmt
    from segstudio.ingest.workspace import Workspace

    entries = Workspace(_existing(args.workspace)).load_entries()
    rows = [
        {
            "load": int(e.load),
            "when": e.when.isoformat(sep=" ", timespec="seconds"),
            "who": e.who,
            "action": e.action,
            "files": e.files,
            "rows": int(e.rows),
            "undoes": None if pd.isna(e.undoes) else int(e.undoes),
            "undone_by": None if pd.isna(e.undone_by) else int(e.undone_by),
        }
        for e in entries.itertuples()
    ]
    if args.json:
        print(json.dumps({"workspace": str(args.workspace), "loads": rows}))
        return 0
    if not rows:
        print(f"{args.workspace}: no loads yet")
        return 0
    print("load\twhen\twho\taction\tfiles\trows\tnote")
    for r in rows:
        note = f"undone by load {r['undone_by']}" if r["undone_by"] is not None else ""
        print(
            f"{r['load']}\t{r['when']}\t{r['who']}\t{r['action']}\t{r['files']}\t"
            f"{fmt.count(r['rows'])}\t{note}"
        )
    return 0


def _print_counts(ws: Workspace, keys: list[str]) -> str:
    from segstudio.common import fmt

    counts = ws.table_counts()
    return ", ".join(
        f"{TABLES[k].label.lower()} {fmt.count(counts.get(k, 0), 'row')}" for k in keys
    )


def _cmd_undo(args: argparse.Namespace) -> int:
    from segstudio.ingest.workspace import Workspace, default_user
    from segstudio.perform.after_load import store_for_commands

    ws = Workspace(_existing(args.workspace))
    undo_id = ws.undo(args.load, args.user or default_user())
    store_for_commands(ws)  # the feature table of the data as it is now
    history = ws.load_history()
    keys = history.loc[history["load_id"] == undo_id, "file_key"].tolist()
    print(f"Undid load {args.load} (load {undo_id}): {_print_counts(ws, keys)}.")
    _print_overlap(ws)
    return 0


def _cmd_clear(args: argparse.Namespace) -> int:
    from segstudio.ingest.workspace import Workspace, default_user
    from segstudio.perform.after_load import store_for_commands

    ws = Workspace(_existing(args.workspace))
    keys = list(dict.fromkeys(args.table))
    clear_id = ws.clear(keys, args.user or default_user())
    store_for_commands(ws)
    print(
        f"Cleared the {', '.join(TABLES[k].label.lower() for k in keys)} (load {clear_id}); "
        f"'segstudio undo --workspace {args.workspace} --load {clear_id}' puts it back."
    )
    return 0


def _print_overlap(ws: Workspace) -> list[str]:
    """The SKU overlap warnings after a change of the data, on stderr; returns them."""
    warnings = ws.overlap_warnings()
    for w in warnings:
        print(f"segstudio: warning: {w}", file=sys.stderr)
    return warnings


def _print_report(reports: dict[str, FileReport]) -> None:
    from segstudio.common import fmt
    from segstudio.ingest.validate import REJECT_COLUMNS

    for key, r in reports.items():
        print(
            f"{TABLES[key].label} ({r.file_label}): read {fmt.count(r.read)}, "
            f"accepted {fmt.count(r.accepted)}, rejected {fmt.count(r.rejected)}"
        )
        for w in r.warnings + r.notes:
            print(f"  warning: {w}")
        for listed in r.listed[:10]:  # the tuples, not r.rejects: no pandas for a load
            row = dict(zip(REJECT_COLUMNS, listed, strict=True))
            col = f"column {row['column']!r}" if isinstance(row["column"], str) else "record"
            print(
                f"  row {row['row']}, {col}: {row['reason']}"
                + (f" ({row['value']!r})" if isinstance(row["value"], str) else "")
            )
        if len(r.listed) > 10:
            more = fmt.count(len(r.listed) - 10)
            print(f"  ... {more} more rejects (use --rejects F.csv for all)")


def _cmd_load(args: argparse.Namespace) -> int:
    from segstudio.ingest.mapping import read_mapping_file
    from segstudio.ingest.readers import SourceFile
    from segstudio.ingest.workspace import Workspace, default_user
    from segstudio.perform.after_load import store_for_commands

    files = {k: getattr(args, k) for k in TABLES if getattr(args, k) is not None}
    if not files:
        raise SegStudioError(
            "nothing to load: give at least one of " + ", ".join(f"--{k}" for k in TABLES)
        )
    sheets = {}
    for item in args.sheet:
        key, _, sheet = item.partition("=")
        if key not in TABLES or not sheet:
            raise SegStudioError(
                f"--sheet {item!r}: use KEY=SHEET with KEY one of {', '.join(TABLES)}"
            )
        sheets[key] = sheet
    mappings = read_mapping_file(args.mapping) if args.mapping else {}
    sources = {k: SourceFile(p, label=str(p), sheet=sheets.get(k)) for k, p in files.items()}
    with Workspace(args.workspace) as ws:
        if not args.into_demo:
            _refuse_demo_mix(ws, list(files))
        load_id, reports = ws.load(sources, mappings, args.user or default_user())
        note = store_for_commands(ws)  # the feature table, once per load
        overlap = ws.overlap_warnings()  # on the held connection: no second open of the file
    if note:
        print(f"segstudio load: note: {note}", file=sys.stderr)
    if args.rejects:
        import pandas as pd

        frames = [r.rejects.assign(file=r.file_label) for r in reports.values()]
        _write_csv(pd.concat(frames, ignore_index=True), args.rejects)
    if args.json:
        print(
            json.dumps(
                {
                    "load_id": load_id,
                    "workspace": str(args.workspace),
                    "files": {k: r.summary() for k, r in reports.items()},
                    "overlap_warnings": overlap,
                }
            )
        )
    else:
        _print_report(reports)
        for w in overlap:
            print(f"  warning: {w}")
        print(f"Loaded into {args.workspace} (load {load_id}).")
    return 0


def _cmd_features(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.config.rules import read_rules
    from segstudio.features.build import FeatureSettings, compute_features, export_features
    from segstudio.features.classes import ClassCuts
    from segstudio.ingest.workspace import Workspace
    from segstudio.segment.decisions import official_rules

    if not args.workspace.exists():
        raise SegStudioError(f"{args.workspace}: no such workspace; run 'segstudio load' first")
    out: Path = args.out
    if out.suffix not in (".parquet", ".csv"):
        raise SegStudioError(f"{out}: use a .csv or .parquet file name")
    with Workspace(args.workspace) as ws:
        rules = read_rules(args.rules) if args.rules else official_rules(ws)
        settings = FeatureSettings(weeks=args.weeks or rules.weeks, period=args.period)
        cuts = ClassCuts.from_rules(rules)
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix == ".parquet":  # DuckDB writes it: no pandas to start
            skus, win = export_features(ws.con, out, settings, cuts)
        else:
            df, win = compute_features(ws.con, settings, cuts)
            skus = len(df)
            _write_csv(df, out)
    print(
        f"{fmt.count(skus, 'SKU')}, {fmt.count(win.periods, win.period)} from "
        f"{fmt.date(win.start)} to {fmt.date(win.last_day)} -> {out}"
    )
    return 0


def _segment(args: argparse.Namespace) -> tuple[Portfolio, Segmentation]:
    """Check the arguments, then segment the workspace's SKUs (the rules file, else official)."""
    from segstudio.config.rules import read_rules
    from segstudio.ingest.workspace import Workspace
    from segstudio.segment.decisions import segment_skus

    if not args.workspace.exists():
        raise SegStudioError(f"{args.workspace}: no such workspace; run 'segstudio load' first")
    if args.out.suffix.lower() != ".csv":
        raise SegStudioError(f"{args.out}: use a .csv file name")
    rules = read_rules(args.rules) if args.rules else None
    with Workspace(args.workspace) as ws:
        return segment_skus(ws, rules)


def _write_csv(df: pd.DataFrame, out: Path) -> None:
    """CSV with spreadsheet formulas escaped (text starting with =, +, -, @) and numbers
    rounded by kind (report.exports.write_csv)."""
    from segstudio.report.exports import write_csv

    write_csv(df, out)


def _write_table(df: pd.DataFrame, out: Path, sheet: str) -> None:
    """``df`` to ``out`` by its extension: CSV (formulas escaped), Parquet or XLSX."""
    from segstudio.report.exports import to_xlsx_bytes

    suffix = out.suffix.lower()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(df, out)
    elif suffix == ".parquet":
        df.to_parquet(out, index=False)
    else:
        out.write_bytes(to_xlsx_bytes({sheet: df}))


_FORECAST_COLUMNS = {
    "out": ["sku", "segment", "model", "period_start", "forecast", "lo_80", "hi_80"],
    "backtest": [
        "sku", "segment", "model", "cutoff", "period_start", "actual", "forecast", "window",
        "naive", "seasonal_naive",
    ],
    "accuracy": [
        "sku", "segment", "model", "rmsse", "mase", "wape", "bias", "tracking_signal",
        "pattern", "windows", "naive_rmsse", "naive_wape", "seasonal_naive_rmsse",
        "seasonal_naive_wape",
    ],
}  # fmt: skip


def _cmd_forecast(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.config.rules import read_rules
    from segstudio.forecast.stage import forecast_workspace, segment_accuracy
    from segstudio.forecast.store import save_run
    from segstudio.ingest.workspace import Workspace, default_user
    from segstudio.segment.decisions import official_rules

    for key in ("out", "backtest", "accuracy"):
        path = getattr(args, key)
        if path is not None and path.suffix.lower() not in (".csv", ".parquet", ".xlsx"):
            raise SegStudioError(f"--{key} {path}: use a .csv, .parquet or .xlsx file name")
    if args.horizon is not None and not 1 <= args.horizon <= 104:
        raise SegStudioError(f"--horizon: a number of periods from 1 to 104, not {args.horizon}")
    if not 1 <= args.windows <= 52:
        raise SegStudioError(f"--windows: a number from 1 to 52, not {args.windows}")
    if not args.workspace.exists():
        raise SegStudioError(f"{args.workspace}: no such workspace; run 'segstudio load' first")
    rules = read_rules(args.rules) if args.rules else None
    with Workspace(args.workspace) as ws:
        rules = rules or official_rules(ws)
        result = forecast_workspace(
            ws, rules, method=args.method, horizon=args.horizon, windows=args.windows
        )
        settings = {
            "method": args.method or "auto",
            "horizon": args.horizon,
            "windows": args.windows,
        }
        save_run(ws, result, default_user(), settings)  # what the Forecast page shows
    _write_table(result.forecast[_FORECAST_COLUMNS["out"]], args.out, "forecast")
    if args.backtest:
        _write_table(result.backtest[_FORECAST_COLUMNS["backtest"]], args.backtest, "backtest")
    if args.accuracy:
        _write_table(result.accuracy[_FORECAST_COLUMNS["accuracy"]], args.accuracy, "accuracy")
    summary = segment_accuracy(result.accuracy, rules)
    total = summary[summary["segment"] == "Total"].iloc[0]
    if args.json:
        print(summary.to_json(orient="records", date_format="iso"))
    else:
        print(
            f"{fmt.count(len(result.accuracy), 'SKU')}, {fmt.count(len(result.cutoffs))} "
            f"backtest windows ({fmt.count(int(total['skus_scored']))} SKUs scored): RMSSE "
            f"{fmt.number(total['rmsse'])} (naive {fmt.number(total['naive_rmsse'])}, seasonal "
            f"naive {fmt.number(total['seasonal_naive_rmsse'])}), WAPE {fmt.share(total['wape'])}"
            f", bias {fmt.share(total['bias'])} -> {args.out}"
        )
    return 0


def _cmd_classify(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.segment.decisions import classification_table

    p, s = _segment(args)
    table = classification_table(p, s)
    _write_csv(table, args.out)
    print(
        f"{fmt.count(len(table), 'SKU')} in {fmt.count(table['segment'].nunique(), 'segment')} "
        f"({fmt.count(int(table['overridden'].sum()))} overridden) -> {args.out}"
    )
    return 0


def _cmd_alerts(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.segment.segmentation import alerts

    p, s = _segment(args)
    table = alerts(p, s)
    _write_csv(table, args.out)
    print(
        f"{fmt.count(len(table))} of {fmt.count(len(p), 'SKU')} within the band of a "
        f"boundary -> {args.out}"
    )
    return 0


def _table_command(args: argparse.Namespace) -> tuple[str, Rules | None]:
    """Check a table-writing command's arguments: (the output's suffix, the rules file's
    rules or None for the official ones)."""
    from segstudio.config.rules import read_rules

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise SegStudioError(f"{args.out}: use a .csv or .xlsx file name")
    if not args.workspace.exists():
        raise SegStudioError(f"{args.workspace}: no such workspace; run 'segstudio load' first")
    return suffix, read_rules(args.rules) if args.rules else None


def _cmd_policy(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.forecast.store import policy_demand
    from segstudio.ingest.workspace import Workspace
    from segstudio.policy.erp import erp_table
    from segstudio.policy.sku import compute_policies
    from segstudio.report.exports import to_xlsx_bytes
    from segstudio.segment.decisions import segment_skus

    suffix, rules = _table_command(args)
    with Workspace(args.workspace) as ws:
        p, s = segment_skus(ws, rules)
        forecast = policy_demand(ws)  # for segments with demand_source = "forecast"
    table = erp_table(compute_policies(p.features, s.segment, s.rules.policy, forecast), full=True)
    if suffix == ".xlsx":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(to_xlsx_bytes({"policy": table}))
    else:
        _write_csv(table, args.out)
    stocked = table["demand_model"] != "none"
    # Totals in whole units, as the Inventory policy page's headline shows them.
    print(
        f"{fmt.count(len(table), 'SKU')} ({fmt.count(int(stocked.sum()))} stocked), safety "
        f"stock value {fmt.fixed(table['safety_stock_value'].sum())}, cycle stock value "
        f"{fmt.fixed(table['cycle_stock_value'].sum())} -> {args.out}"
    )
    return 0


def _cmd_suppliers(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.ingest.workspace import Workspace
    from segstudio.perform.suppliers import (
        export_frames,
        receipt_aggregates,
        sku_context,
        supplier_performance,
    )
    from segstudio.report.exports import to_xlsx_bytes
    from segstudio.segment.decisions import segment_skus

    suffix, rules = _table_command(args)
    with Workspace(args.workspace) as ws:
        agg = receipt_aggregates(ws)
        if agg.empty:
            raise SegStudioError(
                f"{args.workspace}: no supplier receipts loaded; load them "
                "with 'segstudio load --suppliers F'"
            )
        p, s = segment_skus(ws, rules)
    perf = supplier_performance(agg, sku_context(p, s), s.rules)
    frames = export_frames(perf)
    if suffix == ".xlsx":
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_bytes(to_xlsx_bytes(frames))
    else:
        _write_csv(frames["suppliers"], args.out)
    tiers = ", ".join(f"{fmt.count(n)} {t}" for t, n in perf.tier_counts().items())
    print(
        f"{fmt.count(len(perf.suppliers), 'supplier')} ({tiers}), "
        f"{fmt.count(perf.overall['lines'], 'receipt line')}, "
        f"OTIF {fmt.share(perf.overall['otif_rate'])}, "
        f"{fmt.count(len(perf.dual_sourcing), 'dual-sourcing candidate')} -> {args.out}"
    )
    for note in perf.notes:  # the summary stays one line
        print(f"segstudio suppliers: note: {note}", file=sys.stderr)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from segstudio.common import fmt
    from segstudio.config.rules import read_rules
    from segstudio.ingest.workspace import Workspace
    from segstudio.report.qbr import build_report, gather
    from segstudio.report.render import render_with_charts

    if not args.workspace.exists():
        raise SegStudioError(f"{args.workspace}: no such workspace; run 'segstudio load' first")
    rules = read_rules(args.rules) if args.rules else None
    with Workspace(args.workspace) as ws:
        data = gather(ws, rules)
    pack = build_report(data, args.title)
    content, message = render_with_charts(pack, args.format)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(content)
    what = (
        fmt.count(len(pack.sheets), "sheet")
        if args.format == "xlsx"
        else fmt.count(len(pack.sections), "section")
    )
    print(
        f"{args.format.upper()} report, {what}, {fmt.count(len(data.portfolio), 'SKU')} "
        f"-> {args.out}"
    )
    if message:
        print(f"segstudio report: warning: charts not rendered: {message}", file=sys.stderr)
    return 0


def _cmd_demo(args: argparse.Namespace) -> int:
    from segstudio.ingest.demo import generate_demo

    paths = generate_demo(
        args.out,
        skus=args.skus,
        weeks=args.weeks,
        seed=args.seed,
        fmt=args.format,
        grain=args.grain,
    )
    for key, path in paths.items():
        print(f"{key}: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {
        "demo": _cmd_demo,
        "load": _cmd_load,
        "loads": _cmd_loads,
        "undo": _cmd_undo,
        "clear": _cmd_clear,
        "features": _cmd_features,
        "classify": _cmd_classify,
        "alerts": _cmd_alerts,
        "policy": _cmd_policy,
        "forecast": _cmd_forecast,
        "suppliers": _cmd_suppliers,
        "report": _cmd_report,
    }
    try:
        return commands[args.command](args)
    except SegStudioError as exc:
        print(f"segstudio {args.command}: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"segstudio {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(
            f"segstudio {args.command}: {exc.strerror or exc}: {exc.filename or ''}",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
