package vault

import (
	"context"
	"crypto/ed25519"
	"strings"
	"testing"
)

// After a rotation the audit log verifies with the retired key up to the
// rotation event and with the new key after it; an event the retired key
// signed after its rotation (whoever kept the key, writing to a store they
// can still open) is a problem.
func TestAuditAfterRotation(t *testing.T) {
	ctx := context.Background()
	v := mustCreateInternal(t)
	old := member{Name: v.member.Name, Identity: v.member.Identity,
		SigningKey: ed25519.NewKeyFromSeed(v.member.SigningKey.Seed())} // RotateMemberKey wipes its own copy
	if _, err := v.RotateMemberKey(ctx); err != nil {
		t.Fatal(err)
	}
	if err := v.record(Event{Kind: EventUnlock, Subject: "after"}); err != nil {
		t.Fatal(err)
	}
	if _, problems, err := v.VerifyAudit(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("audit verify after a rotation: %v, %v", problems, err)
	}
	cur := v.member
	v.member = old
	err := v.record(Event{Kind: EventUnlock, Subject: "forged with the retired key"})
	v.member = cur
	if err != nil {
		t.Fatal(err)
	}
	_, problems, err := v.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Problem, "retired before it") {
		t.Fatalf("an event signed with the retired key after the rotation: problems %v, want one", problems)
	}
}
