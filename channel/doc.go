// Package channel is how customers and staff reach the bank: online and
// mobile banking identities, credentials and sessions, self-service devices
// (the ATM fleet and its cash levels) and contact-centre tickets.
package channel
