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

// TestRunsOfSortedNumbers: sorted numbers fold into the fewest runs, a run
// breaks at a gap and where a number of another length sorts between, and
// RunsContain finds exactly the numbers folded in.
func TestRunsOfSortedNumbers(t *testing.T) {
	t.Parallel()
	numbers := []string{"+13125550099", "+13125550100", "+131255501000", "+13125550101", "+13125550102", "+13125550104", "+19999999999"}
	var runs []NumberRange
	for _, n := range numbers {
		runs = AppendToRuns(runs, n)
	}
	want := []NumberRange{{"+13125550099", "+13125550100"}, {"+131255501000", "+131255501000"},
		{"+13125550101", "+13125550102"}, {"+13125550104", "+13125550104"}, {"+19999999999", "+19999999999"}}
	if !slices.Equal(runs, want) {
		t.Fatalf("runs = %v, want %v", runs, want)
	}
	for _, n := range numbers {
		if !RunsContain(runs, n) {
			t.Errorf("RunsContain(%s) = false for a number folded in", n)
		}
	}
	for _, n := range []string{"+13125550098", "+13125550103", "+1312555010", "+131255501001", "+13125550105", "+2", "", "+20000000000"} {
		if RunsContain(runs, n) {
			t.Errorf("RunsContain(%q) = true for a number not folded in", n)
		}
	}
}

func TestAdjacent(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"+13125550100", "+13125550101", true},
		{"+13125550199", "+13125550200", true},
		{"+13125550101", "+13125550100", false},
		{"+13125550100", "+13125550102", false},
		{"+1999", "+12000", false},
		{"13125550100", "13125550101", false},
		{"+", "+", false},
		{"+1a", "+1b", false},
	} {
		if got := Adjacent(c.a, c.b); got != c.want {
			t.Errorf("Adjacent(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
