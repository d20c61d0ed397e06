// Package refserver is bankkit's reference server: it wires the subsystem
// packages into one running retail bank and serves it over HTTP/JSON, as
// docs/api.md describes.
//
// It is the only package that imports more than one subsystem, and it
// keeps three things apart:
//
//   - wiring: configuration, storage (in-memory by default, PostgreSQL with
//     a database URL) and each subsystem's Service (server.go, storage.go,
//     services.go);
//   - the application layer, package refserver/bank: the workflows that
//     span subsystems and the rule that customers reach only their own
//     objects, behind ports the subsystems' Services satisfy;
//   - the HTTP layer: one route list per subsystem (accounts.go,
//     customers.go, complaints.go, movements.go, clearing.go, endofday.go,
//     operations.go, auth.go), each route a typed handler,
//     func(ctx, Req) (Resp, error), adapted by handle: the request type's
//     struct tags say which fields come from the path, the query, headers
//     or the body, so decoding, validation of those values and the OpenAPI
//     document are all derived from it.
//
// Errors take one way to the client (problemOf): every sentinel reports a
// kind and a code (package fault), the kind chooses the status and the
// code the problem type, so a new subsystem adds no rows here.
package refserver
