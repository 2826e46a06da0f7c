"""Mapping suggestions (#11) for the headers ERP and shipment exports use, however spelt."""

from __future__ import annotations

import pytest

from segstudio import suggest_mapping
from segstudio.ingest.schema import INVENTORY, PRODUCTS, RECEIPTS, SALES, TABLES


def spellings(header: str) -> list[str]:
    """The header as exports write it: as is, lower case with underscores, upper case with
    dots, and without separators."""
    words = header.split()
    return [
        header,
        "_".join(w.lower() for w in words),
        ".".join(w.upper() for w in words),
        "".join(w.capitalize() for w in words),
        f" {header.lower()} ",
    ]


CASES = [
    # (table, field, header, the other columns of the file)
    (INVENTORY, "on_hand", "On Hand", ["Item"]),
    (INVENTORY, "on_hand", "Qty On Hand", ["Item"]),
    (INVENTORY, "on_hand", "QOH", ["Item"]),
    (INVENTORY, "on_hand", "Quantity Available", ["Item"]),
    (INVENTORY, "on_hand", "Stock On Hand", ["Item"]),
    (INVENTORY, "on_order", "On Order", ["Item", "On Hand"]),
    (INVENTORY, "on_order", "Open PO Qty", ["Item", "On Hand"]),
    (INVENTORY, "on_order", "Incoming", ["Item", "On Hand"]),
    (INVENTORY, "on_order", "In Transit", ["Item", "On Hand"]),
    (RECEIPTS, "order_date", "PO Date", ["Vendor", "Item", "Receipt Date"]),
    (RECEIPTS, "order_date", "Order Date", ["Vendor", "Item", "Receipt Date"]),
    (RECEIPTS, "order_date", "PO Sent", ["Vendor", "Item", "Receipt Date"]),
    (RECEIPTS, "promised_date", "Scheduled Date", ["Vendor", "Item", "PO Date", "GR Date"]),
    (RECEIPTS, "promised_date", "Promised Date", ["Vendor", "Item", "PO Date", "GR Date"]),
    (RECEIPTS, "promised_date", "Due Date", ["Vendor", "Item", "PO Date", "GR Date"]),
    (RECEIPTS, "receipt_date", "Delivered Date", ["Vendor", "Item", "PO Date"]),
    (RECEIPTS, "receipt_date", "Receipt Date", ["Vendor", "Item", "PO Date"]),
    (RECEIPTS, "receipt_date", "Received Date", ["Vendor", "Item", "PO Date"]),
    (RECEIPTS, "receipt_date", "GRN Date", ["Vendor", "Item", "PO Date"]),
    (RECEIPTS, "ordered_qty", "Ordered Qty", ["Vendor", "Item", "PO Date", "GR Date"]),
    (RECEIPTS, "ordered_qty", "Line Qty", ["Vendor", "Item", "PO Date", "GR Date"]),
    (RECEIPTS, "received_qty", "Quantity Received", ["Vendor", "Item", "PO Date", "GR Date"]),
    (RECEIPTS, "received_qty", "Quantity Shipped", ["Vendor", "Item", "PO Date", "GR Date"]),
    (SALES, "ship_date", "Ship Date", ["Item", "Order Date", "Qty"]),
    (SALES, "ship_date", "Delivered Date", ["Item", "Order Date", "Qty"]),
    (SALES, "requested_date", "Promised Date", ["Item", "Order Date", "Qty"]),
    (SALES, "quantity", "Line Qty", ["Item", "Order Date"]),
    (SALES, "ordered_qty", "Ordered Qty", ["Item", "Order Date", "Qty"]),
    (SALES, "shipped_qty", "Quantity Shipped", ["Item", "Order Date", "Qty"]),
    (PRODUCTS, "description", "Item Description", ["Item Number"]),
    (PRODUCTS, "description", "Product Name", ["Item Number"]),
    (PRODUCTS, "description", "Material Description", ["Material"]),
]


@pytest.mark.parametrize(
    ("table", "field", "header", "others"),
    CASES,
    ids=[f"{t.key}-{f}-{h}" for t, f, h, _ in CASES],
)
def test_export_headers_map_onto_their_field_however_spelt(table, field, header, others):
    for spelt in spellings(header):
        assert suggest_mapping(table, [*others, spelt]).get(field) == spelt, spelt


def test_the_spellings_cover_spaces_dots_underscores_and_case():
    assert spellings("On Hand") == ["On Hand", "on_hand", "ON.HAND", "OnHand", " on hand "]


def test_on_hand_wins_over_available_when_a_file_has_both():
    mapping = suggest_mapping(INVENTORY, ["Item", "Quantity Available", "On Hand"])
    assert mapping["on_hand"] == "On Hand"


def test_the_issue_shaped_purchase_order_export_maps_completely():
    columns = ["Vendor", "Item", "PO Sent", "Scheduled Date", "Delivered Date", "Ordered Qty"]
    assert suggest_mapping(RECEIPTS, columns) == {
        "supplier": "Vendor",
        "sku": "Item",
        "order_date": "PO Sent",
        "receipt_date": "Delivered Date",
        "promised_date": "Scheduled Date",
        "ordered_qty": "Ordered Qty",
    }


def test_synonyms_are_normalised_and_not_shared_within_a_table():
    # A synonym that two fields of one table list would be taken by whichever comes first.
    for table in TABLES.values():
        seen: dict[str, str] = {}
        for f in table.fields:
            if f.name == "sku":
                continue
            for syn in f.synonyms:
                assert syn == syn.lower() and syn.isalnum(), (table.key, f.name, syn)
                assert seen.setdefault(syn, f.name) == f.name, (table.key, syn, f.name)
