package iso20022

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var documentStart = regexp.MustCompile(`<Document xmlns="([^"]+)">`)

// networkShape rewrites a bare Document the way some instant-payment
// networks send it: inside the network's own wrapper, the application
// header and the message element side by side, no Document element. With
// nsOnMessage the message element keeps the ISO namespace; without it
// only the header's MsgDefIdr names the message. With prefixed every
// element carries a namespace prefix.
func networkShape(t testing.TB, doc string, nsOnMessage, prefixed bool) string {
	t.Helper()
	m := documentStart.FindStringSubmatch(doc)
	require.NotNil(t, m, "a Document with a default namespace")
	ns := m[1]
	body := doc[strings.Index(doc, m[0])+len(m[0]) : strings.LastIndex(doc, "</Document>")]
	msgDef := strings.TrimPrefix(ns, namespacePrefix)
	bodyNS := "urn:example:network:payload"
	if nsOnMessage {
		bodyNS = ns
	}
	elem := "<$1"
	header := `<AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02"><Fr><FIId><FinInstnId><BICFI>CBSBLT26XXX</BICFI></FinInstnId></FIId></Fr><To><FIId><FinInstnId><BICFI>BKKTCNSHXXX</BICFI></FinInstnId></FIId></To><BizMsgIdr>NET-1</BizMsgIdr><MsgDefIdr>` + msgDef + `</MsgDefIdr><CreDt>2026-11-28T10:00:00Z</CreDt></AppHdr>`
	open, closing := `<Message xmlns="urn:example:network" xmlns:m="`+bodyNS+`">`, `</Message>`
	if prefixed {
		elem = "<${1}m:"
		header = regexp.MustCompile(`<(/?)([A-Za-z])`).ReplaceAllString(header, "<${1}h:$2")
		header = strings.Replace(header, `xmlns="`, `xmlns:h="`, 1)
		open, closing = `<net:Message xmlns:net="urn:example:network" xmlns:m="`+bodyNS+`">`, `</net:Message>`
	} else {
		body = strings.Replace(body, ">", ` xmlns="`+bodyNS+`">`, 1)
	}
	body = regexp.MustCompile(`<(/?)([A-Za-z])`).ReplaceAllString(body, elem+"$2")
	return `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + open + header + body + closing
}

// ownPaymentStatus reads the pacs.002 written for these tests from the
// published message definition.
func ownPaymentStatus(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pacs.002.001.10-batch-status.xml"))
	require.NoError(t, err)
	return string(data)
}

// Every message reads alike in each envelope: a bare Document, a business
// application header and Document in an envelope, and a network's wrapper
// with the header and the message element side by side — named by the
// element's namespace or, without one, by the header — with or without
// namespace prefixes.
func TestEveryEnvelopeShape(t *testing.T) {
	t.Parallel()
	notification := strings.ReplaceAll(smallStatement, "camt.053.001.08", "camt.054.001.08")
	notification = strings.ReplaceAll(strings.ReplaceAll(notification, "BkToCstmrStmt>", "BkToCstmrDbtCdtNtfctn>"), "Stmt>", "Ntfctn>")
	messages := []struct {
		name  string
		doc   string
		parse func(string) (any, error)
	}{
		{"camt.053", smallStatement, func(s string) (any, error) { return ParseStatement(strings.NewReader(s)) }},
		{"camt.054", notification, func(s string) (any, error) { return ParseBankToCustomer(strings.NewReader(s)) }},
		{"pacs.008", string(writeBatch(t, sampleBatch())), func(s string) (any, error) { return ParseCreditTransfer(strings.NewReader(s)) }},
		{"pacs.004", string(writeReturn(t, sampleReturn())), func(s string) (any, error) { return ParsePaymentReturn(strings.NewReader(s)) }},
		{"pacs.002", ownPaymentStatus(t), func(s string) (any, error) { return ParsePaymentStatus(strings.NewReader(s)) }},
	}
	for _, m := range messages {
		want, err := m.parse(m.doc)
		require.NoError(t, err, m.name)
		id, err := Identify(strings.NewReader(m.doc))
		require.NoError(t, err)
		shapes := map[string]string{
			"Document with a prefix":                            withPrefix(t, m.doc),
			"header and Document in an envelope":                inEnvelope(t, m.doc),
			"network wrapper, message namespace":                networkShape(t, m.doc, true, false),
			"network wrapper, prefixed, message namespace":      networkShape(t, m.doc, true, true),
			"network wrapper, named by the header":              networkShape(t, m.doc, false, false),
			"network wrapper, prefixed, named by the header":    networkShape(t, m.doc, false, true),
			"prefixed Document in an envelope with a namespace": inEnvelope(t, withPrefix(t, m.doc)),
		}
		for shape, doc := range shapes {
			t.Run(m.name+"/"+shape, func(t *testing.T) {
				t.Parallel()
				got, err := m.parse(doc)
				require.NoError(t, err, doc)
				require.Equal(t, want, got)
				gotID, err := Identify(strings.NewReader(doc))
				require.NoError(t, err)
				require.Equal(t, id, gotID)
			})
		}
	}
}

// A message element nothing names — no Document, no ISO namespace, no
// header — is not guessed at; a header naming another message is believed
// and the parser refuses it.
func TestNetworkShapeRefusals(t *testing.T) {
	t.Parallel()
	doc := networkShape(t, smallStatement, false, false)
	noHeader := regexp.MustCompile(`<AppHdr.*</AppHdr>`).ReplaceAllString(doc, "")
	_, err := ParseStatement(strings.NewReader(noHeader))
	require.ErrorIs(t, err, ErrUnsupportedMessage)
	_, err = Identify(strings.NewReader(noHeader))
	require.ErrorIs(t, err, ErrUnsupportedMessage)

	otherHeader := strings.Replace(doc, "<MsgDefIdr>camt.053.001.08", "<MsgDefIdr>camt.054.001.08", 1)
	_, err = ParseStatement(strings.NewReader(otherHeader))
	require.ErrorIs(t, err, ErrUnsupportedMessage)

	two := strings.Replace(doc, "</Message>", doc[strings.Index(doc, "<BkToCstmrStmt"):strings.Index(doc, "</Message>")]+"</Message>", 1)
	_, err = ParseStatement(strings.NewReader(two))
	requireInvalid(t, err, "more than one Document")
}
