package reference

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"

	"github.com/callingportal/terraform-provider-callingportal/internal/provider"
)

// TestSameSchemas: the reference built from our provider's schemas serves
// them back unchanged, as the protocol carries them.
func TestSameSchemas(t *testing.T) {
	ours, err := Describe(t.Context(), "callingportal", providerserver.NewProtocol6(provider.New("test")())())
	if err != nil {
		t.Fatal(err)
	}
	if len(ours.Resources) == 0 || len(ours.DataSources) == 0 {
		t.Fatalf("no schemas: %+v", ours)
	}
	ref, err := Describe(t.Context(), "callingportal", providerserver.NewProtocol6(New(ours)())())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ours, ref) {
		o, _ := json.MarshalIndent(ours, "", " ")
		r, _ := json.MarshalIndent(ref, "", " ")
		t.Errorf("the reference serves other schemas:\nours:\n%s\nreference:\n%s", o, r)
	}
}
