module example.com/newdep

go 1.99
