package contract

import (
	"bytes"
	"encoding/csv"
	"errors"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Fuzz targets of the parsers every request and configuration goes
// through. `make fuzz` runs each for FUZZTIME; plain `go test` runs their
// seeds (f.Add and testdata/fuzz/FuzzXxx) as unit tests.

// canonicalE164 is what NormalizeNumber may return: "+", a country code
// (never 0) and at most 15 digits in all.
var canonicalE164 = regexp.MustCompile(`^\+[1-9][0-9]{1,14}$`)

// checkInvalid fails unless err is a validation error with a message, as
// the API answers it (422) and the provider shows it.
func checkInvalid(t *testing.T, what string, err error) {
	t.Helper()
	var pe *Error
	if !errors.As(err, &pe) || pe.Code != CodeValidationFailed || pe.Message == "" {
		t.Fatalf("%s: error %#v is not a validation error with a message", what, err)
	}
}

// FuzzNormalizeNumber: NormalizeNumber and its friends never panic, fail
// only with a validation error, and what they return is canonical: it
// normalises to itself, with or without a region, and CanonicalNumber
// accepts it. The same holds for CanonicalMAC, and FoldEmail is idempotent.
func FuzzNormalizeNumber(f *testing.F) {
	for _, s := range []struct{ number, region string }{
		{"(312) 555-0142", "US"}, {"312.555.0142", "us"}, {"+1 312-555-0142", ""}, {"+13125550142", ""},
		{"020 7946 0958", "GB"}, {"+44 20 7946 0958", "FR"}, {"3125550142", ""}, {"3125550142", "XX"},
		{"+1555", ""}, {"call me", "US"}, {"  ", "US"}, {"312-555-0142 ext 5", "US"}, {"+1 312 555 0186 ext. 7", ""},
		{"+1 312 555 0186;ext=7", ""}, {"tel:+1-312-555-0142", ""}, {"+800 1234 5678", ""}, {"+1\x00312", ""},
		{"+١٣١٢٥٥٥٠١٤٢", ""}, {"+13125550142" + strings.Repeat("9", 300), ""}, {"00:1a:2b:3c:4d:5e", "US"},
		{"001A.2B3C.4D5E", ""}, {"+882 34 1234 5678", "001"}, {"+", ""}, {"++13125550142", ""},
	} {
		f.Add(s.number, s.region)
	}
	f.Fuzz(func(t *testing.T, number, region string) {
		got, err := NormalizeNumber(number, region)
		if err != nil {
			checkInvalid(t, "NormalizeNumber", err)
			if got != "" {
				t.Fatalf("NormalizeNumber(%q, %q) = %q with error %v", number, region, got, err)
			}
		} else {
			if !canonicalE164.MatchString(got) {
				t.Fatalf("NormalizeNumber(%q, %q) = %q: not canonical E.164", number, region, got)
			}
			for _, r := range []string{"", region, "US", "GB"} {
				if again, err := NormalizeNumber(got, r); again != got || err != nil {
					t.Fatalf("NormalizeNumber(%q, %q) = %q; again with region %q = %q, %v", number, region, got, r, again, err)
				}
			}
			if err := CanonicalNumber(got); err != nil {
				t.Fatalf("CanonicalNumber(%q) = %v for a normalised number", got, err)
			}
		}
		if err := CanonicalNumber(number); err == nil && got != number {
			t.Fatalf("CanonicalNumber(%q) accepts a number that normalises to %q", number, got)
		} else if err != nil {
			checkInvalid(t, "CanonicalNumber", err)
		}
		if mac, err := CanonicalMAC(number); err != nil {
			checkInvalid(t, "CanonicalMAC", err)
		} else if again, err := CanonicalMAC(mac); again != mac || err != nil {
			t.Fatalf("CanonicalMAC(%q) = %q; again %q, %v", number, mac, again, err)
		}
		if err := ValidatePrefix(number); err != nil {
			checkInvalid(t, "ValidatePrefix", err)
		}
		if folded := FoldEmail(number); FoldEmail(folded) != folded || len(folded) != len(number) {
			t.Fatalf("FoldEmail(%q) = %q is not idempotent or changed the length", number, folded)
		}
	})
}

// FuzzExpandRange: ExpandRange never panics, fails only with a validation
// error on the range or one of its ends, and on success lists from..to
// exactly: both ends as NormalizeNumber gives them, consecutive, all of
// one length, 1 to limit of them.
func FuzzExpandRange(f *testing.F) {
	for _, s := range []struct {
		from, to string
		limit    int
	}{
		{"+13125550100", "+13125550104", 5}, {"+13125550100", "+13125550100", 1}, {"+1 (312) 555-0199", "+1 312 555 0201", 10},
		{"+13125550104", "+13125550100", 10}, {"+13125550100", "+13125550199", 10}, {"+13125550100", "+442079460958", 1000},
		{"+13125550100", "3125550104", 10}, {"x", "+13125550100", 10}, {"+13125550100", "+13125550101", 0},
		{"+13125550100", "+13125550101", -1}, {"+19999999998", "+19999999999", 5}, {"+13125550100", "+13125550101", 1 << 62},
	} {
		f.Add(s.from, s.to, s.limit)
	}
	f.Fuzz(func(t *testing.T, from, to string, limit int) {
		// A limit beyond a few thousand only costs memory: the rule is the same.
		if limit > 5000 {
			limit = 5000 + limit%5000
		}
		got, err := ExpandRange("ranges[0]", from, to, limit)
		if err != nil {
			checkInvalid(t, "ExpandRange", err)
			var pe *Error
			errors.As(err, &pe)
			if field := pe.Details["field"]; field != "ranges[0]" && field != "ranges[0].from" && field != "ranges[0].to" {
				t.Fatalf("ExpandRange(%q, %q, %d): error on field %v: %v", from, to, limit, field, err)
			}
			if got != nil {
				t.Fatalf("ExpandRange(%q, %q, %d) = %q with error %v", from, to, limit, got, err)
			}
			return
		}
		lo, _ := NormalizeNumber(from, "")
		hi, _ := NormalizeNumber(to, "")
		if len(got) < 1 || len(got) > limit || got[0] != lo || got[len(got)-1] != hi {
			t.Fatalf("ExpandRange(%q, %q, %d) = %d numbers %q..%q, want %q..%q, 1 to %d", from, to, limit,
				len(got), got[0], got[len(got)-1], lo, hi, limit)
		}
		first, _ := strconv.ParseUint(lo[1:], 10, 64)
		for i, n := range got {
			if n != "+"+strconv.FormatUint(first+uint64(i), 10) || len(n) != len(lo) || !canonicalE164.MatchString(n) {
				t.Fatalf("ExpandRange(%q, %q, %d)[%d] = %q: not the next number of %s's length", from, to, limit, i, n, lo)
			}
		}
	})
}

// FuzzReadCSV: ReadCSV never panics, fails with nothing read, and what it
// reads, written again by CSVWriter, reads back the same (read, write,
// read is the identity); the file written has no live formula in it.
func FuzzReadCSV(f *testing.F) {
	header := strings.Join(CSVHeader, ",") + "\n"
	for _, s := range []string{
		"", header, header + "+13125550100,available,,,\n",
		header + "+13125550100,assigned,service,svc_1,\"'=HYPERLINK(\"\"http://x\"\")\"\n",
		header + "'+1+1,assigned,user,usr_1,''quoted\r\n", header + "+13125550100,available\n",
		header + "+13125550100,assigned,user,usr_1,\"Ada\n", "number,status\n+13125550100,available\n",
		header + "\"a\"\"b\",\"c\r\nd\",'\t,'\r,\"\"\n", header + "\xff\xfe,,,,\n", "\ufeff" + header,
		header + ",,,,\n\n\n", header + "a,b,c,d,e,f\n", header + "\"x\"y,,,,\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := ReadCSV(bytes.NewReader(data))
		if err != nil {
			if got != nil {
				t.Fatalf("ReadCSV returned %d numbers with error %v", len(got), err)
			}
			return
		}
		out := writeCSV(t, got)
		checkNoFormulas(t, out)
		again, err := ReadCSV(bytes.NewReader(out))
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Fatalf("read %q\n= %+v\nwritten %q\nreads back %+v, %v", data, got, out, again, err)
		}
	})
}

