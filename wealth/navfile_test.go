package wealth_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/wealth"
)

// FuzzParseNAVFile: whatever the bytes, the parser does not panic, and
// either returns at least one line, each with a valid date, a non-negative
// NAV and a line number past the header, that read the same when written
// out again; or refuses with ErrInvalidInput naming a line.
func FuzzParseNAVFile(f *testing.F) {
	h := strings.Join(wealth.NAVFileHeader, ",") + "\n"
	for _, s := range []string{
		h + "WX,2026-03-02,1.0250,1.1250,,\n",
		h + "CASH,2026-03-02,1,,0.4567,0.01734\n\n",
		"\ufeff" + h + "\"WX\",2026-03-02,1.0250,,,\r\n",
		h + "WX,2026-03-02,-1,,,\n",
		h + "WX,2026-03-02,1e3,,,\n",
		h + "WX,\"2026-03-02,1,,,\n",
		h,
		"",
		"a,b\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := wealth.ParseNAVFile(data)
		if err != nil {
			if !errors.Is(err, wealth.ErrInvalidInput) {
				t.Fatalf("error %v is not invalid input", err)
			}
			var fe *fault.FieldError
			if !errors.As(err, &fe) || !strings.HasPrefix(fe.Field, "lines[") {
				t.Fatalf("error %v names no line", err)
			}
			return
		}
		if len(lines) == 0 {
			t.Fatal("no line and no error")
		}
		var b strings.Builder
		b.WriteString(h)
		for _, l := range lines {
			if l.Line < 2 || !l.Date.Valid() || l.NAV.IsNegative() || l.IncomePer10K.IsNegative() {
				t.Fatalf("line %+v", l)
			}
			b.WriteString(l.ProductCode + "," + l.Date.String() + "," + num(l.NAV) + "," + num(l.AccumulatedNAV) + "," +
				num(l.IncomePer10K) + "," + num(l.Yield7D) + "\n")
		}
		again, err := wealth.ParseNAVFile([]byte(b.String()))
		if err != nil {
			t.Fatalf("written out again: %v", err)
		}
		for i := range lines {
			a, b := lines[i], again[i]
			if a.ProductCode != b.ProductCode || a.Date != b.Date || !a.NAV.Equal(b.NAV) || !a.AccumulatedNAV.Equal(b.AccumulatedNAV) ||
				!a.IncomePer10K.Equal(b.IncomePer10K) || !a.Yield7D.Equal(b.Yield7D) {
				t.Fatalf("line %d reads %+v, written out and read again %+v", i, a, b)
			}
		}
	})
}

func num(d interface {
	IsZero() bool
	String() string
}) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
