"""Properties of the seeded demo-data generator (small sizes, a few seconds)."""

from __future__ import annotations

import csv
import datetime
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

try:
    from segstudio.ingest.demo import generate_demo, main
except ModuleNotFoundError:  # package not installed: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from segstudio.ingest.demo import generate_demo, main

SKUS, WEEKS, SEED = 200, 52, 11
END = datetime.date(2026, 9, 27)
START = END - datetime.timedelta(days=7 * WEEKS - 1)

COLUMNS = {
    "sales": [
        "order_id",
        "order_date",
        "sku",
        "customer",
        "quantity",
        "unit_price",
        "unit_cost",
        "requested_date",
        "ship_date",
        "ordered_qty",
        "shipped_qty",
        "location",
    ],
    "inventory": [
        "sku",
        "location",
        "on_hand",
        "unit_cost",
        "snapshot_date",
        "receipt_date",
        "on_order",
    ],
    "suppliers": [
        "po_id",
        "supplier",
        "sku",
        "order_date",
        "promised_date",
        "receipt_date",
        "ordered_qty",
        "received_qty",
        "unit_cost",
    ],
    "products": [
        "sku",
        "description",
        "family",
        "unit_cost",
        "unit_price",
        "lifecycle",
        "launch_date",
        "supplier",
    ],
}
DATE_COLUMNS = {
    "sales": ["order_date", "requested_date", "ship_date"],
    "inventory": ["snapshot_date", "receipt_date"],
    "suppliers": ["order_date", "promised_date", "receipt_date"],
    "products": ["launch_date"],
}
SKU_PATTERN = r"FAM\d{2}-\d{5}"


def _read_csv(path: Path, name: str) -> pd.DataFrame:
    text_cols = {"sku": str, "order_id": str, "customer": str, "po_id": str}
    df = pd.read_csv(path, dtype=text_cols)
    for col in DATE_COLUMNS.get(name, []):
        if col in df:
            df[col] = pd.to_datetime(df[col], format="%Y-%m-%d")
    return df


