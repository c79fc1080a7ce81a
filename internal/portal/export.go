package portal

import (
	"encoding/csv"
	"io"
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
