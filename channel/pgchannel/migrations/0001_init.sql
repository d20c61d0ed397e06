-- Identities that can log in, with their password hash and failed-login
-- count, and the sessions their tokens open. Only hashes are stored: the
-- credential is an argon2id PHC string, a session keeps the SHA-256 of its
-- token.
CREATE TABLE channel.identities (
	id            uuid PRIMARY KEY,
	kind          text NOT NULL CHECK (kind IN ('staff', 'customer')),
	username      text NOT NULL,
	roles         text[] NOT NULL DEFAULT '{}',
	customer_id   text,
	status        text NOT NULL CHECK (status IN ('active', 'disabled')),
	created_at    timestamptz NOT NULL,
	failed_logins integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
	locked_until  timestamptz,
	credential    text NOT NULL,
	CONSTRAINT identities_username_key UNIQUE (username),
	CONSTRAINT identities_customer_id_key UNIQUE (customer_id),
	CONSTRAINT identities_customer_kind CHECK ((kind = 'customer') = (customer_id IS NOT NULL))
);

CREATE TABLE channel.sessions (
	id          uuid PRIMARY KEY,
	identity_id uuid NOT NULL REFERENCES channel.identities (id),
	token_hash  bytea NOT NULL CHECK (length(token_hash) = 32),
	created_at  timestamptz NOT NULL,
	expires_at  timestamptz NOT NULL,
	revoked_at  timestamptz,
	CONSTRAINT sessions_token_hash_key UNIQUE (token_hash)
);

CREATE INDEX sessions_identity_id_idx ON channel.sessions (identity_id, id);
CREATE INDEX sessions_expires_at_idx ON channel.sessions (expires_at);