@pytest.fixture(scope="module")
def csv_paths(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate_demo(tmp_path_factory.mktemp("csv"), skus=SKUS, weeks=WEEKS, seed=SEED)


@pytest.fixture(scope="module")
def data(csv_paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    return {name: _read_csv(path, name) for name, path in csv_paths.items()}


@pytest.fixture(scope="module")
def sales(data: dict[str, pd.DataFrame]) -> pd.DataFrame:
    df = data["sales"].copy()
    df["week"] = df["order_date"] - pd.to_timedelta(df["order_date"].dt.weekday, unit="D")
    return df


def _weekly_matrix(sales: pd.DataFrame) -> pd.DataFrame:
    demand = sales[sales["quantity"] > 0]
    mondays = pd.date_range(pd.Timestamp(START), periods=WEEKS, freq="7D")
    wide = demand.pivot_table(index="sku", columns="week", values="quantity", aggfunc="sum")
    return wide.reindex(columns=mondays).fillna(0)


def _classify(row: np.ndarray) -> str | None:
    nonzero = np.flatnonzero(row)
    if len(nonzero) < 2:
        return None
    active = row[nonzero[0] :]  # from the first sale to the end of history
    sizes = active[active > 0]
    adi = len(active) / len(sizes)
    cv2 = float(np.var(sizes) / np.mean(sizes) ** 2)
    if adi < 1.32:
        return "smooth" if cv2 < 0.49 else "erratic"
    return "intermittent" if cv2 < 0.49 else "lumpy"


# --------------------------------------------------------------------------- files


def test_returns_four_files_with_exact_columns(csv_paths: dict[str, Path]) -> None:
    assert list(csv_paths) == ["sales", "inventory", "suppliers", "products"]
    for name, path in csv_paths.items():
        assert path.exists() and path.suffix == ".csv" and path.name == f"{name}.csv"
        with path.open(newline="") as fh:
            header = next(csv.reader(fh))
        assert header == COLUMNS[name]
    assert not list(csv_paths["sales"].parent.glob("*.part"))


def test_parquet_columns_and_string_sku_codes(tmp_path: Path) -> None:
    paths = generate_demo(tmp_path, skus=60, weeks=30, seed=3, fmt="parquet")
    for name, path in paths.items():
        assert path.suffix == ".parquet"
        schema = pq.read_schema(path)
        assert schema.names == COLUMNS[name]
        assert schema.field("sku").type == pa.string()
    sales = pq.read_table(paths["sales"])
    assert sales.schema.field("order_date").type == pa.date32()
    codes = pq.read_table(paths["products"]).column("sku").to_pylist()
    assert all(isinstance(c, str) for c in codes)
    assert pd.Series(codes).str.fullmatch(SKU_PATTERN).all()
    assert "00001" in {c.split("-")[1] for c in codes}


def test_csv_keeps_leading_zeros_and_iso_dates(csv_paths: dict[str, Path]) -> None:
    with csv_paths["products"].open(newline="") as fh:
        first_row = list(csv.reader(fh))[1]
    assert first_row[0].endswith("-00001")
    with csv_paths["sales"].open(newline="") as fh:
        sales_row = list(csv.reader(fh))[1]
    assert datetime.date.fromisoformat(sales_row[1]) == START
    raw = pd.read_csv(csv_paths["sales"], dtype=str)
    assert raw["sku"].str.fullmatch(SKU_PATTERN).all()
    assert raw["order_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_same_seed_same_bytes_and_different_seed_differs(
    tmp_path: Path, csv_paths: dict[str, Path]
) -> None:
    again = generate_demo(tmp_path / "again", skus=SKUS, weeks=WEEKS, seed=SEED)
    other = generate_demo(tmp_path / "other", skus=SKUS, weeks=WEEKS, seed=SEED + 1)
    for name, path in csv_paths.items():
        assert again[name].read_bytes() == path.read_bytes(), name
        assert other[name].read_bytes() != path.read_bytes(), name


def test_parquet_is_deterministic(tmp_path: Path) -> None:
    a = generate_demo(tmp_path / "a", skus=50, weeks=20, seed=5, fmt="parquet")
    b = generate_demo(tmp_path / "b", skus=50, weeks=20, seed=5, fmt="parquet")
    assert all(a[k].read_bytes() == b[k].read_bytes() for k in a)


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate_demo(tmp_path, skus=10, weeks=10, fmt="xlsx")
    with pytest.raises(ValueError):
        generate_demo(tmp_path, skus=10, weeks=10, grain="monthly")
    with pytest.raises(ValueError):
        generate_demo(tmp_path, skus=10, weeks=10, end_date=datetime.date(2026, 9, 28))


# --------------------------------------------------------------------------- sales


def test_sales_cover_exactly_the_requested_weeks(sales: pd.DataFrame) -> None:
    assert sales["order_date"].min().date() >= START
    assert sales["order_date"].max().date() <= END
    mondays = {d.date() for d in sales["week"].unique()}
    expected = {START + datetime.timedelta(days=7 * i) for i in range(WEEKS)}
    assert mondays == expected
    assert START.weekday() == 0 and END.weekday() == 6


def test_returns_are_negative_lines_without_fulfilment(sales: pd.DataFrame) -> None:
    returns = sales[sales["quantity"] < 0]
    assert 0.005 < len(returns) / len(sales) < 0.03
    assert returns[["ordered_qty", "shipped_qty", "requested_date", "ship_date"]].isna().all().all()
    normal = sales[sales["quantity"] > 0]
    assert normal[["ordered_qty", "shipped_qty", "requested_date", "ship_date"]].notna().all().all()
    assert (normal["ordered_qty"] == normal["quantity"]).all()
    assert (sales["quantity"] != 0).all()


def test_fulfilment_dates_and_quantities(sales: pd.DataFrame) -> None:
    normal = sales[sales["quantity"] > 0]
    assert (normal["shipped_qty"] <= normal["ordered_qty"]).all()
    assert (normal["shipped_qty"] >= 0).all()
    short = (normal["shipped_qty"] < normal["ordered_qty"]).mean()
    assert 0.03 < short < 0.15
    lead = (normal["requested_date"] - normal["order_date"]).dt.days
    assert lead.between(2, 7).all()
    assert (normal["ship_date"] >= normal["order_date"]).all()
    late = (normal["ship_date"] > normal["requested_date"]).mean()
    on_time = (normal["ship_date"] <= normal["requested_date"]).mean()
    assert 0.0 < late < 0.5 < on_time


def test_customers_locations_and_key_accounts(sales: pd.DataFrame) -> None:
    assert sales["customer"].str.fullmatch(r"C\d{4}").all()
    assert 50 < sales["customer"].nunique() <= 300
    assert set(sales["location"]) <= {"DC-NORTH", "DC-SOUTH", "DC-WEST"}
    assert sales["location"].nunique() >= 2
    demand = sales[sales["quantity"] > 0]
    by_customer = demand.groupby("customer")["quantity"].sum().sort_values(ascending=False)
    assert by_customer.iloc[:10].sum() / by_customer.sum() > 0.35
    per_pair = demand.groupby(["sku", "customer"])["quantity"].sum()
    top_share = per_pair.groupby(level="sku").max() / per_pair.groupby(level="sku").sum()
    assert (top_share > 0.5).any()


def test_prices_and_costs_follow_products(data: dict[str, pd.DataFrame]) -> None:
    sales, products = data["sales"], data["products"]
    assert set(sales["sku"]) <= set(products["sku"])
    merged = sales.merge(products, on="sku", suffixes=("", "_p"))
    assert (merged["unit_cost"] == merged["unit_cost_p"]).all()
    assert (merged["unit_price"] <= merged["unit_price_p"]).all()  # discounts only
    assert (merged["unit_price"] >= 0.9 * merged["unit_price_p"]).all()
    margin = 1 - products["unit_cost"] / products["unit_price"]
    assert margin.between(0.0, 0.8).all()
    assert margin.min() < 0.16 and margin.max() > 0.5
    assert products["family"].nunique() >= 8


def test_all_four_demand_patterns_appear(sales: pd.DataFrame) -> None:
    wide = _weekly_matrix(sales)
    labels = pd.Series([_classify(row) for row in wide.to_numpy()]).dropna()
    shares = labels.value_counts(normalize=True)
    for pattern in ("smooth", "erratic", "intermittent", "lumpy"):
        assert shares.get(pattern, 0.0) >= 0.05, shares.to_dict()


def test_revenue_is_skewed(sales: pd.DataFrame) -> None:
    revenue = (sales["quantity"] * sales["unit_price"]).groupby(sales["sku"]).sum()
    revenue = revenue.sort_values(ascending=False)
    top = revenue.iloc[: int(len(revenue) * 0.2)].sum()
    assert top / revenue.sum() > 0.6


def test_launches_and_end_of_life(data: dict[str, pd.DataFrame], sales: pd.DataFrame) -> None:
    products = data["products"].set_index("sku")
    assert set(products["lifecycle"]) == {"new", "active", "end-of-life"}
    demand = sales[sales["quantity"] > 0]
    first = demand.groupby("sku")["order_date"].min()
    last = demand.groupby("sku")["order_date"].max()
    end = pd.Timestamp(END)
    new = products.index[products["lifecycle"] == "new"]
    weeks_before_end = (end - first[new]).dt.days // 7 + 1
    assert weeks_before_end.between(13, 40).all()
    eol = products.index[products["lifecycle"] == "end-of-life"]
    assert ((end - last[eol]).dt.days >= 26 * 7).all()
    active = products.index[products["lifecycle"] == "active"].intersection(first.index)
    assert (first[active] < pd.Timestamp(START) + pd.Timedelta(weeks=13)).mean() > 0.9


# --------------------------------------------------------------------------- weekly grain


def test_weekly_grain_has_one_row_per_sku_and_week(tmp_path: Path) -> None:
    paths = generate_demo(tmp_path, skus=150, weeks=WEEKS, seed=2, grain="weekly")
    weekly = _read_csv(paths["sales"], "sales")
    weekly["date"] = pd.to_datetime(weekly["date"], format="%Y-%m-%d")
    assert list(weekly.columns) == ["sku", "date", "quantity", "unit_price", "unit_cost"]
    assert len(weekly) == 150 * WEEKS
    assert weekly.groupby("sku").size().eq(WEEKS).all()
    assert (weekly["date"].dt.weekday == 0).all()
    assert weekly["date"].min().date() == START
    assert weekly["date"].max().date() == END - datetime.timedelta(days=6)
    assert (weekly["quantity"] == 0).any() and (weekly["quantity"] >= 0).all()
    assert weekly.groupby("sku")["unit_price"].nunique().eq(1).all()
    inventory = _read_csv(paths["inventory"], "inventory")
    assert inventory["sku"].nunique() > 150  # every SKU plus never-sold ones
    assert len(_read_csv(paths["suppliers"], "suppliers")) > 150


# --------------------------------------------------------------------------- inventory


def test_inventory_snapshot(data: dict[str, pd.DataFrame], sales: pd.DataFrame) -> None:
    inv, products = data["inventory"], data["products"]
    never_sold = set(inv["sku"]) - set(sales["sku"])
    assert 1 <= len(never_sold) <= 25
    assert never_sold <= set(products["sku"])
    assert (inv["snapshot_date"] == pd.Timestamp(END)).all()
    assert (inv["on_hand"] >= 0).all() and (inv["on_order"] >= 0).all()
    assert (inv["on_hand"] == 0).any()
    main_rows = inv.drop_duplicates("sku")
    assert len(main_rows) == SKUS + len(never_sold)
    aged = inv["receipt_date"] < pd.Timestamp(END) - pd.Timedelta(days=365)
    assert 0.02 < aged.mean() < 0.2
    # weeks of cover against the last 13 weeks of demand
    recent = sales[
        (sales["quantity"] > 0) & (sales["order_date"] > pd.Timestamp(END) - pd.Timedelta(weeks=13))
    ]
    weekly = recent.groupby("sku")["quantity"].sum() / 13
    stock = inv.groupby("sku")["on_hand"].sum()
    cover = (stock / weekly).dropna()
    assert (cover > 26).mean() > 0.05
    assert cover.between(2, 8).mean() > 0.3
    eol = products.loc[products["lifecycle"] == "end-of-life", "sku"]
    assert (stock.reindex(eol) > 0).all()  # dead stock


# --------------------------------------------------------------------------- products


def test_products_master(data: dict[str, pd.DataFrame]) -> None:
    products = data["products"]
    assert products["sku"].is_unique
    starts_with_eq = products["description"].str.startswith("=")
    assert starts_with_eq.sum() == 1
    normal = products.loc[~starts_with_eq]
    expected = normal["family"] + " item " + normal["sku"].str.split("-").str[1]
    assert (normal["description"] == expected).all()
    assert products["supplier"].str.fullmatch(r"SUP-\d{2}").all()


# --------------------------------------------------------------------------- suppliers


def test_supplier_receipts(data: dict[str, pd.DataFrame]) -> None:
    po = data["suppliers"]
    assert po["supplier"].nunique() == 25
    assert set(po["supplier"]) == {f"SUP-{i:02d}" for i in range(1, 26)}
    assert (po["receipt_date"] > po["promised_date"]).any()
    assert (po["received_qty"] < po["ordered_qty"]).any()
    assert (po["received_qty"] <= po["ordered_qty"]).all()
    assert ((po["receipt_date"] - po["order_date"]).dt.days >= 1).all()
    assert (po["receipt_date"] <= pd.Timestamp(END)).all()
    assert (po["order_date"] >= pd.Timestamp(START)).all()
    quoted = (po["promised_date"] - po["order_date"]).dt.days
    assert quoted.groupby(po["supplier"]).nunique().eq(1).all()  # one quoted lead time each
    actual = (po["receipt_date"] - po["order_date"]).dt.days
    stats = actual.groupby(po["supplier"]).agg(["mean", "std"])
    assert stats["mean"].min() < 12 and stats["mean"].max() > 45
    assert stats["std"].min() < 3 and stats["std"].max() > 10
    on_time = (po["receipt_date"] <= po["promised_date"]).groupby(po["supplier"]).mean()
    assert on_time.max() > 0.85 and on_time.min() < 0.7
    per_sku = po.groupby("sku").size()
    assert (per_sku >= 3).mean() > 0.8
    suppliers_per_sku = po.groupby("sku")["supplier"].nunique()
    assert 0.02 < (suppliers_per_sku > 1).mean() < 0.25


# --------------------------------------------------------------------------- CLI


def test_cli_writes_files_and_prints_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            "--out",
            str(out),
            "--skus",
            "40",
            "--weeks",
            "20",
            "--format",
            "parquet",
            "--grain",
            "weekly",
            "--seed",
            "1",
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    for name in ("sales", "inventory", "suppliers", "products"):
        assert str(out / f"{name}.parquet") in printed
    assert "800" in printed  # 40 SKUs x 20 weeks
    assert pq.read_metadata(out / "sales.parquet").num_rows == 800
