module example.com/sbom/unknownlib

go 1.22
