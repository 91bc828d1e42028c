package api

import (
	"context"
	"encoding/json"
	"net/http"
)

// CreateRaw posts a create request with body as given, so fields reel does
// not know reach the API untouched: to the template-jobs endpoint when
// template is true, else to the manual one.
func (c *Client) CreateRaw(ctx context.Context, template bool, body json.RawMessage) (*Created, error) {
	path, kind := "/video-generation-jobs", "job"
	if template {
		path, kind = "/video-generation-jobs/template-jobs", "template job"
	}
	id := ""
	if template {
		var b struct {
			TemplateJobID string `json:"templateJobId"`
		}
		_ = json.Unmarshal(body, &b)
		id = b.TemplateJobID // a 404 then names the template
	}
	var out Created
	if err := c.do(ctx, http.MethodPost, path, body, &out, kind, id); err != nil {
		return nil, err
	}
	return &out, nil
}
