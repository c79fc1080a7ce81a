package provider

import (
	"context"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

var _ retryablehttp.LeveledLogger = tflogAdapter{}

// tflogAdapter routes the HTTP client's logs into Terraform's log, where
// TF_LOG controls them, under the context of the operation that made the
// request.
type tflogAdapter struct{ ctx context.Context }

// newTflogAdapter logs with ctx, masking the token.
func newTflogAdapter(ctx context.Context, token string) tflogAdapter {
	return tflogAdapter{ctx: maskSecrets(ctx, token)}
}

// maskSecrets hides the token from every log line written with ctx, in
// messages and in fields.
func maskSecrets(ctx context.Context, token string) context.Context {
	ctx = tflog.MaskMessageStrings(ctx, token)
	return tflog.MaskFieldValuesWithFieldKeys(ctx, "token", "Authorization")
}

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
