package doctest

// Prelude declares the application's own names that the documents' blocks
// take as given: its user and session lookup, its database, its router,
// and the values the README's first block makes (signer, authorize, save),
// which other blocks use. It is a file of package doc, beside each block
// that is not a whole file.
const Prelude = `package doc

import (
	"context"
	"errors"
	"net/http"

	"github.com/uploadsign/uploadsign"
)

// User is the application's user, as its session knows it.
type User struct {
	ID            string
	Admin, Banned bool
}

// currentUser is the application's session lookup.
func currentUser(r *http.Request) (*User, error) { return nil, errors.New("not logged in") }

// errSessionStoreDown is currentUser's error while the session store is down.
var errSessionStoreDown = errors.New("session store down")

// Store is the application's database.
type Store struct{}

// Save keeps the URL of a verified upload, for its set and owner.
func (*Store) Save(ctx context.Context, set, owner, url string) error { return nil }

var (
	db        = &Store{}
	mux       = http.NewServeMux()
	signer    *uploadsign.Signer
	authorize func(*http.Request) (uploadsign.Request, error)
	save      func(*http.Request, *uploadsign.Upload) error
	result    uploadsign.UploadResult // Cloudinary's answer to an upload, as the browser reports it
)
`
