package main

import (
	"context"
	"errors"
)

// runGraph is not built yet; its owner replaces this file.
func runGraph(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
