package main

import (
	"context"
	"errors"
)

// runDemo is not built yet; its owner replaces this file.
func runDemo(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
