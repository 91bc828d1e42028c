module github.com/reel-dev/reel/screenshots/render

go 1.26.8

require (
	golang.org/x/image v0.48.0
	golang.org/x/text v0.44.0
)

require golang.org/x/sys v0.50.0 // indirect
