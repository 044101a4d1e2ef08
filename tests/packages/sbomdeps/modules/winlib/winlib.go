package winlib

// Win says which module answered.
func Win() string { return "winlib" }
