package credit_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/memcredit"
)

// The default classification's edges: 1–90 days special mention, over 90
// substandard, over 270 doubtful, over 360 loss; and the default buckets'
// edges: current, 1–30, 31–60, 61–90, 90+.
func TestClassificationAndBucketEdges(t *testing.T) {
	for dpd, want := range map[int]struct {
		c credit.Classification
		b string
	}{
		0: {credit.ClassNormal, "current"}, 1: {credit.ClassSpecialMention, "1-30"}, 30: {credit.ClassSpecialMention, "1-30"},
		31: {credit.ClassSpecialMention, "31-60"}, 60: {credit.ClassSpecialMention, "31-60"}, 61: {credit.ClassSpecialMention, "61-90"},
		90: {credit.ClassSpecialMention, "61-90"}, 91: {credit.ClassSubstandard, "90+"}, 270: {credit.ClassSubstandard, "90+"},
		271: {credit.ClassDoubtful, "90+"}, 360: {credit.ClassDoubtful, "90+"}, 361: {credit.ClassLoss, "90+"},
	} {
		require.Equal(t, want.c, credit.ClassifyDaysPastDue(dpd), "%d days", dpd)
		require.Equal(t, want.b, credit.DefaultDelinquencyBuckets.Of(dpd), "%d days", dpd)
	}
	require.Equal(t, []string{"正常", "关注", "次级", "可疑", "损失"}, []string{credit.ClassNormal.Chinese(),
		credit.ClassSpecialMention.Chinese(), credit.ClassSubstandard.Chinese(), credit.ClassDoubtful.Chinese(), credit.ClassLoss.Chinese()})
}

// Buckets must start at 0, rise, and have unique names; the page must be
// 1 to MaxPageLimit.
func TestDelinquencyBucketsRefused(t *testing.T) {
	for _, b := range []credit.DelinquencyBuckets{
		nil,
		{{Name: "a", From: 1}},
		{{Name: "a", From: 0}, {Name: "a", From: 5}},
		{{Name: "a", From: 0}, {Name: "b", From: 0}},
		{{Name: "", From: 0}},
	} {
		_, err := credit.NewService(memcredit.New(), credit.WithDelinquencyBuckets(b))
		require.ErrorIs(t, err, credit.ErrInvalidInput, "%v", b)
	}
	_, err := credit.NewService(memcredit.New(), credit.WithEndOfDayPage(0))
	require.ErrorIs(t, err, credit.ErrInvalidInput)
	_, err = credit.NewService(memcredit.New(), credit.WithEndOfDayPage(credit.MaxEndOfDayPage+1))
	require.ErrorIs(t, err, credit.ErrInvalidInput)
}
