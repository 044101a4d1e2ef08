module example.com/noexport

go 1.22
