package adopt

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// The resource types Export writes, in the order of the files it writes.
const (
	TypePhone      = "callingportal_phone"
	TypeService    = "callingportal_service"
	TypeUser       = "callingportal_user"
	TypeAssignment = "callingportal_number_assignment"
)

// Types lists every type Export can write.
var Types = []string{TypePhone, TypeService, TypeUser, TypeAssignment}

// ExportOptions chooses what Export writes.
type ExportOptions struct {
	// Endpoint goes into the provider block (the token never does).
	Endpoint string
	// Types limits the resources written (nil: all). A number assignment
	// whose phone or service is not written names it with a data source.
	Types []string
	// Prefix keeps only the numbers that start with it, the users who hold
	// them, and the phones and services they ring.
	Prefix string
	// Split writes one file per type instead of main.tf.
	Split bool
	// RequiredVersion and ProviderVersion are the constraints versions.tf
	// declares.
	RequiredVersion, ProviderVersion string
}

// header starts every file Export writes; Export overwrites only files that
// start with it, so it never clobbers a file someone wrote by hand.
const header = "# Written by terraform-provider-callingportal export: running it again overwrites this file.\n"

// fileNames are every file Export may write, so that a second run with other
// options removes what the first one wrote and no resource is declared twice.
var fileNames = []string{"versions.tf", "main.tf", "phones.tf", "services.tf", "users.tf", "number_assignments.tf"}

// Export writes a configuration for s into dir: versions.tf with the
// terraform and provider blocks, then a resource and an import block for
// every object chosen by opts, sorted by address, `terraform fmt` clean and
// the same on every run for the same site. It returns the addresses written
// and the numbers it left out because their holder was not listed.
func Export(dir string, s Site, opts ExportOptions) (written int, skipped []string, err error) {
	for _, t := range opts.Types {
		if !slices.Contains(Types, t) {
			return 0, nil, fmt.Errorf("unknown type %q: choose from %s", t, strings.Join(Types, ", "))
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, nil, err
	}
	if err := removeOwnFiles(dir); err != nil {
		return 0, nil, err
	}

	w := newWriter(s, opts)
	files := map[string]*hclwrite.File{"versions.tf": w.versions()}
	for _, t := range Types {
		if !w.wants(t) {
			continue
		}
		name := "main.tf"
		if opts.Split {
			name = strings.TrimPrefix(t, "callingportal_") + "s.tf"
		}
		if files[name] == nil {
			files[name] = newFile()
		}
		written += w.write(files[name].Body(), t)
	}
	for _, name := range fileNames {
		if f := files[name]; f != nil {
			if err := os.WriteFile(filepath.Join(dir, name), hclwrite.Format(f.Bytes()), 0o644); err != nil {
				return written, w.skipped, err
			}
		}
	}
	return written, w.skipped, nil
}

// removeOwnFiles deletes what an earlier Export wrote in dir. It refuses,
// deleting nothing, when dir holds a file of the same name that Export did
// not write.
func removeOwnFiles(dir string) error {
	var own []string
	for _, name := range fileNames {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if !bytes.HasPrefix(data, []byte(header)) {
			return fmt.Errorf("%s exists and was not written by export: move it away or choose another --out", path)
		}
		own = append(own, path)
	}
	for _, path := range own {
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return nil
}

// writer turns a site into blocks, with one stable label per object.
type writer struct {
	site    Site
	opts    ExportOptions
	holders holders
	// Chosen objects, in address order, and their labels.
	phones      []contract.Phone
	services    []contract.Service
	users       []contract.User
	assignments []contract.Number
	labels      map[string]string // by object ID, or by number for assignments
	skipped     []string
}

func newWriter(s Site, opts ExportOptions) *writer {
	w := &writer{site: s, opts: opts, holders: s.holders(), labels: map[string]string{}}
	rung := map[string]bool{} // IDs of the phones and services the chosen numbers ring
	for _, n := range s.Numbers {
		if !strings.HasPrefix(n.Number, opts.Prefix) || n.AssignedType != contract.TargetPhone && n.AssignedType != contract.TargetService {
			continue
		}
		if !w.holders.known(n) {
			w.skipped = append(w.skipped, n.Number)
			continue
		}
		rung[n.AssignedID] = true
		w.assignments = append(w.assignments, n)
	}
	chosen := func(id string) bool { return opts.Prefix == "" || rung[id] }
	for _, p := range s.Phones {
		if chosen(p.ID) {
			w.phones = append(w.phones, p)
		}
	}
	for _, v := range s.Services {
		if chosen(v.ID) {
			w.services = append(w.services, v)
		}
	}
	for _, u := range s.Users {
		if strings.HasPrefix(u.PhoneNumber, opts.Prefix) {
			w.users = append(w.users, u)
		}
	}

	w.label(len(w.phones), func(i int) (string, []string) { p := w.phones[i]; return p.ID, []string{p.Name, p.Name + " " + p.ID} })
	w.label(len(w.services), func(i int) (string, []string) {
		v := w.services[i]
		return v.ID, []string{v.Name, v.Name + " " + v.ID}
	})
	w.label(len(w.users), func(i int) (string, []string) {
		u := w.users[i]
		local, _, _ := strings.Cut(u.Email, "@")
		return u.ID, []string{local, u.Email, u.Email + " " + u.ID}
	})
	w.label(len(w.assignments), func(i int) (string, []string) {
		n := w.assignments[i].Number
		return n, []string{"number " + n}
	})
	byLabel := func(a, b string) int { return strings.Compare(w.labels[a], w.labels[b]) }
	slices.SortFunc(w.phones, func(a, b contract.Phone) int { return byLabel(a.ID, b.ID) })
	slices.SortFunc(w.services, func(a, b contract.Service) int { return byLabel(a.ID, b.ID) })
	slices.SortFunc(w.users, func(a, b contract.User) int { return byLabel(a.ID, b.ID) })
	slices.SortFunc(w.assignments, func(a, b contract.Number) int { return strings.Compare(a.Number, b.Number) })
	return w
}

// label gives each of n objects of one type the first of its candidate
// names that no other object of the type also gets. The last candidate
// carries the object's ID, so it is unique; the result does not depend on
// the order of the objects.
func (w *writer) label(n int, candidates func(i int) (key string, names []string)) {
	keys := make([]string, n)
	names := make([][]string, n)
	for i := range n {
		var raw []string
		keys[i], raw = candidates(i)
		for _, r := range raw {
			names[i] = append(names[i], identifier(r))
		}
	}
	level := make([]int, n)
	for moved := true; moved; {
		moved = false
		taken := map[string]int{}
		for i := range n {
			taken[names[i][level[i]]]++
		}
		for i := range n {
			if taken[names[i][level[i]]] > 1 && level[i] < len(names[i])-1 {
				level[i]++
				moved = true
			}
		}
	}
	for i := range n {
		w.labels[keys[i]] = names[i][level[i]]
	}
}

// identifier turns s into a Terraform name: lower case letters, digits and
// underscores, starting with a letter.
func identifier(s string) string {
	var b strings.Builder
	gap := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if gap && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
	}
	id := b.String()
	switch {
	case id == "":
		return "x"
	case id[0] >= '0' && id[0] <= '9':
		return "x_" + id
	}
	return id
}

func (w *writer) wants(t string) bool {
	return len(w.opts.Types) == 0 || slices.Contains(w.opts.Types, t)
}

func newFile() *hclwrite.File {
	f := hclwrite.NewEmptyFile()
	f.Body().AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte(header)}})
	f.Body().AppendNewline()
	return f
}

