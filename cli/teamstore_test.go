package cli

import (
	"bytes"
	"strings"
	"testing"

	"github.com/reel-dev/reel/config"
)

// With a PostgreSQL store, receivers on several hosts must share one
// secret: reel asks for it rather than making one no other host knows,
// and never writes a file next to a URL.
func TestTeamStoreWantsASharedCallbackSecret(t *testing.T) {
	var errOut bytes.Buffer
	sio := IO{Err: &errOut}
	_, err := callbackSecret(sio, &config.Settings{StorePath: "postgres://u:Pw-123456@db.example/reel"})
	if err == nil || !strings.Contains(err.Error(), "--callback-secret") || !strings.Contains(err.Error(), "every host") {
		t.Fatalf("err = %v; want a request for --callback-secret shared by every host", err)
	}
	if strings.Contains(err.Error(), "Pw-123456") || errOut.Len() != 0 {
		t.Fatalf("err %q, output %q", err, errOut.String())
	}
	got, err := callbackSecret(sio, &config.Settings{StorePath: "postgres://db.example/reel", CallbackSecret: "given-secret-0123456789"})
	if err != nil || got != "given-secret-0123456789" {
		t.Fatalf("with a secret given: %q, %v", got, err)
	}
	if h := hiddenSecret("http://h:1/callback/x", &config.Settings{StorePath: "postgres://u:Pw-123456@db.example/reel", CallbackSecret: "s"}); strings.Contains(h, "Pw-123456") || strings.Contains(h, "postgres") {
		t.Fatalf("hiddenSecret = %q", h)
	}
}
