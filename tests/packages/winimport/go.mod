module example.com/winimport

go 1.22
