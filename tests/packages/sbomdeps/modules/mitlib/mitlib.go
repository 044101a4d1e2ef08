package mitlib

// Mit says which module answered.
func Mit() string { return "mitlib" }
