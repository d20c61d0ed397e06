package iso20022

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckIBAN(t *testing.T) {
	t.Parallel()
	tests := []struct {
		iban         string
		shapeOK      bool
		checkDigitOK bool
	}{
		{ibanDE, true, true},
		{ibanGB, true, true},
		{ibanFR, true, true},
		{ibanNL, true, true},
		{"DE89370400440532013001", true, false}, // last digit mistyped
		{"DE98370400440532013000", true, false}, // check digits swapped
		{"GB82WEST12345698765423", true, false}, // two digits swapped
		{"LT007180000000000000", true, false},   // check digits 00 are never right
		{"de89370400440532013000", false, false},
		{"DE8937040044053201300!", false, false},
		{"DE89", false, false},
		{"D189370400440532013000", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.iban, func(t *testing.T) {
			t.Parallel()
			lenient, strict := checkIBAN("IBAN", tt.iban, false), checkIBAN("IBAN", tt.iban, true)
			require.Equal(t, tt.shapeOK, lenient == nil, "shape: %v", lenient)
			require.Equal(t, tt.checkDigitOK, strict == nil, "check digits: %v", strict)
		})
	}
}

func TestCheckBIC(t *testing.T) {
	t.Parallel()
	for bic, ok := range map[string]bool{
		"COBADEFFXXX": true, "ABNANL2A": true, "BKCHCNBJ110": true,
		"ABNANL2": false, "ABNANL2AXX": false, "abnanl2a": false, "ABNA1L2A": false, "ABNANL2A-XX": false,
	} {
		require.Equal(t, ok, checkBIC("BIC", bic) == nil, bic)
	}
}

func TestCheckUETR(t *testing.T) {
	t.Parallel()
	for uetr, ok := range map[string]bool{
		"8a562c67-ca16-48ba-b074-65581be6f011": true,
		"8A562C67-CA16-48BA-B074-65581BE6F011": false, // upper case
		"8a562c67-ca16-78ba-b074-65581be6f011": false, // version 7
		"8a562c67-ca16-48ba-c074-65581be6f011": false, // wrong variant
		"8a562c67ca1648bab07465581be6f011":     false,
		"":                                     false,
	} {
		require.Equal(t, ok, checkUETR("UETR", uetr) == nil, uetr)
	}
}

func TestCheckID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id              string
		lenient, strict bool
	}{
		{"INV-2026/114 (a), b.c'd+e?f:g", true, true},
		{"INV_114", true, false},
		{"发票114", true, false},
		{"/INV", true, false},
		{"INV/", true, false},
		{"IN//V", true, false},
		{" INV", true, false},
		{"123456789012345678901234567890123456", false, false},
		{"12345678901234567890123456789012345", true, true},
		{"IN\x01V", false, false},
		{"IN\tV", true, false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.lenient, checkID("Id", tt.id, true, false) == nil, "lenient %q", tt.id)
		require.Equal(t, tt.strict, checkID("Id", tt.id, true, true) == nil, "strict %q", tt.id)
	}
}
