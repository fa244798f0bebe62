package uploadsigntest

// Files written from the formats' specifications (formats_test.go), for
// the package's external tests.
var (
	ISOFile  = isoFile
	EBMLFile = ebmlFile
	RIFFFile = riffFile
	// VideoFile is an MP4 whose header gives its size and duration.
	VideoFile = videoFile
)

// ReadAnswer reads an answer as Post does, for tests that post by hand.
var ReadAnswer = readAnswer
