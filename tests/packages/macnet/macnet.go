// Package main is a c-shared library that links every macOS system library
// the Go standard library asks the external linker for: libresolv (net),
// CoreFoundation and Security (crypto/x509, crypto/tls, net/http), plus
// libSystem (os/user and everything else).
package main

import "C"

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/http"
	"os/user"
)

// Ping touches each of them and returns a bit mask of what worked.
//
//export Ping
func Ping() C.int {
	n := 0
	if pool, err := x509.SystemCertPool(); err == nil && pool != nil {
		n |= 1
	}
	if u, err := user.Current(); err == nil && u != nil {
		n |= 2
	}
	if addrs, err := net.LookupHost("localhost"); err == nil && len(addrs) > 0 {
		n |= 4
	}
	// On darwin the cgo resolver answers CNAME queries with res_nsearch,
	// which keeps libresolv's symbols referenced.
	if cname, err := net.LookupCNAME("localhost"); err == nil && cname != "" {
		n |= 8
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: &tls.Config{MinVersion: tls.VersionTLS12},
	}}
	if client.Transport != nil {
		n |= 16
	}
	return C.int(n)
}

// Answer is safe to call anywhere (Ping would ask a DNS server): tests call it under qemu
// and wine to prove the library loads and its Go runtime starts.
//
//export Answer
func Answer() C.longlong { return 42 }

func main() {}
