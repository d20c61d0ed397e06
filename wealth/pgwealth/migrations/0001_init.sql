-- Wealth-management products, NAVs, assessments, orders and holdings.
-- Records are kept whole as JSON (the domain type's own encoding, amounts
-- as decimal strings), with the columns queries and constraints need
-- beside it. A holding's figures that the daily income run changes in
-- bulk (units, cost, income, accrued, income_through) are columns, and
-- the columns win over the copies in the body.
CREATE TABLE wealth.products (
	id         uuid PRIMARY KEY,
	code       text NOT NULL,
	currency   text NOT NULL,
	body       jsonb NOT NULL,
	created_at timestamptz NOT NULL,
	CONSTRAINT products_code_key UNIQUE (code)
);

CREATE TABLE wealth.navs (
	product_id uuid NOT NULL REFERENCES wealth.products (id),
	date       date NOT NULL,
	body       jsonb NOT NULL,
	PRIMARY KEY (product_id, date)
);

CREATE TABLE wealth.assessments (
	id          uuid PRIMARY KEY,
	customer_id uuid NOT NULL,
	body        jsonb NOT NULL
);
CREATE INDEX assessments_customer ON wealth.assessments (customer_id, id);

CREATE TABLE wealth.refusals (
	id          uuid PRIMARY KEY,
	customer_id uuid NOT NULL,
	body        jsonb NOT NULL
);
CREATE INDEX refusals_customer ON wealth.refusals (customer_id, id);

CREATE TABLE wealth.orders (
	id            uuid PRIMARY KEY,
	customer_id   uuid NOT NULL,
	product_id    uuid NOT NULL REFERENCES wealth.products (id),
	key           text NOT NULL,
	kind          text NOT NULL,
	status        text NOT NULL,
	trade         date NOT NULL,
	settlement    date,
	has_hold      boolean NOT NULL,
	hold_released boolean NOT NULL,
	body          jsonb NOT NULL,
	CONSTRAINT orders_key UNIQUE (customer_id, key)
);
CREATE INDEX orders_product_status ON wealth.orders (product_id, status, id);
CREATE INDEX orders_customer ON wealth.orders (customer_id, id);

CREATE TABLE wealth.holdings (
	id             uuid PRIMARY KEY,
	customer_id    uuid NOT NULL,
	product_id     uuid NOT NULL REFERENCES wealth.products (id),
	units          numeric NOT NULL,
	cost           numeric NOT NULL,
	income         numeric NOT NULL,
	accrued        numeric NOT NULL,
	income_through date,
	version        bigint NOT NULL,
	body           jsonb NOT NULL,
	CONSTRAINT holdings_owner UNIQUE (customer_id, product_id)
);
CREATE INDEX holdings_product ON wealth.holdings (product_id, id);

-- The income credited per product and date, added to page by page in the
-- transaction of each page of holdings.
CREATE TABLE wealth.income_days (
	product_id uuid NOT NULL,
	date       date NOT NULL,
	total      numeric NOT NULL,
	PRIMARY KEY (product_id, date)
);
