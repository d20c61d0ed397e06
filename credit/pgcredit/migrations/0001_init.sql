-- Loan products and applications. Each record is kept whole as JSON (the
-- domain type's own encoding, amounts as decimal strings), with the
-- columns that queries and constraints need beside it.
CREATE TABLE credit.products (
	id         uuid PRIMARY KEY,
	code       text NOT NULL,
	currency   text NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	CONSTRAINT products_code_key UNIQUE (code)
);

CREATE TABLE credit.applications (
	id          uuid PRIMARY KEY,
	customer_id uuid NOT NULL,
	product_id  uuid NOT NULL REFERENCES credit.products (id),
	status      text NOT NULL,
	amount      numeric NOT NULL,
	currency    text NOT NULL,
	applied_on  date NOT NULL,
	version     bigint NOT NULL,
	body        jsonb NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL
);

-- One open application per customer and product.
CREATE UNIQUE INDEX applications_one_open ON credit.applications (customer_id, product_id)
	WHERE status IN ('submitted', 'scored');
CREATE INDEX applications_customer ON credit.applications (customer_id, id);
CREATE INDEX applications_status ON credit.applications (status, id);
