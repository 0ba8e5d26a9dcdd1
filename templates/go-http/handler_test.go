package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func newTestHandler() http.Handler {
	return NewHandler("{{service}}", NewLogger(io.Discard, "{{service}}"))
}

func TestHealthz_ReturnsOK(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"ok"`) {
		t.Fatalf("got %d %q", rec.Code, rec.Body.String())
	}
}

func TestRequestID_IsEchoed_AndTraceparentPassedThrough(t *testing.T) {
	trace := "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	req := httptest.NewRequest("GET", "/readyz", nil)
	req.Header.Set("X-Request-ID", "abc-123")
	req.Header.Set("traceparent", trace)
	rec := httptest.NewRecorder()
	newTestHandler().ServeHTTP(rec, req)
	if got := rec.Header().Get("X-Request-ID"); got != "abc-123" {
		t.Fatalf("X-Request-ID = %q", got)
	}
	if got := rec.Header().Get("traceparent"); got != trace {
		t.Fatalf("traceparent = %q", got)
	}
}

func TestMetrics_CountsRequests(t *testing.T) {
	h := newTestHandler()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	if !strings.Contains(body, "# TYPE http_requests_total counter") || !strings.Contains(body, `path="/healthz"`) {
		t.Fatalf("metrics: %s", body)
	}
}

func TestUnknownPath_Is404(t *testing.T) {
	rec := httptest.NewRecorder()
	newTestHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/nope", nil))
	if rec.Code != http.StatusNotFound {
		t.Fatalf("got %d", rec.Code)
	}
}
