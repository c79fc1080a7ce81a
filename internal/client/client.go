// Package client is the Go client of the calling portal's v1 API. Methods are
// grouped by area (Users, Numbers, Inventory, Phones, Services, Sites, Tokens),
// take a context first, and return errors that match the sentinels below with
// errors.Is. Requests go through go-retryablehttp with the retry policy in
// retry.go.
package client

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/go-retryablehttp"
)

// Users sets users up, changes and deletes them.
type Users interface {
	// Create sends the create's own key (see createKey): the same create
	// sent again, by a later run too, gets the first answer while that
	// user exists, and never makes a second one.
	Create(ctx context.Context, in contract.UserInput) (contract.User, error)
	// EarlierCreate is the ID of the user that an earlier Create of in
	// made, while it exists; ErrNotFound when none did.
	EarlierCreate(ctx context.Context, in contract.UserInput) (string, error)
	Read(ctx context.Context, id string) (contract.User, error)
	// FindByEmail and FindByNumber return ErrNotFound when no user matches.
	FindByEmail(ctx context.Context, email string) (contract.User, error)
	FindByNumber(ctx context.Context, number string) (contract.User, error)
	List(ctx context.Context) ([]contract.User, error)
	// Update sends the fields set in in; ifMatch 0 means unconditional.
	// Like every PATCH it is retried after a lost answer (retry.go): its
	// body sets values, so a second try leaves the same user.
	Update(ctx context.Context, id string, in contract.UserInput, ifMatch int64) (contract.User, error)
	Delete(ctx context.Context, id string) error
}

// Numbers reads the site's number pool and changes assignments.
type Numbers interface {
	Read(ctx context.Context, number string) (contract.Number, error)
	List(ctx context.Context, f contract.NumberFilter) ([]contract.Number, error)
	// Ranges lists the numbers that match f as runs of consecutive numbers,
	// in E.164 order: a large pool in few pages (see contract.RunsContain).
	Ranges(ctx context.Context, f contract.NumberFilter) ([]contract.NumberRange, error)
	// Assign points a number at a phone or service. With onlyIfAvailable it
	// fails with ErrNumberUnavailable instead of moving a held number.
	Assign(ctx context.Context, number string, t contract.Target, onlyIfAvailable bool) (contract.Number, error)
	// Unassign frees a number; ifMatch, when not 0, is the version last
	// read, so a number moved meanwhile is not freed (ErrPreconditionFailed).
	Unassign(ctx context.Context, number string, ifMatch int64) (contract.Number, error)
	// Export writes the portal's CSV export for the filter to w.
	Export(ctx context.Context, f contract.NumberFilter, w io.Writer) error
	// Add puts numbers into the pool (admin token).
	Add(ctx context.Context, numbers []string) ([]contract.Number, error)
}

// Inventory reads the site's station count.
type Inventory interface {
	Read(ctx context.Context) (contract.Inventory, error)
}

// Targets manages one kind of target a number can ring besides a user.
// FindByName matches regardless of case and returns ErrNotFound when none
// does. Update sends the fields set in in, conditional on version (If-Match)
// when it is not 0.
type Targets[T, In any] interface {
	// Create and EarlierCreate are as for Users.
	Create(ctx context.Context, in In) (T, error)
	EarlierCreate(ctx context.Context, in In) (string, error)
	Read(ctx context.Context, id string) (T, error)
	FindByName(ctx context.Context, name string) (T, error)
	List(ctx context.Context) ([]T, error)
	Update(ctx context.Context, id string, in In, version int64) (T, error)
	Delete(ctx context.Context, id string) error
}

// Phones manages the site's devices.
type Phones = Targets[contract.Phone, contract.PhoneInput]

// Services manages the site's auto attendants, hunt groups, call queues...
type Services = Targets[contract.Service, contract.ServiceInput]

// Sites reads the client's site; creating sites and changing their stations
// needs an admin token. SetStationsPurchased is a PATCH without If-Match:
// it sets the count, so the retry policy may replay it after a lost answer.
type Sites interface {
	Read(ctx context.Context) (contract.Site, error)
	Create(ctx context.Context, s contract.Site) (contract.Site, error)
	SetStationsPurchased(ctx context.Context, total int) (contract.Site, error)
}

