-- A client's own reference for a customer it created (customer/externalref.go):
-- unique per client, found by a lookup, fixed at creation.
ALTER TABLE customer.customers
	ADD COLUMN ref_client   text,
	ADD COLUMN external_ref text;
CREATE UNIQUE INDEX customers_external_ref ON customer.customers (ref_client, external_ref)
	WHERE external_ref IS NOT NULL;
