package contract

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// CSVHeader is the first row of the numbers export.
var CSVHeader = []string{"number", "status", "assigned_type", "assigned_id", "assigned_name"}

// CSVWriter writes the portal's "Export" file: one row per number.
//
// Cells that a spreadsheet would read as a formula are neutralised as OWASP
// recommends (CSV injection): a cell that starts with =, +, -, @, a tab or a
// carriage return gets a single quote in front, and so does a cell that
// starts with a quote itself, so that ReadCSV can take exactly one quote
// off every cell that has one and give back the value. The number column is
// the exception: the portal only ever stores canonical E.164 there, "+" and
// digits only, which no spreadsheet runs as a formula, so it is written as
// it is and stays exact. A number cell that were anything else would be
// neutralised like any other.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter starts an export on w with its header row.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	cw := &CSVWriter{w: csv.NewWriter(w)}
	return cw, cw.w.Write(CSVHeader)
}

// Write adds numbers to the export.
func (c *CSVWriter) Write(numbers []Number) error {
	for _, n := range numbers {
		number := n.Number
		if !isE164(number) {
			number = neutraliseCSVCell(number)
		}
		row := []string{number, neutraliseCSVCell(string(n.Status)), neutraliseCSVCell(string(n.AssignedType)),
			neutraliseCSVCell(n.AssignedID), neutraliseCSVCell(n.AssignedName)}
		if err := c.w.Write(row); err != nil {
			return err
		}
	}
	return nil
}

// Flush ends the export and reports any write error.
func (c *CSVWriter) Flush() error {
	c.w.Flush()
	return c.w.Error()
}

// neutraliseCSVCell puts a single quote in front of a cell that starts
// with =, +, -, @, a tab, a carriage return or a single quote, so that a
// spreadsheet shows it as text instead of running it as a formula.
func neutraliseCSVCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r'", rune(v[0])) {
		return "'" + v
	}
	return v
}

// restoreCSVCell undoes neutraliseCSVCell.
func restoreCSVCell(v string) string { return strings.TrimPrefix(v, "'") }

// isE164 reports whether v is "+" and 1 to 15 digits, the number column's
// only form, which is written as it is.
func isE164(v string) bool {
	digits, ok := strings.CutPrefix(v, "+")
	return ok && digits != "" && len(digits) <= 15 && strings.Trim(digits, "0123456789") == ""
}

// ReadCSV reads an export that CSVWriter wrote back into numbers, in file
// order, each cell as it was before CSVWriter neutralised it. Only the export's columns are filled in: Number, Status and the
// holder; an empty field is the zero value. It fails on any other header.
func ReadCSV(r io.Reader) ([]Number, error) {
	cr := csv.NewReader(r)
	// The header sets how many fields every row must have.
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("numbers export: empty file, want a header row")
	}
	if err != nil {
		return nil, fmt.Errorf("numbers export: %w", err)
	}
	if !slices.Equal(header, CSVHeader) {
		return nil, fmt.Errorf("numbers export: header %q, want %q", header, CSVHeader)
	}
	numbers := []Number{}
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return numbers, nil
		}
		if err != nil {
			return nil, fmt.Errorf("numbers export: %w", err)
		}
		for i := range row {
			row[i] = restoreCSVCell(row[i])
		}
		numbers = append(numbers, Number{Number: row[0], Status: NumberStatus(row[1]),
			AssignedType: TargetType(row[2]), AssignedID: row[3], AssignedName: row[4]})
	}
}
