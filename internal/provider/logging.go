package provider

import (
	"context"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ retryablehttp.LeveledLogger = tflogAdapter{}

// tflogAdapter routes the HTTP client's logs into Terraform's log, where
// TF_LOG controls them and the provider's masks hide the token.
type tflogAdapter struct{ ctx context.Context }

func (l tflogAdapter) Error(msg string, kv ...any) { tflog.Error(l.ctx, msg, fields(kv)) }
func (l tflogAdapter) Warn(msg string, kv ...any)  { tflog.Warn(l.ctx, msg, fields(kv)) }
func (l tflogAdapter) Info(msg string, kv ...any)  { tflog.Info(l.ctx, msg, fields(kv)) }
func (l tflogAdapter) Debug(msg string, kv ...any) { tflog.Debug(l.ctx, msg, fields(kv)) }

func fields(kv []any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}
