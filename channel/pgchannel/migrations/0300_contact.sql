-- The contact centre: tickets, their notes and caller verifications, and
-- the agents who work them. Customers, accounts, complaints and staff are
-- other subsystems' (or the identities table's) ids, without foreign keys.
CREATE TABLE channel.tickets (
	id            uuid PRIMARY KEY,
	kind          text NOT NULL CHECK (kind IN ('inquiry', 'request', 'complaint')),
	customer_id   text NOT NULL,
	account_id    text NOT NULL DEFAULT '',
	transfer_id   text NOT NULL DEFAULT '',
	loan_id       text NOT NULL DEFAULT '',
	card_id       text NOT NULL DEFAULT '',
	complaint_id  text,
	subject       text NOT NULL,
	description   text NOT NULL,
	priority      smallint NOT NULL CHECK (priority BETWEEN 1 AND 4),
	queue         text NOT NULL,
	status        text NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
	assignee      text NOT NULL DEFAULT '',
	opened_by     text NOT NULL,
	opened_at     timestamptz NOT NULL,
	opened_on     date NOT NULL,
	due_on        date NOT NULL,
	escalation    smallint NOT NULL DEFAULT 0,
	escalated_at  timestamptz,
	assigned_at   timestamptz,
	closed_at     timestamptz,
	close_reason  text NOT NULL DEFAULT '',
	satisfaction  smallint NOT NULL DEFAULT 0 CHECK (satisfaction BETWEEN 0 AND 5),
	version       bigint NOT NULL,
	CONSTRAINT tickets_complaint_id_key UNIQUE (complaint_id)
);
-- The queues agents take from: open tickets, most urgent and earliest due
-- first.
CREATE INDEX tickets_open_idx ON channel.tickets (queue, priority DESC, due_on, id) WHERE status = 'open';
-- The escalation step's scan: tickets not closed, by due date.
CREATE INDEX tickets_due_idx ON channel.tickets (due_on) WHERE status <> 'closed';
CREATE INDEX tickets_customer_idx ON channel.tickets (customer_id, id);
CREATE INDEX tickets_assignee_idx ON channel.tickets (assignee, id) WHERE assignee <> '';

CREATE TABLE channel.ticket_notes (
	id        uuid PRIMARY KEY,
	ticket_id uuid NOT NULL REFERENCES channel.tickets (id),
	author    text NOT NULL,
	body      text NOT NULL,
	at        timestamptz NOT NULL
);
CREATE INDEX ticket_notes_ticket_idx ON channel.ticket_notes (ticket_id, id);

CREATE TABLE channel.ticket_verifications (
	id          uuid PRIMARY KEY,
	ticket_id   uuid NOT NULL REFERENCES channel.tickets (id),
	customer_id text NOT NULL,
	agent       text NOT NULL,
	factors     text[] NOT NULL,
	passes      boolean[] NOT NULL,
	passed      boolean NOT NULL,
	at          timestamptz NOT NULL
);
CREATE INDEX ticket_verifications_ticket_idx ON channel.ticket_verifications (ticket_id, id);

CREATE TABLE channel.agents (
	id         text PRIMARY KEY,
	name       text NOT NULL,
	skills     text[] NOT NULL,
	available  boolean NOT NULL,
	updated_at timestamptz NOT NULL
);
