"""Workspaces and files the tests build: tiny CSVs with canonical headers, loaded for real."""

from __future__ import annotations

import csv
import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from segstudio.ingest.readers import SourceFile
from segstudio.ingest.workspace import Workspace

MON = dt.date(2024, 1, 1)  # a Monday


def write_csv(path: Path, rows: list[dict]) -> Path:
    cols: list[str] = []
    for r in rows:
        cols += [k for k in r if k not in cols]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for r in rows:
            w.writerow(["" if r.get(c) is None else str(r[c]) for c in cols])
    return path


def build_workspace(folder: Path, **files: list[dict]) -> Path:
    """Write each file key's rows as a CSV and load them all into ``folder/w.duckdb``."""
    folder.mkdir(parents=True, exist_ok=True)
    ws_path = folder / "w.duckdb"
    sources = {k: SourceFile(write_csv(folder / f"{k}.csv", rows)) for k, rows in files.items()}
    with Workspace(ws_path) as ws:
        _, reports = ws.load(sources)
    for key, rep in reports.items():
        assert rep.rejected == 0, (key, rep.rejects)
        assert rep.read == len(files[key])
    return ws_path


def write_sales(path: Path, prices: dict[str, float], weeks: int = 10) -> Path:
    lines = ["sku,date,quantity,unit_price,unit_cost"]
    for sku, price in prices.items():
        for i in range(weeks):
            lines.append(f"{sku},{MON + dt.timedelta(weeks=i)},1,{price},1")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_bare_workspace(ws_path: Path, files_dir: Path, skus: int = 300, weeks: int = 60) -> Path:
    """The demo's sales and inventory with the columns a thin ERP extract lacks: sales with
    sku, date, quantity, customer and order only (no price, cost or shipped quantities),
    inventory with sku, location and on hand only (no cost, no age), no receipts or products."""
    import pandas as pd

    from segstudio.ingest.demo import generate_demo

    paths = generate_demo(files_dir, skus=skus, weeks=weeks)
    sales = pd.read_csv(paths["sales"], dtype=str)
    sales = sales[["sku", "order_date", "quantity", "customer", "order_id"]]
    sales.to_csv(files_dir / "bare_sales.csv", index=False)
    inventory = pd.read_csv(paths["inventory"], dtype=str)[["sku", "location", "on_hand"]]
    inventory.to_csv(files_dir / "bare_inventory.csv", index=False)
    with Workspace(ws_path) as ws:
        ws.load(
            {
                "sales": SourceFile(files_dir / "bare_sales.csv"),
                "inventory": SourceFile(files_dir / "bare_inventory.csv"),
            }
        )
    return ws_path


def load_texts(folder: Path, **texts: str) -> tuple[Workspace, dict]:
    """Each file key's CSV text written to ``folder/<key>.csv`` and loaded at once into
    ``folder/w.duckdb``: the workspace and the load's reports (read = accepted + rejected)."""
    files = {}
    for key, text in texts.items():
        p = folder / f"{key}.csv"
        p.write_text(text, encoding="utf-8")
        files[key] = SourceFile(p)
    ws = Workspace(folder / "w.duckdb")
    _, reports = ws.load(files)
    for r in reports.values():
        assert r.read == r.accepted + r.rejected
    return ws, reports


def build_priced_workspace(
    ws_path: Path, files_dir: Path, skus: int = 120, weeks: int = 40, stock: bool = False
) -> Path:
    """A transactions extract as public retail data comes (the UCI Online Retail layout): the
    demo's sales with sku, date, quantity, unit price, customer and order only (no unit cost,
    no shipped quantities), and no receipts or products. No inventory either, unless
    ``stock``: then the demo's inventory snapshot without its unit_cost
    (``files_dir/priced_inventory.csv``: sku, location, on_hand, snapshot_date,
    receipt_date)."""
    import pandas as pd

    from segstudio.ingest.demo import generate_demo

    paths = generate_demo(files_dir, skus=skus, weeks=weeks)
    sales = pd.read_csv(paths["sales"], dtype=str)
    keep = ["sku", "order_date", "quantity", "unit_price", "customer", "order_id"]
    sales[keep].to_csv(files_dir / "priced_sales.csv", index=False)
    files = {"sales": SourceFile(files_dir / "priced_sales.csv")}
    if stock:
        inventory = pd.read_csv(paths["inventory"], dtype=str)
        cols = ["sku", "location", "on_hand", "snapshot_date", "receipt_date"]
        inventory[cols].to_csv(files_dir / "priced_inventory.csv", index=False)
        files["inventory"] = SourceFile(files_dir / "priced_inventory.csv")
    with Workspace(ws_path) as ws:
        ws.load(files)
    return ws_path


def build_returns_workspace(folder: Path, small_skus: int = 1_050) -> Path:
    """Weekly sales of 12 weeks with SKUs whose returns outweigh their sales: 10 big steady
    SKUs (class A), ``small_skus`` small steady ones (C, X: one segment of over a thousand
    SKUs), 20 small sporadic ones (C, Z) and 5 sporadic ones whose returns exceed their sales
    (net revenue below 0, in that CZ segment too: its net revenue is 0)."""
    rows: list[dict] = []

    def line(sku: str, week: int, qty: int, price: float) -> None:
        rows.append(
            {
                "sku": sku,
                "date": MON + dt.timedelta(weeks=week),
                "quantity": qty,
                "unit_price": price,
            }
        )

    for i in range(10):
        for w in range(12):
            line(f"A{i:03d}", w, 100 + (w % 3), 50.0)
    for i in range(small_skus):
        for w in range(12):
            line(f"C{i:04d}", w, 1, 1.0)
    for i in range(20):
        for w in (0, 5, 9):
            line(f"Z{i:03d}", w, 1 + 3 * (w == 9), 20.0)
    for i in range(5):  # 20 sold, 500 returned: -480 each, as much as the Z SKUs' 2,400
        line(f"R{i:03d}", 0, 2, 10.0)
        line(f"R{i:03d}", 6, -50, 10.0)
    return build_workspace(folder, sales=rows)


def run_fresh(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (the package from src/, no inherited environment)
    and read the JSON object on its last line of output."""
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code],
        check=True,
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
