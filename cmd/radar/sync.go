package main

import (
	"context"
	"errors"
)

// runSync is not built yet; its owner replaces this file.
func runSync(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
