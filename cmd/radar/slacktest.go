package main

import (
	"context"
	"errors"
)

// runSlackTest is not built yet; its owner replaces this file.
func runSlackTest(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
