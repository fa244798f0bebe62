package uploadsignhttp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// parseRequest reads the handler's request body: one JSON object with
// the fields of Request, and nothing after it but white space. It accepts
// and refuses what encoding/json's Decoder with DisallowUnknownFields does
// (keys matched case-insensitively, null leaving a field alone, the last
// of repeated keys winning, invalid UTF-8 in strings as U+FFFD), without
// reflection or the Decoder's buffers: a payload request is a few dozen
// bytes, and the general decoder cost more than the signature. The
// messages say what is wrong without quoting more than a field name.
func parseRequest(data []byte) (Request, error) {
	var req Request
	p := parser{data: data}
	p.space()
	if p.null() { // encoding/json leaves the Request alone
		p.space()
		if p.i < len(p.data) {
			return req, errors.New("data after the JSON object")
		}
		return req, nil
	}
	if !p.consume('{') {
		return req, p.syntaxError()
	}
	p.space()
	if !p.consume('}') {
		for {
			p.space()
			raw, plain, err := p.rawString()
			if err != nil {
				return req, err
			}
			key := ""
			if !plain {
				if key, err = unquote(raw); err != nil {
					return req, err
				}
				raw = nil
			}
			p.space()
			if !p.consume(':') {
				return req, p.syntaxError()
			}
			p.space()
			switch {
			case isKey(raw, key, "param_set"):
				if !p.null() {
					if p.peek() != '"' {
						return req, p.typeError("param_set", "a string")
					}
					if req.ParamSet, err = p.string(); err != nil {
						return req, err
					}
				}
			case isKey(raw, key, "version"):
				if !p.null() {
					if req.Version, err = p.int("version"); err != nil {
						return req, err
					}
				}
			default:
				if plain {
					key = string(raw[1 : len(raw)-1])
				}
				return req, fmt.Errorf("unknown field %.60q", key)
			}
			p.space()
			if p.consume('}') {
				break
			}
			if !p.consume(',') {
				return req, p.syntaxError()
			}
		}
	}
	p.space()
	if p.i < len(p.data) {
		return req, errors.New("data after the JSON object")
	}
	return req, nil
}

var null = []byte("null")

type parser struct {
	data []byte
	i    int
}

func (p *parser) space() {
	for p.i < len(p.data) {
		switch p.data[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// peek returns the next byte, or 0 at the end.
func (p *parser) peek() byte {
	if p.i < len(p.data) {
		return p.data[p.i]
	}
	return 0
}

func (p *parser) consume(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *parser) null() bool {
	if bytes.HasPrefix(p.data[p.i:], null) {
		p.i += len("null")
		return true
	}
	return false
}

func (p *parser) syntaxError() error {
	if p.i >= len(p.data) {
		return errors.New("unexpected end of JSON input")
	}
	return fmt.Errorf("invalid character %q at byte %d", p.data[p.i], p.i+1)
}

// typeError refuses a value of the wrong kind; a malformed value is a
// syntax error, as encoding/json reports it.
func (p *parser) typeError(field, want string) error {
	switch p.peek() {
	case '"', '{', '[', 't', 'f', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return fmt.Errorf("%q must be %s", field, want)
	}
	return p.syntaxError()
}

// isKey reports whether a key, raw and quoted if plain, else decoded,
// names the field name as encoding/json matches names: exactly, or else
// case-insensitively by Unicode's simple folding.
func isKey(raw []byte, key, name string) bool {
	if raw != nil {
		raw = raw[1 : len(raw)-1]
		return string(raw) == name || bytes.EqualFold(raw, []byte(name))
	}
	return key == name || strings.EqualFold(key, name)
}

// string reads a JSON string. A string of printable ASCII without
// escapes, the usual one, is copied out as it is; any other is left to
// encoding/json, so that escapes, control bytes and invalid UTF-8 are
// treated exactly as it treats them.
func (p *parser) string() (string, error) {
	raw, plain, err := p.rawString()
	switch {
	case err != nil:
		return "", err
	case plain:
		return string(raw[1 : len(raw)-1]), nil
	}
	return unquote(raw)
}

// rawString reads a JSON string and returns it with its quotes, and
// whether it is plain: printable ASCII without escapes.
func (p *parser) rawString() (raw []byte, plain bool, err error) {
	start := p.i
	if !p.consume('"') {
		return nil, false, p.syntaxError()
	}
	plain = true
	for ; p.i < len(p.data); p.i++ {
		switch c := p.data[p.i]; {
		case c == '"':
			p.i++
			return p.data[start:p.i], plain, nil
		case c == '\\':
			plain = false
			p.i++ // the escaped byte cannot end the string
		case c < ' ' || c >= 0x7f:
			plain = false
		}
	}
	return nil, false, errors.New("unexpected end of JSON input")
}

// unquote decodes a quoted JSON string as encoding/json does.
func unquote(raw []byte) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", errors.New("malformed string")
	}
	return s, nil
}

// int reads a JSON number that must be a whole number in an int's range,
// as encoding/json requires for an int field.
func (p *parser) int(field string) (int, error) {
	start := p.i
	p.consume('-')
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return 0, p.typeError(field, "a whole number")
	}
	whole := p.i
	if p.consume('.') {
		if !p.digits() {
			return 0, p.syntaxError()
		}
	}
	if p.consume('e') || p.consume('E') {
		if !p.consume('+') {
			p.consume('-')
		}
		if !p.digits() {
			return 0, p.syntaxError()
		}
	}
	n, err := strconv.Atoi(string(p.data[start:p.i]))
	if p.i != whole || err != nil {
		return 0, fmt.Errorf("%q must be a whole number", field)
	}
	return n, nil
}

// digits skips decimal digits and reports whether there was one.
func (p *parser) digits() bool {
	start := p.i
	for p.i < len(p.data) && '0' <= p.data[p.i] && p.data[p.i] <= '9' {
		p.i++
	}
	return p.i > start
}
