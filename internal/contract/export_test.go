package contract

import (
	"bytes"
	"encoding/csv"
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

// TestCSVNeutralisesFormulas: a cell a spreadsheet would run as a formula
// gets a single quote in front (OWASP), the number column stays exact, and
// ReadCSV gives back every value as it was.
func TestCSVNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	hostile := []string{`=HYPERLINK("http://x")`, "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rCR", "'quoted", "''twice", "=", "Plain", ""}
	var numbers []Number
	for i, name := range hostile {
		numbers = append(numbers, Number{Number: "+1312555" + strings.Repeat("0", 3) + string(rune('0'+i%10)),
			Status: StatusAssigned, AssignedType: TargetService, AssignedID: "svc_" + string(rune('a'+i)), AssignedName: name})
	}
	numbers = append(numbers, Number{Number: "=1+2", Status: StatusAvailable}, Number{Number: "-5", AssignedID: "@x"})
	var buf bytes.Buffer
	cw, err := NewCSVWriter(&buf)
	if err == nil {
		err = cw.Write(numbers)
	}
	if err == nil {
		err = cw.Flush()
	}
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows[1:] {
		for j, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && (j != 0 || !isE164(cell)) {
				t.Errorf("row %d column %s: %q is a live formula", i+1, CSVHeader[j], cell)
			}
		}
	}
	if got := rows[1][0]; got != numbers[0].Number {
		t.Errorf("number column %q, want %q as it is", got, numbers[0].Number)
	}
	if got, want := rows[1][4], `'=HYPERLINK("http://x")`; got != want {
		t.Errorf("name cell %q, want %q", got, want)
	}
	if got, want := rows[7][4], "''quoted"; got != want {
		t.Errorf("quoted name cell %q, want %q", got, want)
	}
	got, err := ReadCSV(&buf)
	if err != nil || !reflect.DeepEqual(got, numbers) {
		t.Errorf("ReadCSV = %+v, %v\nwant %+v", got, err, numbers)
	}
}
