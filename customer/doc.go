// Package customer is the bank's record of who its customers are: identity
// and KYC data, linked accounts, preferences and consent, interactions and
// complaints — and the protection of that personal data (encryption at rest,
// masking, access logging), since it is what a breach would expose.
package customer
