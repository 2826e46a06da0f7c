"""The canonical tables a user maps their files onto: one place for fields, types and synonyms.

Each field has a kind (``text``, ``date``, ``number``), says whether it is required, and lists
the header names (normalised: lower case, letters and digits only) that suggest it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Field", "INVENTORY", "PRODUCTS", "RECEIPTS", "SALES", "TABLES", "Table"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: str  # "text" | "date" | "number"
    required: bool = False
    synonyms: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Table:
    key: str  # the file key on the command line and in a mapping file: sales, inventory, ...
    label: str
    name: str  # the workspace table
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


_SKU_SYNONYMS = (
    "sku",
    "stockcode",
    "item",
    "itemcode",
    "itemid",
    "itemno",
    "itemnumber",
    "material",
    "materialno",
    "materialnumber",
    "product",
    "productcode",
    "productid",
    "partid",
    "part",
    "partno",
    "partnumber",
    "article",
    "articleno",
    "skuid",
    "skucode",
    "code",
)

SALES = Table(
    key="sales",
    name="sales",
    label="Sales lines",
    fields=(
        Field("sku", "text", True, _SKU_SYNONYMS, "Product code, kept as text"),
        Field(
            "date",
            "date",
            True,
            (
                "date",
                "invoicedate",
                "orderdate",
                "salesdate",
                "saledate",
                "transactiondate",
                "docdate",
                "postingdate",
                "month",
                "week",
                "period",
                "day",
            ),
            "Date of the sale (order date)",
        ),
        Field(
            "quantity",
            "number",
            True,
            (
                "quantity",
                "qty",
                "units",
                "unitssold",
                "quantitysold",
                "salesqty",
                "volume",
                "demand",
                "sales",
                "orderqty",
                "lineqty",
                "linequantity",
                "qtysold",
                "soldqty",
            ),
            "Units sold; negative lines are returns or cancellations",
        ),
        Field(
            "revenue",
            "number",
            False,
            (
                "revenue",
                "salesvalue",
                "netsales",
                "amount",
                "turnover",
                "salesamount",
                "linetotal",
                "netamount",
                "value",
            ),
            "Line revenue; else quantity x unit price",
        ),
        Field(
            "unit_price",
            "number",
            False,
            ("unitprice", "price", "sellingprice", "salesprice", "listprice"),
            "Selling price per unit",
        ),
        Field(
            "unit_cost",
            "number",
            False,
            ("unitcost", "cost", "costprice", "standardcost", "cogsperunit"),
            "Cost per unit, for margin",
        ),
        Field(
            "customer",
            "text",
            False,
            (
                "customer",
                "customerid",
                "customerno",
                "customercode",
                "client",
                "account",
                "shipto",
                "soldto",
            ),
            "Customer code",
        ),
        Field(
            "order_id",
            "text",
            False,
            (
                "orderid",
                "invoiceno",
                "invoice",
                "invoiceid",
                "orderno",
                "ordernumber",
                "salesorder",
                "documentno",
            ),
            "Order or invoice number",
        ),
        Field(
            "location",
            "text",
            False,
            ("location", "warehouse", "site", "plant", "dc", "store", "country", "region"),
            "Warehouse, site or market",
        ),
        Field(
            "requested_date",
            "date",
            False,
            (
                "requesteddate",
                "requestdate",
                "requesteddeliverydate",
                "customerrequestdate",
                "duedate",
                "promiseddate",
                "promisedate",
                "needbydate",
                "wanteddate",
            ),
            "Date the customer asked for",
        ),
        Field(
            "ship_date",
            "date",
            False,
            (
                "shipdate",
                "shippeddate",
                "dateshipped",
                "shippingdate",
                "deliverydate",
                "delivereddate",
                "dispatchdate",
                "goodsissuedate",
            ),
            "Date shipped",
        ),
        Field(
            "ordered_qty",
            "number",
            False,
            (
                "orderedqty",
                "orderedquantity",
                "qtyordered",
                "quantityordered",
                "requestedqty",
            ),
            "Quantity the customer ordered",
        ),
        Field(
            "shipped_qty",
            "number",
            False,
            (
                "shippedqty",
                "shippedquantity",
                "qtyshipped",
                "quantityshipped",
                "deliveredqty",
                "deliveredquantity",
                "qtydelivered",
                "quantitydelivered",
            ),
            "Quantity shipped",
        ),
    ),
)

INVENTORY = Table(
    key="inventory",
    name="inventory",
    label="Inventory snapshot",
    fields=(
        Field("sku", "text", True, _SKU_SYNONYMS, "Product code, kept as text"),
        Field(
            "on_hand",
            "number",
            True,
            (
                "onhand",
                "qtyonhand",
                "quantityonhand",
                "onhandqty",
                "onhandquantity",
                "qoh",
                "soh",
                "stockonhand",
                "stock",
                "stockqty",
                "quantityavailable",
                "qtyavailable",
                "availableqty",
                "availablequantity",
                "available",
                "unrestricted",
                "unrestrictedstock",
                "freestock",
                "inventory",
                "quantity",
                "qty",
            ),
            "Units on hand",
        ),
        Field(
            "location",
            "text",
            False,
            ("location", "warehouse", "site", "plant", "dc", "store"),
            "Warehouse or site",
        ),
        Field(
            "unit_cost",
            "number",
            False,
            ("unitcost", "cost", "standardcost", "costprice", "value"),
            "Cost per unit",
        ),
        Field(
            "snapshot_date",
            "date",
            False,
            ("snapshotdate", "date", "asof", "asofdate", "stockdate"),
            "Date of the snapshot",
        ),
        Field(
            "receipt_date",
            "date",
            False,
            ("receiptdate", "receiveddate", "lastreceipt", "lastreceiptdate", "goodsreceipt"),
            "Date the stock was received, for ageing",
        ),
        Field(
            "age_days",
            "number",
            False,
            ("age", "agedays", "daysinstock", "stockage"),
            "Age of the stock in days",
        ),
        Field(
            "on_order",
            "number",
            False,
            (
                "onorder",
                "qtyonorder",
                "quantityonorder",
                "onorderqty",
                "openpoqty",
                "openpoquantity",
                "openpo",
                "openorderqty",
                "openorders",
                "incoming",
                "incomingqty",
                "incomingstock",
                "intransit",
                "intransitqty",
                "inbound",
                "inboundqty",
            ),
            "Units on order, incoming or in transit",
        ),
    ),
)

RECEIPTS = Table(
    key="suppliers",
    name="receipts",
    label="Supplier receipts",
    fields=(
        Field(
            "supplier",
            "text",
            True,
            (
                "supplier",
                "vendor",
                "supplierid",
                "vendorid",
                "suppliercode",
                "vendorcode",
                "suppliername",
                "vendorname",
            ),
            "Supplier code",
        ),
        Field("sku", "text", True, _SKU_SYNONYMS, "Product code, kept as text"),
        Field(
            "order_date",
            "date",
            True,
            (
                "orderdate",
                "podate",
                "purchaseorderdate",
                "posent",
                "posentdate",
                "datesent",
                "sentdate",
                "dateordered",
                "ordered",
                "issuedate",
                "createddate",
            ),
            "Date the purchase order was placed",
        ),
        Field(
            "receipt_date",
            "date",
            True,
            (
                "receiptdate",
                "receiveddate",
                "receivedate",
                "datereceived",
                "grdate",
                "grndate",
                "goodsreceiptdate",
                "delivereddate",
                "deliverydate",
                "actualdeliverydate",
                "actualreceiptdate",
                "arrivaldate",
            ),
            "Date the goods arrived",
        ),
        Field(
            "promised_date",
            "date",
            False,
            (
                "promiseddate",
                "promisedate",
                "scheduleddate",
                "scheduledate",
                "scheduleddeliverydate",
                "duedate",
                "confirmeddate",
                "expecteddate",
                "expecteddeliverydate",
                "needbydate",
            ),
            "Date the supplier promised (scheduled, due)",
        ),
        Field(
            "ordered_qty",
            "number",
            False,
            (
                "orderedqty",
                "orderqty",
                "poqty",
                "poquantity",
                "qtyordered",
                "orderedquantity",
                "quantityordered",
                "lineqty",
                "linequantity",
                "quantity",
                "qty",
            ),
            "Quantity ordered",
        ),
        Field(
            "received_qty",
            "number",
            False,
            (
                "receivedqty",
                "qtyreceived",
                "receivedquantity",
                "quantityreceived",
                "grqty",
                "grnqty",
                "deliveredqty",
                "deliveredquantity",
                "quantitydelivered",
                "shippedqty",
                "quantityshipped",
                "qtyshipped",
            ),
            "Quantity received",
        ),
        Field(
            "unit_cost",
            "number",
            False,
            ("unitcost", "cost", "price", "unitprice", "purchaseprice"),
            "Purchase price",
        ),
        Field(
            "po_id",
            "text",
            False,
            ("poid", "pono", "ponumber", "purchaseorder", "orderid", "orderno"),
            "Purchase order number",
        ),
    ),
)

PRODUCTS = Table(
    key="products",
    name="products",
    label="Product master",
    fields=(
        Field("sku", "text", True, _SKU_SYNONYMS, "Product code, kept as text"),
        Field(
            "description",
            "text",
            False,
            (
                "description",
                "desc",
                "name",
                "productname",
                "productdescription",
                "itemname",
                "itemdescription",
                "itemdesc",
                "materialdescription",
                "materialname",
                "partdescription",
                "partname",
                "articlename",
                "articledescription",
                "skudescription",
                "longdescription",
                "shortdescription",
                "title",
            ),
            "Product description",
        ),
        Field(
            "family",
            "text",
            False,
            ("family", "category", "productfamily", "group", "productgroup", "brand", "line"),
            "Product family",
        ),
        Field(
            "unit_cost",
            "number",
            False,
            ("unitcost", "cost", "standardcost", "costprice"),
            "Cost per unit",
        ),
        Field(
            "unit_price",
            "number",
            False,
            ("unitprice", "price", "listprice", "sellingprice"),
            "Selling price per unit",
        ),
        Field(
            "lifecycle",
            "text",
            False,
            ("lifecycle", "status", "lifecyclestatus", "plcstatus"),
            "Lifecycle status",
        ),
        Field(
            "launch_date",
            "date",
            False,
            ("launchdate", "introdate", "startdate", "releasedate"),
            "Launch date",
        ),
        Field(
            "supplier",
            "text",
            False,
            ("supplier", "vendor", "mainsupplier", "supplierid", "vendorid"),
            "Main supplier",
        ),
    ),
)

TABLES: dict[str, Table] = {t.key: t for t in (SALES, INVENTORY, RECEIPTS, PRODUCTS)}
"""File keys in load order: sales, inventory, suppliers, products."""
