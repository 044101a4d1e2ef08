module example.com/sbom/winlib

go 1.22
