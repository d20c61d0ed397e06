// Package analytics is the data warehouse every subsystem feeds: facts and
// dimensions, analysis, reports, charts and decision support.
package analytics
