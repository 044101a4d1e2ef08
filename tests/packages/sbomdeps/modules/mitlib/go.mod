module example.com/sbom/mitlib

go 1.22