// FuzzCSVWriter: any values CSVWriter is given come out with no live
// formula, and ReadCSV gives each back as it was. Values with a carriage
// return are left out of the round trip: CSV readers turn \r\n in a quoted
// cell into \n, and the portal's rules refuse control characters in names
// and IDs, so an export never holds one.
func FuzzCSVWriter(f *testing.F) {
	for _, s := range [][5]string{
		{"+13125550100", "assigned", "service", "svc_1", `=HYPERLINK("http://x")`},
		{"=1+2", "available", "", "", ""}, {"-5", "", "", "@x", "+1+1"}, {"+13125550100", "available", "", "", "'quoted"},
		{"+", "'", "''", "\t", "a\"b,c\nd"}, {"+1234567890123456", "\\.", " =x", "é", "\x00"},
	} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	f.Fuzz(func(t *testing.T, number, status, typ, id, name string) {
		in := []Number{{Number: number, Status: NumberStatus(status), AssignedType: TargetType(typ), AssignedID: id, AssignedName: name}}
		out := writeCSV(t, in)
		checkNoFormulas(t, out)
		if strings.ContainsRune(number+status+typ+id+name, '\r') {
			return
		}
		got, err := ReadCSV(bytes.NewReader(out))
		if err != nil || !reflect.DeepEqual(got, in) {
			t.Fatalf("wrote %+v as %q; reads back %+v, %v", in, out, got, err)
		}
	})
}

func writeCSV(t *testing.T, numbers []Number) []byte {
	t.Helper()
	var buf bytes.Buffer
	cw, err := NewCSVWriter(&buf)
	if err == nil {
		err = cw.Write(numbers)
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		t.Fatalf("write %+v: %v", numbers, err)
	}
	return buf.Bytes()
}

// checkNoFormulas fails when a cell of an export starts as a formula would:
// only a number cell in E.164 may start with "+".
func checkNoFormulas(t *testing.T, export []byte) {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(export)).ReadAll()
	if err != nil {
		t.Fatalf("the export %q does not parse as CSV: %v", export, err)
	}
	for i, row := range rows[1:] {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && (j != 0 || !isE164(cell)) {
				t.Fatalf("row %d column %s: %q is a live formula in %q", i+1, CSVHeader[j], cell, export)
			}
		}
	}
}
