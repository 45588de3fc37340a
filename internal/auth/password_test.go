package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestPasswordHashRoundTrip(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(FastPasswordParams, 1)
	enc, err := h.Hash(ctx, "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("PHC string = %q", enc)
	}
	if err := h.Verify(ctx, enc, "correct horse battery"); err != nil {
		t.Fatalf("right password: %v", err)
	}
	if err := h.Verify(ctx, enc, "correct horse batterY"); !errors.Is(err, ErrMismatch) {
		t.Fatalf("wrong password: %v", err)
	}
	// Parameters come from the hash, so hashes made with other costs still verify.
	strong := NewHasher(PasswordParams{Time: 2, Memory: 16 * 1024, Threads: 1, KeyLen: 32, SaltLen: 16}, 1)
	enc2, _ := strong.Hash(ctx, "pw-0123456789")
	if err := h.Verify(ctx, enc2, "pw-0123456789"); err != nil {
		t.Fatalf("verify across parameters: %v", err)
	}
	enc3, _ := h.Hash(ctx, "correct horse battery")
	if enc3 == enc {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=1,t=1,p=1$AA$AA", "$argon2id$v=18$m=1,t=1,p=1$AA$AA", "$argon2id$v=19$m=x$AA$AA"} {
		if err := h.Verify(ctx, bad, "x"); err == nil || errors.Is(err, ErrMismatch) {
			t.Errorf("malformed hash %q: got %v, want a format error", bad, err)
		}
	}
}

func TestPrincipalCan(t *testing.T) {
	cases := []struct {
		p    Principal
		perm Permission
		want bool
	}{
		{Principal{Role: RoleAdmin}, AgentsWrite, true},
		{Principal{Role: RoleSupervisor}, AgentsWrite, false},
		{Principal{Role: RoleSupervisor}, TagsWrite, true},
		{Principal{Role: RoleAgent}, TagsWrite, false},
		{Principal{Role: RoleAgent}, ConversationsWrite, true},
		{Principal{Role: RoleAdmin, Scopes: []string{"conversations:read"}}, ConversationsWrite, false},
		{Principal{Role: RoleAdmin, Scopes: []string{"conversations:read"}}, ConversationsRead, true},
		{Principal{Role: RoleAgent, Scopes: []string{"*"}}, AgentsWrite, false},
		{Principal{Role: "intruder"}, ConversationsRead, false},
	}
	for _, c := range cases {
		if got := c.p.Can(c.perm); got != c.want {
			t.Errorf("%s %v Can(%s) = %v, want %v", c.p.Role, c.p.Scopes, c.perm, got, c.want)
		}
	}
	agent := Principal{Role: RoleAgent, AgentID: 7, TeamIDs: []int64{2, 3}}
	for _, c := range []struct {
		team, assignee int64
		want           bool
	}{{0, 0, true}, {2, 0, true}, {5, 0, false}, {5, 7, true}, {5, 8, false}} {
		if got := agent.CanSeeConversation(c.team, c.assignee); got != c.want {
			t.Errorf("CanSeeConversation(team %d, assignee %d) = %v, want %v", c.team, c.assignee, got, c.want)
		}
	}
}

func TestDigestAndSecrets(t *testing.T) {
	// SHA-256 of "abc" (FIPS 180-2 test vector).
	if got := Digest("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Digest(abc) = %s", got)
	}
	a, b := NewSecret(TokenPrefix), NewSecret(TokenPrefix)
	if a == b || !strings.HasPrefix(a, "ksr_") || len(a) != 4+43 {
		t.Fatalf("secrets %q %q", a, b)
	}
}
