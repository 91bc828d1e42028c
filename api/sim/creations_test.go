package sim

import (
	"bytes"
	"net/http"
	"testing"
)

func TestLostAnswerCreatesTheJobAndDropsTheAnswer(t *testing.T) {
	h := newHarness(t, Options{})
	h.sim.InjectFaults(FaultLostAnswer)
	body := []byte(`{"templateJobId":"tpl-1","dynamicVariables":{"name":"Ada"},"callbackPayload":{"reelRow":"row_1"}}`)
	req, _ := http.NewRequest("POST", h.base+"/video-generation-jobs/template-jobs", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+h.sim.Token())
	resp, err := freshClient().Do(req)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("got an answer (%d), want the connection dropped", resp.StatusCode)
	}
	c := h.sim.Creations()
	if len(c) != 1 || h.sim.Requests().Created != 1 {
		t.Fatalf("creations %+v (count %d), want the one job", c, h.sim.Requests().Created)
	}
	if c[0].Source != "template" || c[0].TemplateJobID != "tpl-1" || c[0].DynamicVariables["name"] != "Ada" ||
		c[0].CallbackPayload["reelRow"] != "row_1" {
		t.Fatalf("creation %+v does not carry the request", c[0])
	}
	if code, _, _ := h.do("GET", "/video-generation-jobs/"+c[0].JobID, nil); code != 200 {
		t.Fatalf("the created job: GET %d, want 200", code)
	}
}

func TestEveryCreationCounted(t *testing.T) {
	h := newHarness(t, Options{})
	for range 3 {
		if code, _, b := h.do("POST", "/video-generation-jobs", map[string]any{"videoCreative": map[string]any{}}); code != 200 {
			t.Fatalf("POST: %d %s", code, b)
		}
	}
	h.sim.InjectFaults(FaultInternal) // answered 500 before the handler: nothing created
	h.do("POST", "/video-generation-jobs", map[string]any{"videoCreative": map[string]any{}})
	if n, c := h.sim.Requests().Created, len(h.sim.Creations()); n != 3 || c != 3 {
		t.Fatalf("created %d, listed %d; want 3", n, c)
	}
}
