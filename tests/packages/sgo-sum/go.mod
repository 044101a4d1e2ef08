module example.com/sgo/sum

go 1.22
