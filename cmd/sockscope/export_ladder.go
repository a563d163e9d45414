package main

import (
	"context"
	"errors"
	"io"

	"github.com/sockscope/sockscope/decode"
	"github.com/sockscope/sockscope/decode/pipeline"
	"github.com/sockscope/sockscope/ui/page"
)

// writeLadderPage writes replay --ladder CONV --format html|svg: the
// connection's page or picture (ui/page), with each row's payload
// preview.
func writeLadderPage(ctx context.Context, pl *pipeline.Pipeline, a *analysisOptions, limits decode.Limits, out io.Writer) error {
	l, previews, err := decode.BuildLadderPreviews(ctx, pl, a.conv, limits, page.PreviewBytes)
	if l == nil {
		return err
	}
	p := page.Connection(l, previews, page.Options{ZH: langFromEnv() == "zh"})
	if a.page == "svg" {
		return errors.Join(p.WriteSVG(out), err)
	}
	return errors.Join(p.WritePage(out), err)
}
