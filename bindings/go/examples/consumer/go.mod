module example.com/toonstore-consumer

go 1.19

require github.com/toonstore/toonstore-go v0.0.0

// The binding from this repository instead of a published version.
replace github.com/toonstore/toonstore-go => ../..
