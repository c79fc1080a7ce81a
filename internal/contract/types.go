package contract

import "time"

// TargetType names what a number can be assigned to.
type TargetType string

const (
	TargetUser    TargetType = "user"
	TargetPhone   TargetType = "phone"
	TargetService TargetType = "service"
)

// NumberStatus is whether a number of the pool is free or held by a target.
type NumberStatus string

const (
	StatusAvailable NumberStatus = "available"
	StatusAssigned  NumberStatus = "assigned"
)

// ServiceTypes lists the kinds of service a number can ring.
var ServiceTypes = []string{"auto_attendant", "hunt_group", "call_queue", "voicemail", "paging", "conference"}

// Site is one customer site: its number pool and the stations it purchased.
type Site struct {
	ID                string    `json:"id"`
	Name              string    `json:"name"`
	StationsPurchased int       `json:"stations_purchased"`
	Version           int64     `json:"version"`
	CreatedAt         time.Time `json:"created_at"`
}

// Number is one phone number of a site's pool. The number itself, in
// canonical E.164, is its identity. An assigned number names its holder.
type Number struct {
	Number       string       `json:"number"`
	Status       NumberStatus `json:"status"`
	AssignedType TargetType   `json:"assigned_type,omitempty"`
	AssignedID   string       `json:"assigned_id,omitempty"`
	AssignedName string       `json:"assigned_name,omitempty"`
	Version      int64        `json:"version"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// User is a person set up on the site. A user always holds exactly one
// number, given when the user is created and freed only when it is deleted.
type User struct {
	ID          string `json:"id"`
	Email       string `json:"email"`
	FirstName   string `json:"first_name"`
	LastName    string `json:"last_name"`
	Extension   string `json:"extension,omitempty"`
	PhoneNumber string `json:"phone_number"`
	// VoicemailPINSet says a PIN exists; the PIN itself is never returned.
	VoicemailPINSet bool      `json:"voicemail_pin_set"`
	Version         int64     `json:"version"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// DisplayName is how messages name the user: "Jane Doe <jane@example.com>".
func (u User) DisplayName() string {
	return u.FirstName + " " + u.LastName + " <" + u.Email + ">"
}

// TargetBase is what phones and services share: a name and an extension,
// each unique per site, that a number assigned to them rings.
type TargetBase struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Extension string    `json:"extension,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
}

// Base is the shared part of a phone or service, for code that serves both.
func (b *TargetBase) Base() *TargetBase { return b }

// Phone is a desk phone or other device that numbers can ring. Its model
// and MAC address are the hardware's: they never change.
type Phone struct {
	TargetBase
	Model string `json:"model,omitempty"`
	// MACAddress is lowercase and colon-separated, "00:1a:2b:3c:4d:5e".
	MACAddress string `json:"mac_address,omitempty"`
}

// Service is an auto attendant, hunt group, call queue and the like. Its
// type never changes.
type Service struct {
	TargetBase
	Type        string `json:"type"`
	Description string `json:"description,omitempty"`
}

// TargetInput is what creates or changes the shared part of a phone or
// service. On update, nil fields keep their value.
type TargetInput struct {
	Name      *string `json:"name,omitempty"`
	Extension *string `json:"extension,omitempty"`
}

// Shared is the shared part of a phone's or service's input.
func (in *TargetInput) Shared() *TargetInput { return in }

// PhoneInput creates or changes a phone.
type PhoneInput struct {
	TargetInput
	Model      *string `json:"model,omitempty"`
	MACAddress *string `json:"mac_address,omitempty"`
}

// ServiceInput creates or changes a service.
type ServiceInput struct {
	TargetInput
	Type        *string `json:"type,omitempty"`
	Description *string `json:"description,omitempty"`
}

// Inventory is the site's station count as the portal's "Check Station
// Inventory" shows it: Available = Total - InUse, and InUse never exceeds Total.
type Inventory struct {
	Site      string `json:"site"`
	Total     int    `json:"total"`
	InUse     int    `json:"in_use"`
	Available int    `json:"available"`
}

// EarlierCreate is what a create sent with an Idempotency-Key made, as the
// token that sent it may look it up: so a run that lost the answer to a
// create finds, in a later run, the object it made (see DESIGN.md).
type EarlierCreate struct {
	Key       string    `json:"key"`
	Status    int       `json:"status"`
	Location  string    `json:"location"` // the object's API path
	CreatedAt time.Time `json:"created_at"`
}

// Target is what an assignment points a number at: a phone or a service.
// Users are given numbers only through CreateUser.
type Target struct {
	Type TargetType `json:"type"`
	ID   string     `json:"id"`
}

// UserInput is what creates or changes a user. On update, nil fields keep
// their value; PhoneNumber cannot change.
type UserInput struct {
	Email        *string `json:"email,omitempty"`
	FirstName    *string `json:"first_name,omitempty"`
	LastName     *string `json:"last_name,omitempty"`
	Extension    *string `json:"extension,omitempty"`
	PhoneNumber  *string `json:"phone_number,omitempty"`
	VoicemailPIN *string `json:"voicemail_pin,omitempty"`
}

// NumberFilter narrows a list or export of numbers. Empty fields match all.
type NumberFilter struct {
	Status       NumberStatus `json:"status,omitempty"`
	AssignedType TargetType   `json:"assigned_type,omitempty"`
	AssignedID   string       `json:"assigned_id,omitempty"`
	Prefix       string       `json:"prefix,omitempty"`
}

// Token describes an API credential; its secret is shown once, when it is
// issued, and never again. A site token acts on its site; an admin token on
// every site and on tokens.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Site      string    `json:"site,omitempty"`
	Admin     bool      `json:"admin"`
	CreatedAt time.Time `json:"created_at"`
}
