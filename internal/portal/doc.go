// Package portal holds the calling portal's rules: which number may be
// assigned to what, how stations are counted, what a user's number may not
// do, how tokens and PINs are kept. It knows nothing of HTTP or SQL: rules
// run against a Tx that a store provides, so every rule is checked and
// applied inside one transaction. The objects the rules return are the
// API's, from package contract.
package portal
