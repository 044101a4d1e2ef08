module example.com/handloader

go 1.22
