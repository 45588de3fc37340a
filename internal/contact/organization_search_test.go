package contact_test

import (
	"context"
	"testing"

	"github.com/kesherdesk/kesher/internal/app"
	"github.com/kesherdesk/kesher/internal/audit"
	"github.com/kesherdesk/kesher/internal/auth"
	"github.com/kesherdesk/kesher/internal/contact"
	"github.com/kesherdesk/kesher/internal/db"
	"github.com/kesherdesk/kesher/internal/patch"
	"github.com/kesherdesk/kesher/internal/search"
	"github.com/kesherdesk/kesher/internal/testkit"
)

// TestOrganizationRenameReindexesContacts: a contact is found by its
// organization's name, and by the new name (not the old one) after the
// organization is renamed.
func TestOrganizationRenameReindexesContacts(t *testing.T) {
	testkit.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		core := app.NewCoreFromDB(d, app.CoreOptions{Password: auth.FastPasswordParams, Store: db.Options{DataDir: t.TempDir()}}, testkit.Logger())
		actor := audit.Actor{Type: "agent", ID: 1, Name: "Noa"}
		org, err := core.Contacts.CreateOrganization(ctx, actor, contact.OrganizationInput{Name: "Zanzibar Logistics"})
		if err != nil {
			t.Fatal(err)
		}
		member, err := core.Contacts.Create(ctx, actor, contact.Input{Name: "Dana Levi", Emails: []string{"dana@zl.example"}, OrganizationID: &org.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := core.Contacts.Create(ctx, actor, contact.Input{Name: "Other Person", Emails: []string{"o@example.com"}}); err != nil {
			t.Fatal(err)
		}
		find := func(q string) []int64 {
			t.Helper()
			res, err := core.Search.Search(ctx, search.Query{Text: q, Types: []string{search.KindContact},
				Principal: &auth.Principal{AgentID: 1, Role: auth.RoleAdmin}})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, h := range res.Hits {
				ids = append(ids, h.ID)
			}
			return ids
		}
		if got := find("zanzibar"); len(got) != 1 || got[0] != member.ID {
			t.Fatalf("zanzibar before the rename: %v, want [%d]", got, member.ID)
		}
		if _, err := core.Contacts.UpdateOrganization(ctx, actor, org.ID, contact.OrganizationPatch{Name: patch.Field[string]{Set: true, V: "קבוצת גלובקס"}}); err != nil {
			t.Fatal(err)
		}
		if got := find("גלובקס"); len(got) != 1 || got[0] != member.ID {
			t.Fatalf("new name: %v, want [%d]", got, member.ID)
		}
		if got := find("zanzibar"); len(got) != 0 {
			t.Fatalf("old name still finds %v", got)
		}
	})
}
