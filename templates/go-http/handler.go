package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Logger writes one JSON object per line.
type Logger struct {
	mu      sync.Mutex
	out     io.Writer
	service string
}

// NewLogger returns a logger writing to out.
func NewLogger(out io.Writer, service string) *Logger {
	return &Logger{out: out, service: service}
}

// Log writes one line with the given level, message and fields.
func (l *Logger) Log(level, msg string, fields map[string]any) {
	line := map[string]any{"time": time.Now().UTC().Format(time.RFC3339Nano), "level": level, "service": l.service, "msg": msg}
	for k, v := range fields {
		line[k] = v
	}
	data, _ := json.Marshal(line)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.out.Write(append(data, '\n'))
}

// Metrics counts requests for the Prometheus text format.
type Metrics struct {
	mu       sync.Mutex
	requests map[string]int
	seconds  float64
	started  time.Time
}

func (m *Metrics) record(method, path string, status int, seconds float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[fmt.Sprintf("method=%q,path=%q,status=\"%d\"", method, path, status)]++
	m.seconds += seconds
}

func (m *Metrics) render() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP http_requests_total Requests handled.\n# TYPE http_requests_total counter\n")
	keys := make([]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, "http_requests_total{%s} %d\n", k, m.requests[k])
	}
	b.WriteString("# HELP http_request_duration_seconds_sum Time spent handling requests.\n")
	b.WriteString("# TYPE http_request_duration_seconds_sum counter\n")
	fmt.Fprintf(&b, "http_request_duration_seconds_sum %f\n", m.seconds)
	b.WriteString("# HELP process_start_time_seconds Start time since the epoch.\n# TYPE process_start_time_seconds gauge\n")
	fmt.Fprintf(&b, "process_start_time_seconds %d\n", m.started.Unix())
	return b.String()
}

type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

// NewHandler returns the routes: /healthz, /readyz, /metrics and the service's API.
func NewHandler(service string, logger *Logger) http.Handler {
	metrics := &Metrics{requests: map[string]int{}, started: time.Now()}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		io.WriteString(w, metrics.render())
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			writeJSON(w, http.StatusNotFound, map[string]string{"error": "not found", "path": r.URL.Path})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"service": service, "message": "{{description}}"})
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-ID")
		if id == "" {
			id = newID()
		}
		w.Header().Set("X-Request-ID", id)
		if tp := r.Header.Get("traceparent"); tp != "" {
			w.Header().Set("traceparent", tp)
		}
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		mux.ServeHTTP(rec, r)
		seconds := time.Since(start).Seconds()
		if r.URL.Path != "/metrics" {
			metrics.record(r.Method, r.URL.Path, rec.status, seconds)
		}
		logger.Log("info", "request", map[string]any{
			"method": r.Method, "path": r.URL.Path, "status": rec.status,
			"duration_ms": seconds * 1000, "request_id": id,
		})
	})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

func newID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
