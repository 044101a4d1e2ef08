module example.com/sbomdeps

go 1.22

require (
	example.com/sbom/apachelib v1.0.0
	example.com/sbom/bsdlib v1.0.0
	example.com/sbom/mitlib v1.0.0
	example.com/sbom/winlib v1.0.0
)