// Tokens issues API tokens (admin token). The secret is returned once, and
// Create is sent once, never retried: the portal does not replay token
// creates, so a retry could mint a second token.
type Tokens interface {
	Create(ctx context.Context, name, site string, admin bool) (contract.Token, string, error)
}

// Client is a connection to one site of a portal.
type Client struct {
	Users     Users
	Numbers   Numbers
	Inventory Inventory
	Phones    Phones
	Services  Services
	Sites     Sites
	Tokens    Tokens

	// Site is the site every site-scoped call acts on.
	Site string

	baseURL   string // endpoint without a trailing slash or /v1
	token     string
	userAgent string
	http      *retryablehttp.Client
	logger    func(context.Context) retryablehttp.LeveledLogger // nil: silent

	writeMu sync.Mutex
	written map[string]uint64 // writes sent, by area of the site ("users"); see View
	created map[string]bool   // the keys of creates answered to this client (see create)
}

// New checks cfg, fills in its defaults and returns a client for cfg.Site.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Client{
		Site:      cfg.Site,
		baseURL:   cfg.Endpoint,
		token:     cfg.Token,
		userAgent: cfg.UserAgent,
		logger:    cfg.Logger,
		written:   map[string]uint64{},
		created:   map[string]bool{},
		http: &retryablehttp.Client{
			HTTPClient:   cfg.HTTPClient,
			RetryMax:     cfg.MaxRetries,
			RetryWaitMin: cfg.RetryWaitMin,
			RetryWaitMax: cfg.RetryWaitMax,
			CheckRetry:   checkRetry,
			Backoff:      backoff,
			// Hand the last answer back rather than a generic "giving up"
			// error, so a 429 that outlasts the retries still decodes into
			// the portal's rate_limited error and message.
			ErrorHandler: giveUp,
			// No Logger: its lines would have no request context. The hooks
			// log each try with the context of the call that made it.
		},
	}
	c.http.RequestLogHook = func(_ retryablehttp.Logger, req *http.Request, attempt int) {
		if l := c.log(req.Context()); l != nil && attempt == 0 {
			l.Debug("portal request", "method", req.Method, "url", req.URL.String())
		} else if l != nil {
			l.Info("retrying portal request", "method", req.Method, "url", req.URL.String(), "retry", attempt)
		}
	}
	c.http.ResponseLogHook = func(_ retryablehttp.Logger, resp *http.Response) {
		if l := c.log(resp.Request.Context()); l != nil {
			l.Debug("portal answered", "method", resp.Request.Method, "url", resp.Request.URL.String(), "status", resp.StatusCode)
		}
	}
	c.Users = &users{c}
	c.Numbers = &numbers{c}
	c.Inventory = &inventory{c}
	c.Phones = &targets[contract.Phone, contract.PhoneInput]{c, "phones", "phone"}
	c.Services = &targets[contract.Service, contract.ServiceInput]{c, "services", "service"}
	c.Sites = &sites{c}
	c.Tokens = &tokens{c}
	return c, nil
}

// log is the logger for ctx, or nil when the client is silent.
func (c *Client) log(ctx context.Context) retryablehttp.LeveledLogger {
	if c.logger == nil {
		return nil
	}
	return c.logger(ctx)
}

// wrote records a write sent to path, whatever its outcome (a lost answer may
// have applied it). Any write may change which numbers are held, so it counts
// for the numbers. A create (POST) only adds an object, which a View reads
// directly as missing from its list, so it leaves the other lists alone.
func (c *Client) wrote(method, path string) {
	area := "site" // the site itself, or a path outside any site
	if rest, onSite := strings.CutPrefix(path, "/v1/sites/"); onSite {
		if _, below, ok := strings.Cut(rest, "/"); ok {
			area, _, _ = strings.Cut(below, "/")
		}
	}
	if method == http.MethodPost {
		area = "numbers"
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	c.written[area]++
	if area != "numbers" {
		c.written["numbers"]++
	}
}

// writes is the count of writes sent to area.
func (c *Client) writes(area string) uint64 {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.written[area]
}
