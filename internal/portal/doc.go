// Package portal holds the calling portal's model and its rules: which number
// may be assigned to what, how stations are counted, what a user's number may
// not do. It knows nothing of HTTP or SQL: rules run against a Tx that a store
// provides, so every rule is checked and applied inside one transaction.
//
// The types here are also the API's representation of each object: the server
// serves them and the client decodes into them, so the two cannot drift.
package portal
