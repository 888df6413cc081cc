module github.com/toonstore/toonstore-go/bench

go 1.23

require (
	github.com/toonstore/toonstore-go v0.0.0
	go.etcd.io/bbolt v1.4.3
)

require golang.org/x/sys v0.29.0 // indirect

replace github.com/toonstore/toonstore-go => ../
