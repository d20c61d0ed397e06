// Package customer is the bank's record of who its customers are: identity
// and KYC data, linked accounts, preferences and consent, interactions and
// complaints — and the protection of that personal data (encryption at rest,
// masking, access logging), since it is what a breach would expose.
//
// # Words
//
//   - Customer: an individual, identified by one national id (a PRC
//     resident id, checked with GB 11643 MOD 11-2, or a passport with its
//     issuing country). One customer per national id.
//   - KYC: know-your-customer status, pending until staff verify or
//     reject, with who, when and why.
//   - Masked: the view of a customer every ordinary read returns
//     ("110105********002X", "138****5678", "z***@example.com").
//   - Reveal: the only way to full personal data; it takes an actor and a
//     reason and appends to the access log in the same store operation.
//   - Access log: append-only, hash-chained; VerifyAccessLog finds the
//     first entry that was altered.
//   - Keyring: where the AES-256 keys come from (configuration, or a KMS
//     behind the interface). Data is sealed under the primary key; older
//     keys keep opening their rows until RotateKeys has re-sealed them.
//   - Key check: a record per key that has sealed data, written on the
//     key's first use; CheckKeys refuses a keyring that is missing a key
//     the data needs or holds a different key under its id.
//   - Blind index: a keyed HMAC of the normalised national id or phone,
//     used for exact lookups and the one-customer-per-id rule without
//     decrypting anything.
//
// # Protection at rest
//
// The Service seals the national id, phones, e-mail, address, date of
// birth and document numbers with AES-256-GCM before the Store sees them;
// the additional authenticated data is the customer id and field name, so a
// ciphertext copied to another row or field does not open. The full name
// stays in clear so staff can search by name prefix (docs/customer.md gives
// the reasons and the alternatives). Every backend
// (memcustomer, pgcustomer) therefore holds the same protected data, and a
// copy of the database reveals no personal data without the keys.
//
// # Concurrency
//
// Update takes the version last read; a stale version is
// ErrVersionConflict and changes nothing. Concurrent creates of one
// national id leave exactly one customer. Events (customer created, KYC
// changed, consent changed) are written to an outbox in the same store
// operation as the change and delivered at least once, in order, to the
// subscribers of Service.Events.
//
// See docs/customer.md for the design decisions.
package customer
