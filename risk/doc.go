// Package risk watches the bank: credit risk, market risk (interest-rate and
// FX exposure), operational risk (permissions, operation monitoring),
// threshold alerts, and real-time rules that flag anomalous transactions.
package risk
