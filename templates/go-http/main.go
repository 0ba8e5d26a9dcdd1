// Command {{service}}: {{description}}
//
// Standard library only. Reads PORT (and HOST, default 127.0.0.1), logs JSON lines to
// stdout, and stops gracefully on SIGTERM.
package main

import (
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	service := envOr("MSVC_SERVICE", "{{service}}")
	logger := NewLogger(os.Stdout, service)
	addr := net.JoinHostPort(envOr("HOST", "127.0.0.1"), envOr("PORT", "8080"))
	server := &http.Server{Addr: addr, Handler: NewHandler(service, logger), ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		logger.Log("info", "stopping", nil)
		// Shutdown stops accepting and waits for open requests, up to the deadline.
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		if err := server.Shutdown(shutdownCtx); err != nil {
			logger.Log("error", "shutdown", map[string]any{"error": err.Error()})
		}
	}()

	logger.Log("info", "listening", map[string]any{"addr": addr})
	if err := server.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	logger.Log("info", "stopped", nil)
}

func envOr(key, fallback string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return fallback
}
