module example.com/gogreet/native

go 1.22
