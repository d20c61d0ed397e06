// Package marketing is customer segmentation, campaigns, feedback, and how
// well each channel converts — within the consent customers have given.
package marketing
