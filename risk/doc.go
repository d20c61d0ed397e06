// Package risk watches the bank: real-time rules that flag anomalous
// transactions, the alerts and cases investigators work, the
// anti-money-laundering reports, and limits and key risk indicators with
// threshold alerts (docs/risk.md). Operational risk — permissions,
// maker-checker and the staff audit trail — is in risk/oprisk.
//
// Rules are expr-lang expressions over a transaction (Env) and windowed
// aggregates per customer, account, counterparty, device or pair of
// accounts, kept in time buckets. A rule set is versioned: a draft is
// edited, a shadow runs on live traffic with its outcomes recorded, the
// published version decides. Service.Screen decides a transaction before
// it posts (the ledger's Screener port, adapted by the reference server);
// Service.Observe evaluates one that has posted (from the ledger's
// events). Both share the rule sets and the aggregates, and every decision
// keeps the version, the rules that fired and the figures read.
//
// memrisk and pgrisk are the stores; risktest is their contract suite.
package risk
