package contract

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestExpandRange(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, from, to string
		limit          int
		want           []string
	}{
		{"five", "+13125550100", "+13125550104", 5, []string{"+13125550100", "+13125550101", "+13125550102", "+13125550103", "+13125550104"}},
		{"one", "+13125550100", "+13125550100", 1, []string{"+13125550100"}},
		{"any spelling", "+1 (312) 555-0199", "+1 312 555 0201", 10, []string{"+13125550199", "+13125550200", "+13125550201"}},
	} {
		got, err := ExpandRange("ranges[0]", c.from, c.to, c.limit)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("%s: ExpandRange(%q, %q, %d) = %q, %v; want %q", c.name, c.from, c.to, c.limit, got, err, c.want)
		}
	}
}

func TestExpandRangeErrors(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, from, to string
		limit          int
		field, message string
	}{
		{"from not a number", "+1555", "+13125550100", 10, "ranges[0].from", "same length"},
		{"to not a number", "+13125550100", "+1312555010", 10, "ranges[0].to", "same length"},
		{"lengths differ", "+13125550100", "+442079460958", 10, "ranges[0]", "same length"},
		{"backwards", "+13125550104", "+13125550100", 10, "ranges[0]", "+13125550104..+13125550100 is not a range: from must not follow to"},
		{"over the limit", "+13125550100", "+13125550105", 5, "ranges[0]", "holds 6 numbers: a range must hold 1 to 5 numbers"},
		{"far over the limit", "+13125550000", "+13125999999", 100_000, "ranges[0]", "must hold 1 to 100000 numbers"},
		{"no limit", "+13125550100", "+13125550100", 0, "ranges[0]", "must hold 1 to 0 numbers"},
	} {
		got, err := ExpandRange("ranges[0]", c.from, c.to, c.limit)
		var pe *Error
		if !errors.As(err, &pe) || !errors.Is(err, ErrValidationFailed) || got != nil {
			t.Errorf("%s: ExpandRange = %q, %v; want a validation error", c.name, got, err)
			continue
		}
		if pe.Details["field"] != c.field || !strings.Contains(pe.Message, c.message) {
			t.Errorf("%s: error on %v: %q; want it on %s, saying %q", c.name, pe.Details["field"], pe.Message, c.field, c.message)
		}
	}
}
