//go:build !windows

package main

func platformModules() string { return "" }
