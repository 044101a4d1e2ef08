package bsdlib

// Bsd says which module answered.
func Bsd() string { return "bsdlib" }
