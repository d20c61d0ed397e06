-- The outbox of messages to customers (one row per notice and medium) and
-- the customers' notification preferences.
CREATE TABLE channel.notification_preferences (
	customer_id text PRIMARY KEY,
	media       text[] NOT NULL,
	quiet_from  integer NOT NULL CHECK (quiet_from BETWEEN 0 AND 1439),
	quiet_to    integer NOT NULL CHECK (quiet_to BETWEEN 0 AND 1439)
);

CREATE TABLE channel.messages (
	id              uuid PRIMARY KEY,
	customer_id     text NOT NULL,
	medium          text NOT NULL CHECK (medium IN ('sms', 'email', 'push', 'inbox')),
	category        text NOT NULL,
	marketing       boolean NOT NULL,
	dedup_key       text NOT NULL,
	subject         text NOT NULL,
	body            text NOT NULL,
	status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
	attempts        integer NOT NULL DEFAULT 0,
	next_attempt_at timestamptz NOT NULL,
	created_at      timestamptz NOT NULL,
	sent_at         timestamptz,
	last_error      text NOT NULL DEFAULT '',
	CONSTRAINT messages_dedup_key_key UNIQUE (dedup_key)
);
-- The deliverers' queue: only pending rows, by when they are due.
CREATE INDEX messages_due_idx ON channel.messages (next_attempt_at, id) WHERE status = 'pending';
CREATE INDEX messages_customer_idx ON channel.messages (customer_id, id);
