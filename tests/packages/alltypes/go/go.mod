module example.com/alltypes

go 1.22
