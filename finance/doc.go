// Package finance is the bank's own books: income and expense, the balance
// sheet and income statement, budgets with overrun alerts, cost control and
// profitability analysis.
package finance
