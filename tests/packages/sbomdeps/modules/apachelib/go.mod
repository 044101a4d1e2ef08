module example.com/sbom/apachelib

go 1.22
