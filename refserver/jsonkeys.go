package refserver

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode"
)

// firstRepeatedKey returns where body first repeats a key within one JSON
// object, named as the API names fields ("amount.value", "items[2].id"),
// or "" when no object does. Keys that differ only in case are repeats
// too: encoding/json fills the same field from both. A body that is not
// JSON repeats nothing; decoding it says what is wrong.
//
// A repeated key is refused rather than resolved (encoding/json keeps the
// last), because a proxy or a signature check that reads the first would
// see a different request from the one the server acts on.
func firstRepeatedKey(body []byte) string {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var open []*jsonLevel
	for {
		tok, err := dec.Token()
		if err != nil {
			return ""
		}
		var in *jsonLevel
		if len(open) > 0 {
			in = open[len(open)-1]
		}
		if key, ok := tok.(string); ok && in != nil && in.wantsKey {
			folded := foldKey(key)
			if in.keys[folded] {
				return in.childPath(key)
			}
			in.keys[folded] = true
			in.key, in.wantsKey = key, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			open = append(open, &jsonLevel{path: in.childPath(""), keys: map[string]bool{}, wantsKey: true})
		case json.Delim('['):
			open = append(open, &jsonLevel{path: in.childPath("")})
		case json.Delim('}'), json.Delim(']'):
			open = open[:len(open)-1]
			if len(open) > 0 {
				open[len(open)-1].valueRead()
			}
		default:
			in.valueRead()
		}
	}
}

// jsonLevel is an object or array being read.
type jsonLevel struct {
	path     string
	keys     map[string]bool // nil for an array
	key      string          // the object's current key
	wantsKey bool
	index    int // the array's current index
}

// childPath is the path of the value being read in l; key names it when
// it is a key of l, else it is l's current value.
func (l *jsonLevel) childPath(key string) string {
	switch {
	case l == nil:
		return ""
	case l.keys == nil:
		return l.path + "[" + strconv.Itoa(l.index) + "]"
	case key == "":
		key = l.key
	}
	if l.path == "" {
		return key
	}
	return l.path + "." + key
}

// valueRead moves l past the value just read.
func (l *jsonLevel) valueRead() {
	switch {
	case l == nil:
	case l.keys == nil:
		l.index++
	default:
		l.wantsKey = true
	}
}

// foldKey maps every spelling of a key that encoding/json would match to
// one string: each letter becomes the smallest letter of its case-folding
// orbit.
func foldKey(key string) string {
	var b strings.Builder
	for _, r := range key {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
