-- The customer subsystem. Personal data (national id, phones, e-mail,
-- address, date of birth, document numbers) is stored only sealed
-- (AES-256-GCM, see customer/pii.go) in the *_sealed columns; exact lookups
-- go through keyed HMAC blind indexes. Full names are kept in clear for
-- name-prefix search.

CREATE TABLE customer.customers (
	id                   uuid PRIMARY KEY,
	full_name            text NOT NULL,
	name_key             text NOT NULL,
	gender               text NOT NULL,
	national_id_type     text NOT NULL,
	national_id_index    bytea NOT NULL,
	phone_indexes        bytea[] NOT NULL,
	key_id               text NOT NULL,
	national_id_sealed   bytea NOT NULL,
	phones_sealed        bytea NOT NULL,
	email_sealed         bytea NOT NULL,
	address_sealed       bytea NOT NULL,
	date_of_birth_sealed bytea NOT NULL,
	occupation           text NOT NULL,
	income_band          text NOT NULL,
	preferred_channel    text NOT NULL,
	preferred_language   text NOT NULL,
	kyc_status           text NOT NULL,
	kyc_by               text NOT NULL,
	kyc_at               timestamptz,
	kyc_reason           text NOT NULL,
	risk_rating          text NOT NULL,
	status               text NOT NULL,
	version              bigint NOT NULL,
	created_at           timestamptz NOT NULL,
	updated_at           timestamptz NOT NULL,
	CONSTRAINT customers_national_id_unique UNIQUE (national_id_index)
);
CREATE INDEX customers_name_prefix ON customer.customers (name_key text_pattern_ops, id);
CREATE INDEX customers_phones ON customer.customers USING gin (phone_indexes);
CREATE INDEX customers_key_id ON customer.customers (key_id, id);
CREATE INDEX customers_status ON customer.customers (status, id);
CREATE INDEX customers_kyc ON customer.customers (kyc_status, id);

CREATE TABLE customer.documents (
	id              uuid PRIMARY KEY,
	customer_id     uuid NOT NULL REFERENCES customer.customers (id),
	type            text NOT NULL,
	number_sealed   bytea NOT NULL,
	key_id          text NOT NULL,
	issuing_country text NOT NULL,
	issued_on       date NOT NULL,
	expires_on      date,
	is_primary      boolean NOT NULL,
	verification    text NOT NULL,
	added_at        timestamptz NOT NULL
);
CREATE INDEX documents_customer ON customer.documents (customer_id, id);
CREATE UNIQUE INDEX documents_one_primary ON customer.documents (customer_id) WHERE is_primary;
CREATE INDEX documents_primary_expiry ON customer.documents (expires_on) WHERE is_primary;
CREATE INDEX documents_key_id ON customer.documents (key_id, id);

CREATE TABLE customer.account_links (
	customer_id  uuid NOT NULL REFERENCES customer.customers (id),
	account_id   text NOT NULL,
	relationship text NOT NULL,
	linked_at    timestamptz NOT NULL,
	PRIMARY KEY (customer_id, account_id)
);

CREATE TABLE customer.consents (
	id          uuid PRIMARY KEY,
	customer_id uuid NOT NULL REFERENCES customer.customers (id),
	purpose     text NOT NULL,
	channel     text NOT NULL,
	granted     boolean NOT NULL,
	at          timestamptz NOT NULL,
	source      text NOT NULL,
	valid_until date
);
CREATE INDEX consents_customer ON customer.consents (customer_id, id);

CREATE TABLE customer.interactions (
	id          uuid PRIMARY KEY,
	customer_id uuid NOT NULL REFERENCES customer.customers (id),
	channel     text NOT NULL,
	topic       text NOT NULL,
	summary     text NOT NULL,
	staff_id    text NOT NULL,
	at          timestamptz NOT NULL
);
CREATE INDEX interactions_customer ON customer.interactions (customer_id, id);

CREATE TABLE customer.complaints (
	id           uuid PRIMARY KEY,
	customer_id  uuid NOT NULL REFERENCES customer.customers (id),
	category     text NOT NULL,
	description  text NOT NULL,
	channel      text NOT NULL,
	status       text NOT NULL,
	assignee     text NOT NULL,
	opened_at    timestamptz NOT NULL,
	due_on       date NOT NULL,
	resolution   text NOT NULL,
	resolved_at  timestamptz,
	satisfaction integer NOT NULL,
	closed_at    timestamptz,
	reopened     integer NOT NULL,
	version      bigint NOT NULL
);
CREATE INDEX complaints_customer ON customer.complaints (customer_id, id);
CREATE INDEX complaints_unresolved ON customer.complaints (due_on, id) WHERE status IN ('open', 'in_progress');

-- Append-only, hash-chained log of full-PII reads.
CREATE TABLE customer.access_log (
	seq         bigint PRIMARY KEY,
	at          timestamptz NOT NULL,
	actor       text NOT NULL,
	customer_id uuid NOT NULL,
	fields      text[] NOT NULL,
	reason      text NOT NULL,
	prev_hash   bytea NOT NULL,
	hash        bytea NOT NULL
);

-- Events for other subsystems, written in the transaction of the change.
CREATE TABLE customer.outbox (
	seq         bigint PRIMARY KEY,
	kind        text NOT NULL,
	customer_id uuid NOT NULL,
	at          timestamptz NOT NULL,
	payload     jsonb NOT NULL
);

CREATE TABLE customer.cursors (
	subscriber text PRIMARY KEY,
	seq        bigint NOT NULL
);

-- The last seq of the access log and the outbox. Appending locks the row,
-- so appends are serialised: the chain never forks and sequence numbers
-- become visible in order, leaving no gap for a reader to skip.
CREATE TABLE customer.heads (
	name text PRIMARY KEY,
	seq  bigint NOT NULL
);
INSERT INTO customer.heads (name, seq) VALUES ('access_log', 0), ('outbox', 0);
