package contract

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
)

func TestReadCSVReadsWhatCSVWriterWrote(t *testing.T) {
	t.Parallel()
	for name, numbers := range map[string][]Number{
		"none": {},
		"some": {
			{Number: "+13125550100", Status: StatusAssigned, AssignedType: TargetService, AssignedID: "svc_1", AssignedName: "Main"},
			{Number: "+13125550101", Status: StatusAvailable},
			{Number: "+13125550120", Status: StatusAssigned, AssignedType: TargetUser, AssignedID: "usr_1", AssignedName: `Lovelace, Ada "Countess"`},
		},
	} {
		var buf bytes.Buffer
		cw, err := NewCSVWriter(&buf)
		if err == nil {
			err = cw.Write(numbers)
		}
		if err == nil {
			err = cw.Flush()
		}
		if err != nil {
			t.Fatalf("%s: write: %v", name, err)
		}
		got, err := ReadCSV(&buf)
		if err != nil || got == nil || !reflect.DeepEqual(got, numbers) {
			t.Errorf("%s: ReadCSV = %+v, %v; want %+v", name, got, err, numbers)
		}
	}
}

func TestReadCSVRefusesAnotherFile(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct{ csv, want string }{
		"empty":          {"", "want a header row"},
		"another header": {"number,status\n+13125550100,available\n", `header ["number" "status"]`},
		"reordered":      {"status,number,assigned_type,assigned_id,assigned_name\n", "header"},
		"short row":      {strings.Join(CSVHeader, ",") + "\n+13125550100,available\n", "wrong number of fields"},
		"unclosed quote": {strings.Join(CSVHeader, ",") + "\n+13125550100,assigned,user,usr_1,\"Ada\n", "quote"},
	} {
		if got, err := ReadCSV(strings.NewReader(c.csv)); err == nil || got != nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: ReadCSV = %+v, %v; want an error mentioning %q", name, got, err, c.want)
		}
	}
}
