// Package contract is the calling portal's API as it travels between the
// server and the client: the objects and their JSON form, the error codes
// and the portal's messages, the field rules both sides validate with, and
// the CSV export format. It knows nothing of storage or of the rules that
// decide a write: the provider and the client depend on this package only.
//
// The portal's messages live here so that a broken rule reads the same
// whether the backend rejects an apply or the provider's plan check catches
// it first.
package contract
