-- One record per key that has sealed data, written when the key is first
-- used: a fixed label sealed under the key (for the blind-index key, key_id
-- 'index', the label's HMAC). customer.Service.CheckKeys refuses a keyring
-- whose keys do not open them.
CREATE TABLE customer.key_checks (
	key_id     text PRIMARY KEY,
	value      bytea NOT NULL,
	created_at timestamptz NOT NULL
);
