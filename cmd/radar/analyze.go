package main

import (
	"context"
	"errors"
)

// runAnalyze is not built yet; its owner replaces this file.
func runAnalyze(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
