package webui

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// sessionCookie names the cookie the sign-in form sets.
const sessionCookie = "radar_session"

// maxSignInBody bounds the sign-in form's body.
const maxSignInBody = 4 << 10

// sessionValue is the cookie's value: derived from the token, so the cookie
// never holds the token itself, and changes when the token does.
func (u *UI) sessionValue() string {
	mac := hmac.New(sha256.New, []byte(u.opts.Token))
	mac.Write([]byte("radar web ui session v1"))
	return hex.EncodeToString(mac.Sum(nil))
}

func (u *UI) hasSessionCookie(r *http.Request) bool {
	c, err := r.Cookie(sessionCookie)
	return err == nil && subtle.ConstantTimeCompare([]byte(c.Value), []byte(u.sessionValue())) == 1
}

// authorized reports whether r may see the pages: no token is configured,
// or r carries it as a bearer header (the scheme in any case, checked by
// CheckToken) or the sign-in cookie.
func (u *UI) authorized(r *http.Request) bool {
	if u.opts.Token == "" {
		return true
	}
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, got, _ := strings.Cut(h, " ")
		return strings.EqualFold(scheme, "Bearer") && u.opts.CheckToken(r, strings.TrimSpace(got))
	}
	return u.hasSessionCookie(r)
}

// auth answers 401 with the sign-in form to requests without the token.
func (u *UI) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !u.authorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="radar"`)
			u.render(w, r, http.StatusUnauthorized, "signin", page{Title: "Sign in", View: signInView{Next: r.URL.RequestURI()}})
			return
		}
		next.ServeHTTP(w, r)
	})
}

type signInView struct {
	Next  string
	Error string
}

// localPath keeps a redirect target on this site: a path, not a URL, and
// not a protocol-relative "//host".
func localPath(next string) string {
	u, err := url.Parse(next)
	if err != nil || next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") ||
		strings.HasPrefix(next, "/\\") || u.Host != "" || u.Scheme != "" {
		return "/"
	}
	return next
}

func (u *UI) serveSignIn(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if u.opts.Token == "" || u.authorized(r) {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	u.render(w, r, http.StatusOK, "signin", page{Title: "Sign in", View: signInView{Next: next}})
}

// signIn checks the form's token and sets an HttpOnly, SameSite=Strict
// session cookie.
func (u *UI) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSignInBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the sign-in form is too large or malformed; send only the token field", http.StatusBadRequest)
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if u.opts.Token == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	if !u.opts.CheckToken(r, r.PostForm.Get("token")) {
		u.render(w, r, http.StatusUnauthorized, "signin", page{Title: "Sign in",
			View: signInView{Next: next, Error: "That is not the token. Use the value of http.token (RADAR_HTTP_TOKEN)."}})
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: u.sessionValue(), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: u.opts.SecureCookie || r.TLS != nil})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (u *UI) signOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: u.opts.SecureCookie || r.TLS != nil})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
