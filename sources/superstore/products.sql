-- products.csv (Category, Product ID, Product Name, Sub-Category) -> products.
-- The export has no cost or price list; both come from the product's line items
-- (lineitems.csv: Sales is after discount, Profit = Sales - cost):
--   standard_cost = sum(Sales - Profit) / sum(Quantity), the average unit cost sold;
--   list_price = sum(Sales / (1 - Discount)) / sum(Quantity), the average undiscounted price;
-- both rounded to 4 decimals. A product that was never sold has neither: dropped as
-- never_sold (counted; 13 Coffee Chain rows of the original).
WITH sold AS (
    SELECT
        btrim(l."product id") AS product_id,
        sum(btrim(l.sales)::numeric - btrim(l.profit)::numeric) AS sold_cost,
        sum(btrim(l.sales)::numeric / nullif(1 - btrim(l.discount)::numeric, 0)) AS undiscounted,
        sum(btrim(l.quantity)::numeric) AS units
    FROM src_lineitems AS l
    -- only lines whose numbers read as plain decimals give a cost
    WHERE
        btrim(l.sales) ~ '^-?[0-9]+(\.[0-9]+)?$'
        AND btrim(l.profit) ~ '^-?[0-9]+(\.[0-9]+)?$'
        AND btrim(l.discount) ~ '^[0-9]+(\.[0-9]+)?$'
        AND btrim(l.quantity) ~ '^[0-9]+$'
    GROUP BY btrim(l."product id")
)

SELECT
    p.source_line,
    btrim(p."product id") AS product_sku,
    btrim(p."product name") AS product_name,
    -- the Category (Furniture, Office Supplies, Technology) is the family
    btrim(p.category) AS product_family,
    -- sold by the piece
    'each' AS unit_of_measure,
    round(s.sold_cost / nullif(s.units, 0), 4)::text AS standard_cost,
    round(s.undiscounted / nullif(s.units, 0), 4)::text AS list_price,
    'USD' AS currency_code,
    -- one version, valid from the first version's 1900-01-01 anyway
    '2011-01-01T00:00:00Z' AS updated_at,
    CASE WHEN s.product_id IS NULL THEN 'never_sold' END AS drop_reason
FROM src_products AS p
LEFT JOIN sold AS s ON btrim(p."product id") = s.product_id
