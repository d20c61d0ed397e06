package iso20022

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestIdentify(t *testing.T) {
	t.Parallel()
	batch := string(writeBatch(t, sampleBatch()))
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"pacs.008 as written", batch, "pacs.008.001.08"},
		{"pacs.004 as written", string(writeReturn(t, sampleReturn())), "pacs.004.001.09"},
		{"camt.053 with a prefix in an envelope", inEnvelope(t, withPrefix(t, smallStatement)), "camt.053.001.08"},
		{"a message this package does not read", strings.ReplaceAll(batch, "pacs.008.001.08", "pain.001.001.09"), "pain.001.001.09"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Identify(strings.NewReader(tt.doc))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestIdentifyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		doc      string
		sentinel error
	}{
		{"empty", "", ErrInvalidMessage},
		{"no Document", "<Message><AppHdr><Document/></AppHdr></Message>", ErrInvalidMessage},
		{"not XML", "value_date,amount", ErrInvalidMessage},
		{"foreign namespace", `<Document xmlns="urn:example"/>`, ErrUnsupportedMessage},
		{"no namespace", `<Document/>`, ErrUnsupportedMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Identify(strings.NewReader(tt.doc))
			require.ErrorIs(t, err, tt.sentinel)
		})
	}
}

// A Document inside the business application header is the header's own
// business, not the message: it is skipped, not parsed.
func TestParseSkipsTheApplicationHeader(t *testing.T) {
	t.Parallel()
	doc := replaceOnce(t, inEnvelope(t, smallStatement), "<MsgDefIdr>",
		`<Rltd><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"/></Rltd><MsgDefIdr>`)
	msg, err := ParseStatement(strings.NewReader(doc))
	require.NoError(t, err)
	require.Equal(t, "M1", msg.MessageID)
}
