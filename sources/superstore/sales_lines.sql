-- lineitems.csv (Discount, Line Item ID, Order ID, Product ID, Profit, Quantity, Sales)
-- with orders.csv (the date and customer), customers.csv (the name) and addresses.csv
-- (the country) -> sales_lines.
SELECT
    l.source_line,
    -- the order is the invoice, the line item id (unique over the file) its line
    btrim(l."order id") AS invoice_id,
    btrim(l."line item id") AS line_no,
    -- Order Date, read as M/D/YYYY when landed (source.toml); never the year in the
    -- Order ID, which is one year off
    o."order date" AS invoice_date,
    btrim(o."customer id") AS customer_code,
    btrim(c."customer name") AS customer_name,
    -- the country as ISO 3166-1 alpha-2; every address is in the United States
    CASE btrim(a.country) WHEN 'United States' THEN 'US' ELSE btrim(a.country) END AS customer_country,
    btrim(l."product id") AS product_sku,
    -- one plant for all sales (feeds/plants.csv)
    'SS' AS plant_code,
    btrim(l.quantity) AS quantity,
    -- Sales is the line's amount after discount: the unit price before discount is
    -- Sales / (Quantity x (1 - Discount)), unrounded, so that the hub's revenue
    -- Quantity x unit_price x (1 - discount_pct / 100) gives Sales back
    CASE
        WHEN
            btrim(l.sales) ~ '^-?[0-9]+(\.[0-9]+)?$'
            AND btrim(l.discount) ~ '^[0-9]+(\.[0-9]+)?$'
            AND btrim(l.quantity) ~ '^-?[0-9]+$'
            THEN (
                btrim(l.sales)::numeric
                / nullif(btrim(l.quantity)::numeric * (1 - btrim(l.discount)::numeric), 0)
            )::text
        ELSE l.sales
    END AS unit_price,
    -- Discount is a fraction (0.2); the feed wants a percentage (20)
    CASE
        WHEN btrim(l.discount) ~ '^[0-9]+(\.[0-9]+)?$' THEN (btrim(l.discount)::numeric * 100)::text
        ELSE l.discount
    END AS discount_pct,
    'USD' AS currency_code
FROM src_lineitems AS l
-- an order, customer or address the files lack leaves its columns empty: the line is
-- then rejected (required_value_missing), naming its file and line
LEFT JOIN src_orders AS o ON btrim(l."order id") = btrim(o."order id")
LEFT JOIN src_customers AS c ON btrim(o."customer id") = btrim(c."customer id")
LEFT JOIN src_addresses AS a ON btrim(o."address id") = btrim(a."address id")
