package main

import (
	"context"
	"errors"
)

// runJiraSim is not built yet; its owner replaces this file.
func runJiraSim(ctx context.Context, e *env, args []string) error {
	return errors.New("not implemented yet")
}
