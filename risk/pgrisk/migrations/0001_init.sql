-- Transaction monitoring, alerts and cases, AML reports and indicators.
-- Records are kept whole as JSON (the domain type's own encoding, amounts
-- as decimal strings) with the columns queries and constraints need.
-- Operational risk (risk/oprisk) keeps its own schema, oprisk.

CREATE TABLE risk.rule_sets (
	id         uuid PRIMARY KEY,
	version    integer NOT NULL,
	status     text NOT NULL,
	body       jsonb NOT NULL,
	CONSTRAINT rule_sets_version_key UNIQUE (version)
);
-- At most one published and one shadow version.
CREATE UNIQUE INDEX rule_sets_one_active ON risk.rule_sets (status) WHERE status IN ('published', 'shadow');

-- Windowed aggregate state: per state (spec), entity (key) and time
-- bucket, the count and sum of the transactions counted. A screening
-- upserts its buckets and sums the buckets of its windows, in one
-- transaction: never a scan of the transactions themselves.
CREATE TABLE risk.agg_buckets (
	spec   text NOT NULL,
	key    text NOT NULL,
	bucket bigint NOT NULL,
	count  bigint NOT NULL,
	sum    numeric NOT NULL,
	PRIMARY KEY (spec, key, bucket)
);

-- The counterparties of a bucket, for distinct counts.
CREATE TABLE risk.agg_counterparties (
	spec         text NOT NULL,
	key          text NOT NULL,
	bucket       bigint NOT NULL,
	counterparty text NOT NULL,
	PRIMARY KEY (spec, key, bucket, counterparty)
);

CREATE TABLE risk.decisions (
	id             uuid PRIMARY KEY,
	transaction_id uuid NOT NULL,
	key            text NOT NULL,
	version        integer NOT NULL,
	mode           text NOT NULL,
	outcome        text NOT NULL,
	business_date  date NOT NULL,
	decided_at     timestamptz NOT NULL,
	body           jsonb NOT NULL
);
-- One live (screened or observed) decision per transaction and per key.
CREATE UNIQUE INDEX decisions_one_live ON risk.decisions (transaction_id) WHERE mode <> 'shadow';
CREATE UNIQUE INDEX decisions_one_key ON risk.decisions (key) WHERE mode <> 'shadow' AND key <> '';
CREATE INDEX decisions_transaction ON risk.decisions (transaction_id);
CREATE INDEX decisions_version ON risk.decisions (version, mode, id);
CREATE INDEX decisions_day ON risk.decisions (business_date, id) WHERE mode <> 'shadow';

CREATE TABLE risk.snoozes (
	id         uuid PRIMARY KEY,
	rule       text NOT NULL,
	entity     text NOT NULL,
	until      timestamptz NOT NULL,
	body       jsonb NOT NULL
);
CREATE INDEX snoozes_entity ON risk.snoozes (entity, until);

CREATE TABLE risk.cases (
	id          uuid PRIMARY KEY,
	customer_id text NOT NULL,
	status      text NOT NULL,
	assignee    text NOT NULL,
	body        jsonb NOT NULL
);
-- A customer has at most one case that is not closed.
CREATE UNIQUE INDEX cases_one_open ON risk.cases (customer_id) WHERE status <> 'closed';
CREATE INDEX cases_status ON risk.cases (status, id);

CREATE TABLE risk.alerts (
	id          uuid PRIMARY KEY,
	customer_id text NOT NULL,
	case_id     uuid,
	body        jsonb NOT NULL
);
CREATE INDEX alerts_case ON risk.alerts (case_id, id);
CREATE INDEX alerts_customer ON risk.alerts (customer_id, id);

CREATE TABLE risk.large_value_reports (
	business_date date PRIMARY KEY,
	id            uuid NOT NULL,
	body          jsonb NOT NULL
);

CREATE TABLE risk.suspicious_reports (
	id      uuid PRIMARY KEY,
	case_id uuid NOT NULL,
	body    jsonb NOT NULL,
	CONSTRAINT suspicious_reports_case_key UNIQUE (case_id)
);

CREATE TABLE risk.indicators (
	id   uuid PRIMARY KEY,
	name text NOT NULL,
	body jsonb NOT NULL,
	CONSTRAINT indicators_name_key UNIQUE (name)
);