// versions is versions.tf: the terraform block, and the provider block with
// the endpoint in a variable, so that CI can plan the same configuration
// against a replica (TF_VAR_callingportal_endpoint).
func (w *writer) versions() *hclwrite.File {
	f := newFile()
	tf := f.Body().AppendNewBlock("terraform", nil).Body()
	tf.SetAttributeValue("required_version", cty.StringVal(w.opts.RequiredVersion))
	tf.AppendNewline()
	tf.AppendNewBlock("required_providers", nil).Body().SetAttributeValue("callingportal", cty.ObjectVal(map[string]cty.Value{
		"source":  cty.StringVal("callingportal/callingportal"),
		"version": cty.StringVal(w.opts.ProviderVersion),
	}))
	f.Body().AppendNewline()
	v := f.Body().AppendNewBlock("variable", []string{"callingportal_endpoint"}).Body()
	v.SetAttributeValue("description", cty.StringVal("The portal to plan against: the one exported, or a replica started from its snapshot."))
	v.SetAttributeTraversal("type", hcl.Traversal{hcl.TraverseRoot{Name: "string"}})
	v.SetAttributeValue("default", cty.StringVal(w.opts.Endpoint))
	f.Body().AppendNewline()
	comment(f.Body(), "The API token comes from CALLINGPORTAL_TOKEN: keep it out of files.")
	p := f.Body().AppendNewBlock("provider", []string{"callingportal"}).Body()
	p.SetAttributeTraversal("endpoint", hcl.Traversal{hcl.TraverseRoot{Name: "var"}, hcl.TraverseAttr{Name: "callingportal_endpoint"}})
	p.SetAttributeValue("site", cty.StringVal(w.site.Site.ID))
	return f
}

