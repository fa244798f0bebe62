package uploadsign

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/uploadsign/uploadsign/internal/diagnose"
)

// maxExplainBytes is the longest answer Explain reads: Cloudinary's are a
// few kilobytes at most.
const maxExplainBytes = 1 << 20

// Diagnosis explains an "Invalid Signature" answer from Cloudinary: what
// Cloudinary hashed, what the backend signed, and why they differ.
type Diagnosis struct {
	ServerString string   // the string Cloudinary hashed from what the browser posted, from its message
	SignedString string   // StringToSign of what the backend signed (version 2)
	Causes       []string // each a sentence naming the parameter, key or setting at fault, most likely first
	// Unexplained is true when no known cause fits: the parameters agree
	// and the signature is none this Signer's secrets make, rightly or in
	// a known wrong way (Causes then says so).
	Unexplained bool
}

// Explain says why Cloudinary answered "Invalid Signature" to an upload.
// cloudinaryError is Cloudinary's message, its whole JSON error body, or
// the X-Cld-Error header; anything else is an error wrapping
// [ErrInvalidParam]. signed is what the backend signed and handed out: a
// payload's Fields, or a widget's proposal plus the signature returned for
// it, signature included.
//
// Cloudinary's message quotes the signature the browser posted and the
// string it hashed from the posted fields, so both sides of a mismatch
// are known. Explain names, most likely first: a parameter posted but not
// signed (the Upload Widget's source=uw among them) or signed but not
// posted; a value that differs (a replaced timestamp, tags in another
// order, context escaped differently, "&" written as %26); and, when the
// parameters agree, what is wrong with the signature: made with another
// secret (this Signer's with a line break, spaces or quotes around it, an
// HMAC keyed with it, a previous key's, or none known), or right by this
// Signer's rules yet refused (an account that accepts SHA-256 only, the
// other signature version, another key's secret at Cloudinary). Causes
// never hold a secret and quote at most 80 bytes of a value.
//
// A cloudinaryError over 1 MiB is refused (ErrInvalidParam); the work is
// linear in the size of the input. Explain is safe for concurrent use.
func (s *Signer) Explain(cloudinaryError string, signed url.Values) (*Diagnosis, error) {
	if len(cloudinaryError) > maxExplainBytes {
		return nil, fmt.Errorf("%w: cloudinaryError is %d bytes, over the 1 MiB Explain reads; Cloudinary's answers are far shorter", ErrInvalidParam, len(cloudinaryError))
	}
	answer, err := diagnose.Parse(cloudinaryError)
	if err != nil {
		return nil, fmt.Errorf("%w: cloudinaryError: %w", ErrInvalidParam, err)
	}
	d := &Diagnosis{ServerString: answer.StringToSign, SignedString: StringToSign(signed, 2)}
	_, server := diagnose.Pairs(d.ServerString)
	_, mine := diagnose.Pairs(d.SignedString)
	posted := strings.ToLower(answer.Signature)
	issued := strings.ToLower(strings.Join(signed["signature"], ","))
	otherSignature := issued != "" && issued != posted
	if d.Causes = diagnose.CompareParams(server, mine); len(d.Causes) > 0 {
		if otherSignature {
			d.Causes = append(d.Causes, "signature: the browser also posted another signature than the backend returned for these fields.")
		}
		return d, nil
	}
	d.Causes, d.Unexplained = diagnose.Signature(d.ServerString, posted, signed.Get("api_key"), s.keys)
	if otherSignature {
		d.Causes = append(d.Causes, "signature: the browser posted another signature than the backend returned for these fields: it signs itself, or reuses an old signature.")
	}
	return d, nil
}
