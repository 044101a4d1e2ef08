package unknownlib

// Unknown says which module answered.
func Unknown() string { return "unknownlib" }