// write appends the blocks of type t to b and returns how many resources it
// wrote.
func (w *writer) write(b *hclwrite.Body, t string) int {
	switch t {
	case TypePhone:
		for _, p := range w.phones {
			r := w.resource(b, t, p.ID, p.ID)
			r.SetAttributeValue("name", cty.StringVal(p.Name))
			setIfAny(r, "model", p.Model)
			setIfAny(r, "mac_address", p.MACAddress)
			setIfAny(r, "extension", p.Extension)
		}
		return len(w.phones)
	case TypeService:
		for _, v := range w.services {
			r := w.resource(b, t, v.ID, v.ID)
			r.SetAttributeValue("name", cty.StringVal(v.Name))
			r.SetAttributeValue("type", cty.StringVal(v.Type))
			setIfAny(r, "extension", v.Extension)
			setIfAny(r, "description", v.Description)
		}
		return len(w.services)
	case TypeUser:
		for _, u := range w.users {
			r := w.resource(b, t, u.ID, u.ID)
			r.SetAttributeValue("email", cty.StringVal(u.Email))
			r.SetAttributeValue("first_name", cty.StringVal(u.FirstName))
			r.SetAttributeValue("last_name", cty.StringVal(u.LastName))
			setIfAny(r, "extension", u.Extension)
			r.SetAttributeValue("phone_number", cty.StringVal(u.PhoneNumber))
		}
		return len(w.users)
	default:
		w.lookups(b)
		for _, n := range w.assignments {
			r := w.resource(b, t, n.Number, n.Number)
			r.SetAttributeValue("number", cty.StringVal(n.Number))
			attr, ref := w.target(n)
			r.SetAttributeTraversal(attr, ref)
		}
		return len(w.assignments)
	}
}

// resource appends an import block and the resource it imports.
func (w *writer) resource(b *hclwrite.Body, t, key, importID string) *hclwrite.Body {
	label := w.labels[key]
	imp := b.AppendNewBlock("import", nil).Body()
	imp.SetAttributeTraversal("to", hcl.Traversal{hcl.TraverseRoot{Name: t}, hcl.TraverseAttr{Name: label}})
	imp.SetAttributeValue("id", cty.StringVal(importID))
	b.AppendNewline()
	r := b.AppendNewBlock("resource", []string{t, label}).Body()
	b.AppendNewline()
	return r
}

// lookups appends a data source for every phone or service that a chosen
// number rings but whose resource is not written, in label order.
func (w *writer) lookups(b *hclwrite.Body) {
	looked := map[string]bool{}
	for _, t := range []string{TypePhone, TypeService} {
		if w.wants(t) {
			continue
		}
		var ids []string
		for _, n := range w.assignments {
			if typeOf(n) == t && !looked[n.AssignedID] {
				looked[n.AssignedID] = true
				ids = append(ids, n.AssignedID)
			}
		}
		slices.SortFunc(ids, func(a, b string) int { return strings.Compare(w.labels[a], w.labels[b]) })
		for _, id := range ids {
			name := w.holders.services[id].Name
			if t == TypePhone {
				name = w.holders.phones[id].Name
			}
			b.AppendNewBlock("data", []string{t, w.labels[id]}).Body().SetAttributeValue("name", cty.StringVal(name))
			b.AppendNewline()
		}
	}
}

// typeOf is the resource type of the phone or service n rings.
func typeOf(n contract.Number) string {
	if n.AssignedType == contract.TargetPhone {
		return TypePhone
	}
	return TypeService
}

// target is the attribute and reference that point n's assignment at its
// phone or service: the resource's id, or the data source's.
func (w *writer) target(n contract.Number) (string, hcl.Traversal) {
	t := typeOf(n)
	attr := "service_id"
	if t == TypePhone {
		attr = "phone_id"
	}
	ref := hcl.Traversal{hcl.TraverseRoot{Name: t}}
	if !w.wants(t) {
		ref = hcl.Traversal{hcl.TraverseRoot{Name: "data"}, hcl.TraverseAttr{Name: t}}
	}
	return attr, append(ref, hcl.TraverseAttr{Name: w.labels[n.AssignedID]}, hcl.TraverseAttr{Name: "id"})
}

func setIfAny(b *hclwrite.Body, name, value string) {
	if value != "" {
		b.SetAttributeValue(name, cty.StringVal(value))
	}
}

func comment(b *hclwrite.Body, text string) {
	b.AppendUnstructuredTokens(hclwrite.Tokens{{Type: hclsyntax.TokenComment, Bytes: []byte("# " + text + "\n")}})
}
