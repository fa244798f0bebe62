package main

import (
	"errors"
	"flag"
	"strings"

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

// signer makes a Signer from the flags and the environment.
func (c *credentials) signer(e env, opts ...uploadsign.Option) (*uploadsign.Signer, error) {
	u := c.url
	if u == "" {
		u = e.getenv("CLOUDINARY_URL")
	}
	if u == "" {
		return nil, errors.New("no credentials: set CLOUDINARY_URL=cloudinary://API_KEY:API_SECRET@CLOUD_NAME or pass --cloudinary-url")
	}
	if placeholder(u) {
		warn(e, c.command, "the Cloudinary URL looks like a placeholder (API_KEY, API_SECRET, CLOUD_NAME, <...>); use your account's, from Cloudinary's console")
	}
	if c.algorithm != "" {
		opts = append(opts, uploadsign.WithAlgorithm(uploadsign.Algorithm(c.algorithm)))
	}
	if c.version != 0 {
		opts = append(opts, uploadsign.WithSignatureVersion(c.version))
	}
	return uploadsign.FromURL(u, append(opts, uploadsign.WithClock(e.now))...)
}

// placeholder reports whether a Cloudinary URL holds the words of an
// example instead of credentials.
func placeholder(cloudinaryURL string) bool {
	u := strings.ToUpper(cloudinaryURL)
	for _, word := range []string{"API_KEY", "API_SECRET", "CLOUD_NAME", "APIKEY", "APISECRET", "CLOUDNAME", "YOUR_", "MY_CLOUD", "<", ">", "XXXX"} {
		if strings.Contains(u, word) {
			return true
		}
	}
	return false
}
