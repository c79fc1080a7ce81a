package contract

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
)

// CSVHeader is the first row of the numbers export.
var CSVHeader = []string{"number", "status", "assigned_type", "assigned_id", "assigned_name"}

// CSVWriter writes the portal's "Export" file: one row per number.
type CSVWriter struct{ w *csv.Writer }

// NewCSVWriter starts an export on w with its header row.
func NewCSVWriter(w io.Writer) (*CSVWriter, error) {
	cw := &CSVWriter{w: csv.NewWriter(w)}
	return cw, cw.w.Write(CSVHeader)
}

// Write adds numbers to the export.
func (c *CSVWriter) Write(numbers []Number) error {
	for _, n := range numbers {
		if err := c.w.Write([]string{n.Number, string(n.Status), string(n.AssignedType), n.AssignedID, n.AssignedName}); err != nil {
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

// ReadCSV reads an export that CSVWriter wrote back into numbers, in file
// order. Only the export's columns are filled in: Number, Status and the
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
		numbers = append(numbers, Number{Number: row[0], Status: NumberStatus(row[1]),
			AssignedType: TargetType(row[2]), AssignedID: row[3], AssignedName: row[4]})
	}
}
