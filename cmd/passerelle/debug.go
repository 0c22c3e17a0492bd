package main

import (
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// runDebug serves Go's profiler on PASSERELLE_DEBUG_ADDR, a listener of its
// own so the profiles are never reachable through the public address. It
// is off unless the operator sets it; it has no authentication, so it
// belongs on loopback. The returned func closes it.
func (m *Main) runDebug() (func(), error) {
	if m.Config.DebugAddr == "" {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", m.Config.DebugAddr)
	if err != nil {
		return nil, fmt.Errorf("PASSERELLE_DEBUG_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.DebugAddr.Store(ln.Addr().String())
	go srv.Serve(ln)
	m.Log.Info("profiler listening", "addr", ln.Addr().String())
	return func() { srv.Close() }, nil
}
