module example.com/gohash

go 1.22
