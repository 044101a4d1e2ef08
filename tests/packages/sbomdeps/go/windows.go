//go:build windows

package main

import "example.com/sbom/winlib"

// Only Windows builds compile winlib: the other targets' libraries must not list it.
func platformModules() string { return "," + winlib.Win() }
