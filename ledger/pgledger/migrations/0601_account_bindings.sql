-- Re-binding of class II and III accounts (ledger/class_binding.go): an
-- account's bound accounts may change after opening, under the lock of its
-- balance row, and each change is kept with who asked and when.
CREATE TABLE ledger.account_bindings (
	id         uuid PRIMARY KEY,
	account_id uuid NOT NULL REFERENCES ledger.accounts (id),
	from_bound uuid[] NOT NULL,
	to_bound   uuid[] NOT NULL,
	by_client  text NOT NULL,
	at         timestamptz NOT NULL
);
CREATE INDEX account_bindings_account ON ledger.account_bindings (account_id, id);
