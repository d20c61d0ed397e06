package iso20022

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

// MaxMessageSize is the largest document, in bytes, the parsers read: 32 MiB,
// room for a statement of some hundred thousand entries. A larger input is
// refused with ErrInvalidMessage before any of it is decoded.
const MaxMessageSize = 32 << 20

// maxWrapperDepth bounds how deep the Document may sit inside envelope
// elements (a BizMsgEnvlp is one level; transport wrappers add a few).
const maxWrapperDepth = 16

const namespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"

// messageKind is a message family this package reads: its identifier
// ("camt.053"), the element below Document, and the versions read.
type messageKind struct {
	area       string
	root       string
	minVersion int
	maxVersion int
}

var (
	pacs008Kind = messageKind{area: "pacs.008", root: "FIToFICstmrCdtTrf", minVersion: 2, maxVersion: 12}
	pacs004Kind = messageKind{area: "pacs.004", root: "PmtRtr", minVersion: 2, maxVersion: 13}
	pacs002Kind = messageKind{area: "pacs.002", root: "FIToFIPmtStsRpt", minVersion: 3, maxVersion: 14}
	camt052Kind = messageKind{area: "camt.052", root: "BkToCstmrAcctRpt", minVersion: 2, maxVersion: 13}
	camt053Kind = messageKind{area: "camt.053", root: "BkToCstmrStmt", minVersion: 2, maxVersion: 13}
	camt054Kind = messageKind{area: "camt.054", root: "BkToCstmrDbtCdtNtfctn", minVersion: 2, maxVersion: 13}
)

// messageRoots are the business message elements a network may carry
// without a Document around them, next to the application header.
var messageRoots = map[string]bool{
	pacs008Kind.root: true, pacs004Kind.root: true, pacs002Kind.root: true,
	camt052Kind.root: true, camt053Kind.root: true, camt054Kind.root: true,
}

// accept checks that a message identifier ("camt.053.001.02") names this
// message in a version this package reads.
func (k messageKind) accept(id string) error {
	parts := strings.Split(id, ".")
	if len(parts) != 4 {
		return fmt.Errorf("%w: %q does not name a message version", ErrUnsupportedMessage, id)
	}
	if area := parts[0] + "." + parts[1]; area != k.area {
		return fmt.Errorf("%w: document is %s, want %s", ErrUnsupportedMessage, id, k.area)
	}
	v, err := strconv.Atoi(parts[3])
	if parts[2] != "001" || err != nil || len(parts[3]) != 2 || v < k.minVersion || v > k.maxVersion {
		return fmt.Errorf("%w: %s is not a version this package reads (%s.001.%02d to .001.%02d)",
			ErrUnsupportedMessage, id, k.area, k.minVersion, k.maxVersion)
	}
	return nil
}

// decodeDocument reads at most MaxMessageSize bytes of r, finds the
// business message (see documentWalker) and decodes it into doc, a pointer
// to a struct with an XMLName and one field per message root it takes,
// tagged with the root's name. The message must be one of kinds, which is
// returned. Elements match by local name, so any namespace prefix works.
// The whole input must be well-formed XML with exactly one message and no
// DTD.
func decodeDocument(r io.Reader, doc any, kinds ...messageKind) (messageKind, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return messageKind{}, fmt.Errorf("%w: reading: %w", ErrInvalidMessage, err)
	}
	if len(data) > MaxMessageSize {
		return messageKind{}, fmt.Errorf("%w: larger than %d bytes", ErrInvalidMessage, MaxMessageSize)
	}
	w := &documentWalker{d: xml.NewDecoder(bytes.NewReader(data))}
	found, err := w.next()
	if errors.Is(err, io.EOF) {
		return messageKind{}, fmt.Errorf("%w: no Document element", ErrInvalidMessage)
	}
	if err != nil {
		return messageKind{}, err
	}
	k, err := kindOf(found.id, kinds)
	if err != nil {
		return messageKind{}, err
	}
	if found.start.Name.Local == "Document" {
		err = w.d.DecodeElement(doc, &found.start)
	} else {
		err = decodeBare(w.d, doc, found.start)
	}
	if err != nil {
		return messageKind{}, fmt.Errorf("%w: Document: %w", ErrInvalidMessage, err)
	}
	switch _, err := w.next(); {
	case err == nil:
		return messageKind{}, fmt.Errorf("%w: more than one Document", ErrInvalidMessage)
	case !errors.Is(err, io.EOF):
		return messageKind{}, err
	}
	return k, nil
}

// kindOf returns the one of kinds that id names.
func kindOf(id string, kinds []messageKind) (messageKind, error) {
	area, _, _ := strings.Cut(id, ".001.")
	for _, k := range kinds {
		if k.area == area {
			return k, k.accept(id)
		}
	}
	want := make([]string, len(kinds))
	for i, k := range kinds {
		want[i] = k.area
	}
	return messageKind{}, fmt.Errorf("%w: document is %s, want %s", ErrUnsupportedMessage, id, strings.Join(want, " or "))
}

