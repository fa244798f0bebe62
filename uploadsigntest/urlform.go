package uploadsigntest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// readURLEncoded streams an application/x-www-form-urlencoded body, as
// readMultipart streams a multipart one: each name and value is
// unescaped as it is read, the first value named file is decoded as a
// data URI into the file, and the others are kept within maxFieldBytes.
// A name without "=" has an empty value; an empty name is skipped.
func (f *form) readURLEncoded(body io.Reader) error {
	br := bufio.NewReaderSize(body, 32<<10)
	for fields := 0; ; fields++ {
		if fields == maxParts {
			return badRequest("%s: more than %d fields", f.malformed, maxParts)
		}
		nameText := &formText{br: br, name: true}
		name, err := f.bounded(nameText)
		if err != nil {
			return err
		}
		value := &formText{br: br, done: nameText.end != '='}
		switch {
		case name == "" && nameText.end == 0:
			return nil // the end of the body
		case name == "" || (name == "file" && f.file != nil):
			if _, err := io.Copy(io.Discard, value); err != nil {
				return badRequest("%s: %v", f.malformed, err)
			}
		case name == "file":
			err = f.dataURI(value)
		default:
			err = f.field(name, value)
		}
		if err != nil {
			return err
		}
		if nameText.end == 0 || value.end == 0 && nameText.end == '=' {
			return nil // the field ended the body
		}
	}
}

// formText reads one name (up to "=" or "&") or value (up to "&") of a
// url-encoded body, unescaped: "+" is a space, %XX a byte. It consumes
// the byte that ends it.
type formText struct {
	br   *bufio.Reader
	name bool // a name, which "=" ends too
	done bool // the text is read, up to end
	end  byte // what ended it: '=', '&', or 0 at the end of the body
}

var errEscape = errors.New("invalid URL escape")

// Read unescapes the bytes the body's reader has buffered, a buffer at a
// time, rather than a byte at a time.
func (t *formText) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) && !t.done {
		if _, err := t.br.Peek(1); err == io.EOF {
			t.done = true
			break
		} else if err != nil {
			return n, err
		}
		buf, _ := t.br.Peek(t.br.Buffered())
		i := 0
	scan:
		for ; i < len(buf) && n < len(p); i++ {
			switch c := buf[i]; {
			case c == '&' || c == '=' && t.name:
				t.done, t.end = true, c
				i++
				break scan
			case c == '+':
				p[n] = ' '
			case c == '%':
				if i+3 > len(buf) {
					if i > 0 {
						break scan // read the escape after a refill
					}
					if buf, _ = t.br.Peek(3); len(buf) < 3 {
						return n, fmt.Errorf("%w %q at the end of the body", errEscape, buf)
					}
				}
				hi, ok1 := unhex(buf[i+1])
				lo, ok2 := unhex(buf[i+2])
				if !ok1 || !ok2 {
					return n, fmt.Errorf("%w %q", errEscape, buf[i:i+3])
				}
				p[n] = hi<<4 | lo
				i += 2
			default:
				p[n] = c
			}
			n++
		}
		t.br.Discard(i)
	}
	if n == 0 && t.done {
		return 0, io.EOF
	}
	return n, nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
