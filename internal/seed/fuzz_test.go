package seed

import (
	"bytes"
	"encoding/json"
	"testing"
)

// FuzzSeed: Parse never panics, and a seed it reads, encoded again, reads
// back the same (so snapshot's output, which is such an encoding, loads).
// Apply is left to the unit tests and to the server's fuzz targets, which
// drive the same rules: under coverage instrumentation SQLite (a few
// hundred thousand lines of Go) slows each input a hundredfold.
func FuzzSeed(f *testing.F) {
	for _, s := range []string{
		string(demoJSON),
		`{"site": {"id": "hq", "name": "Headquarters", "stations_purchased": 200},
		  "numbers": ["+13125550142"], "ranges": [{"from": "+13125550100", "to": "+13125550109"}],
		  "services": [{"name": "Main Line", "type": "auto_attendant", "numbers": ["+13125550100"]}],
		  "phones": [{"name": "Lobby Phone", "model": "Poly VVX 250", "mac_address": "00-1A-2B-3C-4D-5E", "numbers": ["+13125550101"]}],
		  "users": [{"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe", "extension": "201", "phone_number": "+13125550102"}]}`,
		`{"site": {"id": "tiny", "stations_purchased": 1}, "ranges": [{"from": "+13125550100", "to": "+13125550101"}],
		  "services": [{"name": "Main", "type": "auto_attendant", "numbers": ["+13125550100", "+13125550101"]}]}`,
		`{"site": {"id": "hq", "stations_purchased": 3}, "ranges": [{"from": "+13125550100", "to": "+13125550102"}],
		  "services": [{"id": "svc_q1", "name": "Queue", "type": "call_queue", "numbers": ["+13125550100"]}],
		  "phones": [{"id": "ph_d1", "name": "Desk", "numbers": ["+13125550101"]}],
		  "users": [{"id": "usr_u1", "email": "u@example.com", "first_name": "U", "last_name": "V", "phone_number": "+13125550102"}]}`,
		`{"site": {"id": "x"}, "pool": []}`, `{"site": {"id": "xx"}, "phones": [{"id": "svc_a1", "name": "B"}]}`,
		`{"site": {"id": "xx", "stations_purchased": -1}}`, `{"site": {"id": "xx"}, "numbers": ["+13125550100", "+1 312 555 0100"]}`,
		`{"site": {"id": "xx"}, "users": [{"email": "A@x.com", "first_name": "A", "last_name": "B", "phone_number": "+13125550100"},
		  {"email": "a@X.com", "first_name": "C", "last_name": "D", "phone_number": "+13125550101"}]}`,
		`{"site": {"id": "xx"}} {"site": {"id": "yy"}}`, `{"site": {"id": "xx"}}]`, `[]`, `null`, `{"site": null}`,
		`{"site": {"id": "\u0000"}, "numbers": null}`, `{"site": {"id": "xx", "stations_purchased": 1e3}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz.json", data)
		if err != nil {
			return
		}
		again, err := Parse("again.json", encode(t, s))
		if err != nil || !bytes.Equal(encode(t, again), encode(t, s)) {
			t.Fatalf("seed %q\nencodes as %s\nwhich reads back as %s, %v", data, encode(t, s), encode(t, again), err)
		}
	})
}

func encode(t *testing.T, s Seed) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("encode %+v: %v", s, err)
	}
	return b
}
