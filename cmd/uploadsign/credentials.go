package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/uploadsign/uploadsign"
)

// credentials adds the flags that choose the account.
type credentials struct {
	command   string // the command's name, for warnings
	url       string
	algorithm string
	version   int
}

func (c *credentials) register(fs *flag.FlagSet) {
	c.command = fs.Name()
	fs.StringVar(&c.url, "cloudinary-url", "", "cloudinary://API_KEY:API_SECRET@CLOUD_NAME (default $CLOUDINARY_URL)")
	fs.StringVar(&c.algorithm, "algorithm", "", "signature algorithm: sha1 or sha256 (default sha1, or the URL's signature_algorithm)")
	fs.IntVar(&c.version, "signature-version", 0, "signature version: 1 or 2 (default 2, or the URL's signature_version)")
}

// errNoCredentials: neither --cloudinary-url nor CLOUDINARY_URL gives a
// Cloudinary URL.
var errNoCredentials = errors.New("no credentials: set CLOUDINARY_URL=cloudinary://API_KEY:API_SECRET@CLOUD_NAME or pass --cloudinary-url")

// source returns the Cloudinary URL, from --cloudinary-url or else
// CLOUDINARY_URL, and which of the two gave it.
func (c *credentials) source(e env) (u, source string) {
	if c.url != "" {
		return c.url, "--cloudinary-url"
	}
	return e.getenv("CLOUDINARY_URL"), "CLOUDINARY_URL"
}

// signer makes a Signer from the flags and the environment. Its errors
// are in the command's words: they name the URL's source, and a setting
// by the flag or the URL's query parameter that gave it.
func (c *credentials) signer(e env, opts ...uploadsign.Option) (*uploadsign.Signer, error) {
	u, source := c.source(e)
	if u == "" {
		return nil, errNoCredentials
	}
	if err := checkPasted(u); err != nil {
		return nil, fmt.Errorf("%w: the Cloudinary URL of %s %v (want cloudinary://API_KEY:API_SECRET@CLOUD_NAME alone)", uploadsign.ErrInvalidConfig, source, err)
	}
	if why := placeholder(u); why != "" {
		warn(e, c.command, "%s; use your account's, from Cloudinary's console", why)
	}
	if c.algorithm != "" {
		opts = append(opts, uploadsign.WithAlgorithm(uploadsign.Algorithm(c.algorithm)))
	}
	if c.version != 0 {
		opts = append(opts, uploadsign.WithSignatureVersion(c.version))
	}
	s, err := uploadsign.FromURL(u, append(opts, uploadsign.WithClock(e.now))...)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// checkPasted names what a copy and paste commonly leaves around a
// Cloudinary URL: the variable's name (CLOUDINARY_URL=, from an .env file
// or a shell export), quotes, and white space. It never quotes the URL,
// which holds the secret.
func checkPasted(u string) error {
	var found []string
	rest := strings.TrimSpace(u)
	for _, prefix := range []string{"export CLOUDINARY_URL=", "CLOUDINARY_URL="} {
		if len(rest) >= len(prefix) && strings.EqualFold(rest[:len(prefix)], prefix) {
			found = append(found, fmt.Sprintf("starts with %q (give only what follows the =)", rest[:len(prefix)]))
			rest = rest[len(prefix):]
			break
		}
	}
	const quotes = "\"'`“”‘’"
	first, _ := utf8.DecodeRuneInString(rest)
	last, _ := utf8.DecodeLastRuneInString(rest)
	starts := rest != "" && strings.ContainsRune(quotes, first)
	ends := rest != "" && strings.ContainsRune(quotes, last)
	switch {
	case starts && ends:
		found = append(found, "is wrapped in quotes (remove them: a shell removes them, a file or a script may pass them on)")
	case starts:
		found = append(found, "starts with a quote (remove it)")
	case ends:
		found = append(found, "ends with a quote (remove it)")
	}
	if strings.TrimSpace(u) != u {
		found = append(found, "has white space around it")
	}
	switch len(found) {
	case 0:
		return nil
	case 1:
		return errors.New(found[0])
	}
	return errors.New(strings.Join(found[:len(found)-1], ", ") + " and " + found[len(found)-1])
}

// placeholder says why a Cloudinary URL is not credentials but the words
// of an example or a masked copy, or returns "".
func placeholder(cloudinaryURL string) string {
	u := strings.ToUpper(cloudinaryURL)
	for _, word := range []string{"API_KEY", "API_SECRET", "CLOUD_NAME", "APIKEY", "APISECRET", "CLOUDNAME", "YOUR_", "MY_CLOUD", "<", ">", "XXXX"} {
		if strings.Contains(u, word) {
			return "the Cloudinary URL looks like a placeholder (API_KEY, API_SECRET, CLOUD_NAME, <...>)"
		}
	}
	rest, _, _ := strings.Cut(strings.TrimPrefix(cloudinaryURL, "cloudinary://"), "?")
	cred := rest[:max(strings.LastIndexByte(rest, '@'), 0)] // as FromURL reads it
	key, secret, _ := strings.Cut(cred, ":")
	for _, c := range []struct{ name, value string }{{"API key", key}, {"API secret", secret}} {
		if v, err := url.PathUnescape(c.value); err == nil && v != "" && strings.Trim(v, "*") == "" {
			return fmt.Sprintf("the Cloudinary URL's %s is masked (all *), as Cloudinary's console shows it until you reveal it", c.name)
		}
	}
	return ""
}

// stringVersion returns the signature version of a string to sign, which
// needs no credentials: --signature-version, else the signature_version
// of the Cloudinary URL, if one is given, else 2. It checks --algorithm
// too, which changes the hash and not the string, so that the flags the
// other commands take may come before any command.
func (c *credentials) stringVersion(e env) (int, error) {
	if c.algorithm != "" && c.algorithm != string(uploadsign.SHA1) && c.algorithm != string(uploadsign.SHA256) {
		return 0, fmt.Errorf("--algorithm: %q is not sha1 or sha256", c.algorithm)
	}
	if c.version != 0 {
		if c.version != 1 && c.version != 2 {
			return 0, errors.New("--signature-version must be 1 or 2")
		}
		return c.version, nil
	}
	u, source := c.source(e)
	_, query, _ := strings.Cut(u, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return 0, fmt.Errorf("the query of the Cloudinary URL of %s is malformed", source)
	}
	switch v := q.Get("signature_version"); v {
	case "", "2":
		return 2, nil
	case "1":
		return 1, nil
	}
	return 0, fmt.Errorf("the Cloudinary URL of %s: its query parameter signature_version is not 1 or 2", source)
}
