package server

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// The CSV export is served by the API and by the web page (package web):
// both call the functions below, so the two files are the same bytes.

// Export builds the CSV export of site's numbers that match f, paged out of
// one snapshot. The file is built before the first byte is sent, so a
// failure is still an error the caller can answer, and the read transaction
// stays short however slowly the client downloads.
func Export(ctx context.Context, st portal.Store, site string, f contract.NumberFilter) ([]byte, error) {
	var buf bytes.Buffer
	err := st.View(ctx, func(tx portal.Tx) error {
		if err := siteExists(tx, site); err != nil {
			return err
		}
		cw, err := contract.NewCSVWriter(&buf)
		if err != nil {
			return err
		}
		for p := (portal.Page{Limit: maxLimit}); ; {
			rows, err := tx.ListNumbers(site, f, p)
			if err != nil {
				return err
			}
			if err := cw.Write(rows); err != nil {
				return err
			}
			if len(rows) < p.Limit {
				return cw.Flush()
			}
			p.After = rows[len(rows)-1].Number
		}
	})
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteExport sends a file that Export built as a download named after site.
func WriteExport(w http.ResponseWriter, site string, file []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+site+`-numbers.csv"`)
	h.Set("Content-Length", strconv.Itoa(len(file)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(file) // a failed write means the client has gone
}