// decodeBare decodes a message element found without a Document around it
// into the field of doc tagged with its name, as if the Document were
// there. Which fields doc has is this package's own business, so a
// missing one is a refusal, not a panic.
func decodeBare(d *xml.Decoder, doc any, start xml.StartElement) error {
	v := reflect.ValueOf(doc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("cannot decode <%s>", start.Name.Local)
	}
	v = v.Elem()
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("xml"), ",")
		if name == start.Name.Local {
			return d.DecodeElement(v.Field(i).Addr().Interface(), &start)
		}
	}
	return fmt.Errorf("<%s> is not the message wanted", start.Name.Local)
}

// Identify returns the identifier of the ISO 20022 message in r, such as
// "pacs.004.001.09", so that a caller handed a file can choose the parser.
// The message is found as the parsers find it, and named by its Document's
// namespace or, for a message element without a Document, by its own
// namespace or the application header's MsgDefIdr. Identify reads no
// further and checks nothing else. Input without a message is
// ErrInvalidMessage, one outside the ISO 20022 namespaces
// ErrUnsupportedMessage.
func Identify(r io.Reader) (string, error) {
	w := &documentWalker{d: xml.NewDecoder(io.LimitReader(r, MaxMessageSize))}
	found, err := w.next()
	if errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%w: no Document element", ErrInvalidMessage)
	}
	if err != nil {
		return "", err
	}
	return found.id, nil
}

// foundMessage is a business message the walker stopped at: its start
// element and its identifier ("camt.053.001.02").
type foundMessage struct {
	start xml.StartElement
	id    string
}

// documentWalker walks the elements around the business message. It takes
// three shapes: a Document as the root; a Document inside envelope
// elements, next to a business application header (AppHdr, head.001); and,
// as some instant-payment networks send, the message element itself (such
// as FIToFICstmrCdtTrf) next to the AppHdr inside the network's wrapper,
// with no Document. Envelopes are entered; the AppHdr is read for its
// MsgDefIdr and otherwise skipped, so a Document related messages carry
// inside it is never taken for the message.
type documentWalker struct {
	d      *xml.Decoder
	depth  int    // envelope elements open around the current position
	roots  int    // top-level elements seen
	header string // MsgDefIdr of the last AppHdr read
}

// appHeaderXML is the part of the business application header the walker
// needs.
type appHeaderXML struct {
	MsgDefIdr string `xml:"MsgDefIdr"`
}

// next returns the next business message, leaving the decoder just after
// its start element, or io.EOF at the end of well-formed input.
func (w *documentWalker) next() (foundMessage, error) {
	for {
		tok, err := w.d.Token()
		if errors.Is(err, io.EOF) {
			return foundMessage{}, io.EOF
		}
		if err != nil {
			return foundMessage{}, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return foundMessage{}, fmt.Errorf("%w: document type declarations are not accepted", ErrInvalidMessage)
		case xml.EndElement:
			w.depth--
		case xml.StartElement:
			if w.depth == 0 {
				if w.roots++; w.roots > 1 {
					return foundMessage{}, fmt.Errorf("%w: content after the root element <%s>", ErrInvalidMessage, t.Name.Local)
				}
			}
			switch local := t.Name.Local; {
			case local == "Document":
				id, ok := strings.CutPrefix(t.Name.Space, namespacePrefix)
				if !ok || id == "" {
					return foundMessage{}, fmt.Errorf("%w: Document namespace %q is not an ISO 20022 message", ErrUnsupportedMessage, t.Name.Space)
				}
				return foundMessage{start: t, id: id}, nil
			case local == "AppHdr":
				var h appHeaderXML
				if err := w.d.DecodeElement(&h, &t); err != nil {
					return foundMessage{}, fmt.Errorf("%w: AppHdr: %w", ErrInvalidMessage, err)
				}
				w.header = trim(h.MsgDefIdr)
			case messageRoots[local]:
				id, ok := strings.CutPrefix(t.Name.Space, namespacePrefix)
				if !ok || id == "" {
					if id, ok = w.header, w.header != ""; !ok {
						return foundMessage{}, fmt.Errorf("%w: <%s> without a Document, an ISO 20022 namespace or an application header naming it", ErrUnsupportedMessage, local)
					}
				}
				return foundMessage{start: t, id: id}, nil
			default:
				if w.depth++; w.depth > maxWrapperDepth {
					return foundMessage{}, fmt.Errorf("%w: no Document within %d levels of envelope", ErrInvalidMessage, maxWrapperDepth)
				}
			}
		}
	}
}

// encodeDocument writes doc as an indented UTF-8 XML document. It encodes
// into memory first so that w receives all of the message or none of it.
func encodeDocument(w io.Writer, doc any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("%w: encoding: %w", ErrInvalidMessage, err)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}
