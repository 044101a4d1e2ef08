package newdep

func Answer() int64 { return 42 }
