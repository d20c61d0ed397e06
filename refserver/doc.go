// Package refserver is bankkit's reference server: it wires the subsystem
// packages into one running retail bank and serves it over HTTP/JSON.
//
// It is the only package that imports more than one subsystem. Everything
// it adds is wiring: configuration, storage selection (in-memory by default,
// PostgreSQL with a database URL), adapters between the ports the subsystems
// declare, and the HTTP surface described in docs/api.md.
package refserver
