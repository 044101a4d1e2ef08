module example.com/sbom/bsdlib

go 1.22
