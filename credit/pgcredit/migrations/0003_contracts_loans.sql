-- Contracts, loans and repayments. A contract version keeps its rendered
-- documents byte for byte, so what the customer accepted can be shown
-- again and checked against its digest. Loans keep their money as
-- columns beside the whole record (JSON), for the queries of the book.
CREATE TABLE credit.contracts (
	id             uuid PRIMARY KEY,
	application_id uuid NOT NULL REFERENCES credit.applications (id),
	customer_id    uuid NOT NULL,
	version        integer NOT NULL,
	status         text NOT NULL,
	body           jsonb NOT NULL,
	html           bytea NOT NULL,
	pdf            bytea NOT NULL,
	html_sha256    text NOT NULL,
	pdf_sha256     text NOT NULL,
	issued_at      timestamptz NOT NULL,
	CONSTRAINT contracts_version_key UNIQUE (application_id, version)
);

CREATE TABLE credit.loans (
	id          uuid PRIMARY KEY,
	contract_id uuid NOT NULL REFERENCES credit.contracts (id),
	customer_id uuid NOT NULL,
	product_id  uuid NOT NULL,
	status      text NOT NULL,
	currency    text NOT NULL,
	principal   numeric NOT NULL,
	disbursed   numeric NOT NULL,
	outstanding numeric NOT NULL,
	advance     numeric NOT NULL,
	account     uuid,
	version     bigint NOT NULL,
	body        jsonb NOT NULL,
	created_at  timestamptz NOT NULL,
	updated_at  timestamptz NOT NULL,
	CONSTRAINT loans_contract_key UNIQUE (contract_id)
);
CREATE INDEX loans_customer ON credit.loans (customer_id, id);
CREATE INDEX loans_status ON credit.loans (status, id);

CREATE TABLE credit.repayments (
	id          uuid PRIMARY KEY,
	loan_id     uuid NOT NULL REFERENCES credit.loans (id),
	key         text NOT NULL,
	kind        text NOT NULL,
	amount      numeric NOT NULL,
	received_on date NOT NULL,
	body        jsonb NOT NULL,
	CONSTRAINT repayments_key UNIQUE (loan_id, key)
);
CREATE INDEX repayments_loan ON credit.repayments (loan_id, id);
