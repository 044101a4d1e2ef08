module example.com/nonstable

go 1.22
