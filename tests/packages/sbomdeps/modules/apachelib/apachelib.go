package apachelib

// Apache says which module answered.
func Apache() string { return "apachelib" }
