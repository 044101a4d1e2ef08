module example.com/cdeps

go 1.22
