module example.com/sbomunknown

go 1.22

require example.com/sbom/unknownlib v1.0.0
