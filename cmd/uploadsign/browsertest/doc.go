// Package browsertest drives the demo of "uploadsign serve" in headless
// Chromium with chromedp. It is a module of its own so that chromedp and
// its dependencies stay out of the library's go.mod; its tests are all it
// holds.
package browsertest
