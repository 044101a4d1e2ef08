module example.com/sgo/ftsum

go 1.22
