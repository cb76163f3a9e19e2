package main

import (
	"context"
	"errors"
)

// runAlert is not built yet; its owner replaces this file.
func runAlert(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
