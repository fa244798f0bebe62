package uploadsigntest

// Files written from the formats' specifications (formats_test.go), for
// the package's external tests.
var (
	ISOFile  = isoFile
	EBMLFile = ebmlFile
	RIFFFile = riffFile
)

// ReadAnswer reads an answer as Post does, for tests that post by hand.
var ReadAnswer = readAnswer
