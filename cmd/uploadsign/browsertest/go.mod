module github.com/uploadsign/uploadsign/cmd/uploadsign/browsertest

go 1.25

require (
	github.com/chromedp/chromedp v0.23.0
	github.com/google/go-cmp v0.7.0
	github.com/uploadsign/uploadsign v0.0.0
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
)

replace github.com/uploadsign/uploadsign => ../../..
