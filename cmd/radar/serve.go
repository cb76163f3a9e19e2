package main

import (
	"context"
	"errors"
)

// runServe is not built yet; its owner replaces this file.
func runServe(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
