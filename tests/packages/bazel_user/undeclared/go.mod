module example.com/undeclared

go 1.22
