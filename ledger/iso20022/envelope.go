package iso20022

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
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
	camt053Kind = messageKind{area: "camt.053", root: "BkToCstmrStmt", minVersion: 2, maxVersion: 13}
)

// accept checks that a Document namespace names this message in a version
// this package reads.
func (k messageKind) accept(ns string) error {
	id, ok := strings.CutPrefix(ns, namespacePrefix)
	if !ok {
		return fmt.Errorf("%w: Document namespace %q is not an ISO 20022 message, want %s", ErrUnsupportedMessage, ns, k.area)
	}
	parts := strings.Split(id, ".")
	if len(parts) != 4 {
		return fmt.Errorf("%w: Document namespace %q does not name a message version", ErrUnsupportedMessage, ns)
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
// Document element of message kind k — the root element, or inside any
// envelope next to a business application header (AppHdr) — and decodes it
// into doc. Elements match by local name, so any namespace prefix works. The
// whole input must be well-formed XML with exactly one Document and no DTD.
func decodeDocument(r io.Reader, k messageKind, doc any) error {
	data, err := io.ReadAll(io.LimitReader(r, MaxMessageSize+1))
	if err != nil {
		return fmt.Errorf("%w: reading: %w", ErrInvalidMessage, err)
	}
	if len(data) > MaxMessageSize {
		return fmt.Errorf("%w: larger than %d bytes", ErrInvalidMessage, MaxMessageSize)
	}
	w := &documentWalker{d: xml.NewDecoder(bytes.NewReader(data))}
	start, err := w.next()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: no Document element", ErrInvalidMessage)
	}
	if err != nil {
		return err
	}
	if err := k.accept(start.Name.Space); err != nil {
		return err
	}
	if err := w.d.DecodeElement(doc, &start); err != nil {
		return fmt.Errorf("%w: Document: %w", ErrInvalidMessage, err)
	}
	switch _, err := w.next(); {
	case err == nil:
		return fmt.Errorf("%w: more than one Document", ErrInvalidMessage)
	case !errors.Is(err, io.EOF):
		return err
	}
	return nil
}

// Identify returns the identifier of the ISO 20022 message in r, such as
// "pacs.004.001.09", as its Document's namespace gives it, so that a caller
// handed a file can choose the parser. The Document is found as the parsers
// find it; Identify reads no further and checks nothing else. Input without
// a Document is ErrInvalidMessage, a Document outside the ISO 20022
// namespaces ErrUnsupportedMessage.
func Identify(r io.Reader) (string, error) {
	w := &documentWalker{d: xml.NewDecoder(io.LimitReader(r, MaxMessageSize))}
	start, err := w.next()
	if errors.Is(err, io.EOF) {
		return "", fmt.Errorf("%w: no Document element", ErrInvalidMessage)
	}
	if err != nil {
		return "", err
	}
	id, ok := strings.CutPrefix(start.Name.Space, namespacePrefix)
	if !ok || id == "" {
		return "", fmt.Errorf("%w: Document namespace %q is not an ISO 20022 message", ErrUnsupportedMessage, start.Name.Space)
	}
	return id, nil
}

// documentWalker walks the elements around Documents: envelopes it enters,
// business application headers it skips.
type documentWalker struct {
	d     *xml.Decoder
	depth int // envelope elements open around the current position
	roots int // top-level elements seen
}

// next returns the start of the next Document element, leaving the decoder
// just after it, or io.EOF at the end of well-formed input.
func (w *documentWalker) next() (xml.StartElement, error) {
	for {
		tok, err := w.d.Token()
		if errors.Is(err, io.EOF) {
			return xml.StartElement{}, io.EOF
		}
		if err != nil {
			return xml.StartElement{}, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return xml.StartElement{}, fmt.Errorf("%w: document type declarations are not accepted", ErrInvalidMessage)
		case xml.EndElement:
			w.depth--
		case xml.StartElement:
			if w.depth == 0 {
				if w.roots++; w.roots > 1 {
					return xml.StartElement{}, fmt.Errorf("%w: content after the root element <%s>", ErrInvalidMessage, t.Name.Local)
				}
			}
			switch t.Name.Local {
			case "Document":
				return t, nil
			case "AppHdr":
				if err := w.d.Skip(); err != nil {
					return xml.StartElement{}, fmt.Errorf("%w: AppHdr: %w", ErrInvalidMessage, err)
				}
			default:
				if w.depth++; w.depth > maxWrapperDepth {
					return xml.StartElement{}, fmt.Errorf("%w: no Document within %d levels of envelope", ErrInvalidMessage, maxWrapperDepth)
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
