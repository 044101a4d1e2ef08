module example.com/goft

go 1.22
