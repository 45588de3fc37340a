package helpcenter

import "html/template"

// page is the one template of every help center page. No JavaScript of
// its own (only the chat widget's script, when one is shown); a
// mobile viewport; dir and lang from the page's language; the brand's
// colour as the accent.
var page = template.Must(template.New("help").Parse(`<!doctype html>
<html lang="{{.T.Lang}}" dir="{{.T.Dir}}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Title}}{{.Title}} – {{end}}{{.Brand}}</title>
{{if .Canonical}}<link rel="canonical" href="{{.Canonical}}">{{end}}
{{if .AltURL}}<link rel="alternate" hreflang="{{.T.OtherLang}}" href="{{.AltURL}}">{{end}}
<style>
:root{--accent:{{.Color}}}
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:0;background:#f6f7f9;color:#1b1f24;line-height:1.6}
header{background:var(--accent);color:#fff;padding:1rem}
header a{color:#fff;text-decoration:none}
.bar{max-width:52rem;margin:0 auto;display:flex;align-items:center;gap:.75rem;flex-wrap:wrap}
.bar img{height:2rem;width:auto}
.brand{font-weight:700;font-size:1.2rem}
.lang{margin-inline-start:auto}
main{max-width:52rem;margin:0 auto;padding:1rem}
form.search{display:flex;gap:.5rem;margin:1rem 0}
input,textarea{font:inherit;padding:.6rem;border:1px solid #9aa4b2;border-radius:.5rem;width:100%}
textarea{min-height:8rem}
button{font:inherit;font-weight:600;min-height:44px;padding:.5rem 1.25rem;border:0;border-radius:.5rem;background:var(--accent);color:#fff;cursor:pointer}
.card{background:#fff;border-radius:.75rem;padding:1rem 1.25rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
.card h2{margin:.2rem 0;font-size:1.15rem}
a{color:var(--accent)}
ul.arts{padding-inline-start:1.2rem;margin:.5rem 0}
.crumbs{font-size:.9rem;color:#4a5563}
article img{max-width:100%}
article pre{overflow:auto;background:#f0f2f5;padding:.75rem;border-radius:.5rem}
article table{border-collapse:collapse}article td,article th{border:1px solid #d0d5dd;padding:.3rem .6rem}
mark{background:#fff3a3}
.vote{display:flex;gap:.5rem;align-items:center;flex-wrap:wrap}
.muted{color:#4a5563;font-size:.9rem}
.error{color:#a4161a;font-weight:600}
.hp{position:absolute;inset-inline-start:-10000px;width:1px;height:1px;overflow:hidden}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
footer{max-width:52rem;margin:0 auto;padding:1rem;font-size:.9rem}
</style>
</head>
<body>
<header><div class="bar">
{{if .LogoURL}}<img src="{{.LogoURL}}" alt="">{{end}}
<a class="brand" href="/help/{{.T.Lang}}">{{.Brand}}</a>
<span class="lang"><a href="{{if .AltURL}}{{.AltURL}}{{else}}/help/{{.T.OtherLang}}{{end}}" lang="{{.T.OtherLang}}" hreflang="{{.T.OtherLang}}">{{.T.OtherLangName}}</a></span>
</div></header>
<main>
<form class="search" method="get" action="/help/{{.T.Lang}}/search" role="search">
<label class="hp" for="q">{{.T.SearchLabel}}</label>
<input id="q" type="search" name="q" value="{{.Query}}" placeholder="{{.T.SearchPlaceholder}}" maxlength="500">
<button type="submit">{{.T.SearchButton}}</button>
</form>
{{if .Crumbs}}<nav class="crumbs" aria-label="breadcrumbs">{{range $i, $c := .Crumbs}}{{if $i}} › {{end}}{{if $c.URL}}<a href="{{$c.URL}}">{{$c.Name}}</a>{{else}}{{$c.Name}}{{end}}{{end}}</nav>{{end}}
{{if .Message}}<div class="card"><h1>{{.Title}}</h1><p>{{.Message}}</p></div>{{end}}

{{with .Home}}
<h1>{{$.T.Categories}}</h1>
{{range .}}<section class="card">
<h2><a href="{{.URL}}">{{.Name}}</a></h2>
{{if .Description}}<p class="muted">{{.Description}}</p>{{end}}
{{if .Articles}}<ul class="arts">{{range .Articles}}<li><a href="{{.URL}}">{{.Title}}</a></li>{{end}}</ul>{{end}}
</section>{{end}}
{{end}}

{{with .Category}}
<h1>{{.Name}}</h1>
{{if .Description}}<p>{{.Description}}</p>{{end}}
{{range .Sections}}<section class="card">
<h2>{{.Name}}</h2>
{{if .Articles}}<ul class="arts">{{range .Articles}}<li><a href="{{.URL}}">{{.Title}}</a></li>{{end}}</ul>{{else}}<p class="muted">{{$.T.NoArticles}}</p>{{end}}
</section>{{end}}
{{end}}

{{with .Article}}
<article class="card">
<h1>{{.Title}}</h1>
<p class="muted">{{$.T.Updated}}: <time datetime="{{.UpdatedISO}}">{{.Updated}}</time>{{if .OtherURL}} · <a href="{{.OtherURL}}" lang="{{$.T.OtherLang}}" hreflang="{{$.T.OtherLang}}">{{$.T.OtherVersion}}: {{.OtherTitle}}</a>{{end}}</p>
{{.Body}}
</article>
<section class="card">
{{if .Voted}}<p>{{if .JustVoted}}{{$.T.ThanksVote}}{{else}}{{$.T.AlreadyVoted}}{{end}}</p>{{else}}
<form class="vote" method="post" action="/help/{{$.T.Lang}}/a/{{.ID}}/vote">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<span>{{$.T.Helpful}}</span>
<button type="submit" name="helpful" value="yes">{{$.T.Yes}}</button>
<button type="submit" name="helpful" value="no">{{$.T.No}}</button>
</form>{{end}}
{{if $.ContactURL}}<p>{{$.T.StillNeedHelp}} <a href="{{$.ContactURL}}">{{$.T.ContactUs}}</a></p>{{end}}
</section>
{{end}}

{{with .Results}}
<h1>{{$.T.ResultsFor}} „{{$.Query}}“</h1>
{{range .}}<div class="card"><h2><a href="{{.URL}}">{{.Title}}</a></h2><p>{{.Snippet}}</p></div>{{end}}
{{end}}
{{if .NoResults}}<div class="card"><h1>{{$.T.ResultsFor}} „{{$.Query}}“</h1><p>{{$.T.NoResults}}</p></div>{{end}}

{{with .Contact}}
<div class="card">
<h1>{{$.T.ContactUs}}</h1>
<p>{{$.T.ContactIntro}}</p>
{{if .Errors}}<ul class="error" role="alert">{{range .Errors}}<li>{{.}}</li>{{end}}</ul>{{end}}
<form method="post" action="/help/{{$.T.Lang}}/contact">
<input type="hidden" name="csrf" value="{{$.CSRF}}">
<label for="name">{{$.T.Name}}</label><input id="name" name="name" value="{{.Name}}" maxlength="200" autocomplete="name">
<label for="email">{{$.T.Email}}</label><input id="email" type="email" name="email" value="{{.Email}}" required maxlength="320" autocomplete="email" dir="ltr">
<label for="subject">{{$.T.Subject}}</label><input id="subject" name="subject" value="{{.Subject}}" maxlength="200">
<label for="message">{{$.T.Message}}</label><textarea id="message" name="message" required maxlength="10000">{{.Message}}</textarea>
<div class="hp" aria-hidden="true"><label for="website">{{$.T.Website}}</label><input id="website" name="website" tabindex="-1" autocomplete="off"></div>
<p><button type="submit">{{$.T.Send}}</button></p>
</form>
</div>
{{end}}
</main>
<footer>{{if .ContactURL}}<a href="{{.ContactURL}}">{{.T.ContactUs}}</a> · {{end}}<a href="/help/{{.T.Lang}}">{{.T.HelpCenter}}</a></footer>
{{if .WidgetToken}}<script src="/widget.js" data-inbox="{{.WidgetToken}}" data-lang="{{.T.Lang}}" async></script>{{end}}
</body>
</html>
`))
