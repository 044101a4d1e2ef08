module example.com/sgo/sub

go 1.22
