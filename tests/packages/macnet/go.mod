module example.com/macnet

go 1.22
