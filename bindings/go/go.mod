module github.com/toonstore/toonstore-go

go 1.19
