package server

import (
	_ "embed"
	"net/http"
)

// openAPISpec is this API in OpenAPI 3.1, written by hand; a test checks it
// against the route table.
//
//go:embed openapi.json
var openAPISpec []byte

func (s *server) openAPI(c *call) error {
	c.send(reply{status: http.StatusOK, body: openAPISpec}, false)
	return nil
}
