package refserver

import "net/http"

// withSecurityHeaders sets on every response the headers a JSON API holding
// personal data and bearer tokens needs: nothing is cached (tokens and
// customer data must not stay in a browser's or a proxy's cache), nothing
// is sniffed into another type, framed, or sent on as a referrer, and a
// response rendered by a browser may load nothing. Over TLS, HSTS keeps
// clients on HTTPS for a year.
func withSecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		next.ServeHTTP(w, r)
	})
}
