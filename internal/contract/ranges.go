package contract

import (
	"sort"
	"strconv"
)

// NumberRange is an inclusive run of numbers of one length in E.164, such
// as +13125550100 to +13125550199.
type NumberRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// ExpandRange lists the numbers from..to, both included, in E.164. Both ends
// may be written in any international spelling, but must be valid numbers
// with as many digits as each other, and from must not follow to. The range
// may hold at most limit numbers (limit >= 1): each caller sets its own, so
// a typo cannot add a million numbers. field names the range in the errors,
// which are validation errors on field, field+".from" or field+".to".
func ExpandRange(field, from, to string, limit int) ([]string, error) {
	const rule = "both ends of a range must be valid E.164 numbers of the same length"
	lo, err := NormalizeNumber(from, "")
	if err != nil {
		return nil, Invalid(field+".from", "%q is not a valid E.164 number: %s", from, rule)
	}
	hi, err := NormalizeNumber(to, "")
	if err != nil {
		return nil, Invalid(field+".to", "%q is not a valid E.164 number: %s", to, rule)
	}
	// E.164 has at most 15 digits, so both ends fit in a uint64.
	a, errA := strconv.ParseUint(lo[1:], 10, 64)
	b, errB := strconv.ParseUint(hi[1:], 10, 64)
	switch {
	case errA != nil || errB != nil || len(lo) != len(hi):
		return nil, Invalid(field, "%s..%s is not a range: %s", lo, hi, rule)
	case a > b:
		return nil, Invalid(field, "%s..%s is not a range: from must not follow to", lo, hi)
	case limit < 1 || b-a >= uint64(limit):
		return nil, Invalid(field, "%s..%s holds %d numbers: a range must hold 1 to %d numbers", lo, hi, b-a+1, limit)
	}
	// Both ends have the same length and start with a country code, never 0,
	// so every number between them has that length too.
	out := make([]string, 0, b-a+1)
	for n := a; n <= b; n++ {
		out = append(out, "+"+strconv.FormatUint(n, 10))
	}
	return out, nil
}

// AppendToRuns adds number, which follows every number in runs in E.164
// order, to the last run when it is the number right after it, and as a run
// of its own otherwise: folded this way, sorted numbers make the fewest runs.
func AppendToRuns(runs []NumberRange, number string) []NumberRange {
	if last := len(runs) - 1; last >= 0 && Adjacent(runs[last].To, number) {
		runs[last].To = number
		return runs
	}
	return append(runs, NumberRange{From: number, To: number})
}

// Adjacent says whether b is the number right after a, with as many digits.
func Adjacent(a, b string) bool {
	if len(a) != len(b) || len(a) < 2 || a[0] != '+' || b[0] != '+' {
		return false
	}
	x, errA := strconv.ParseUint(a[1:], 10, 64)
	y, errB := strconv.ParseUint(b[1:], 10, 64)
	return errA == nil && errB == nil && y == x+1
}

// RunsContain says whether number is in one of runs, which are in E.164
// order as AppendToRuns makes them. Between a run's ends in that order lie
// exactly its numbers and numbers of other lengths, so the length decides.
func RunsContain(runs []NumberRange, number string) bool {
	i := sort.Search(len(runs), func(i int) bool { return runs[i].To >= number })
	return i < len(runs) && runs[i].From <= number && len(runs[i].From) == len(number)
}
