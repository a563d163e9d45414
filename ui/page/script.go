package page

import (
	"crypto/sha256"
	"encoding/base64"
)

// pageScript highlights, on hover, tap or keyboard focus, the element
// under the pointer and everything it is tied to (its data-links), in the
// picture and in the tables at once. The page reads fully without it.
const pageScript = `(function(){
var on=[];
function clear(){for(var i=0;i<on.length;i++)on[i].classList.remove('hl');on=[];}
function mark(id){var es=document.querySelectorAll('[data-id="'+id+'"]');for(var i=0;i<es.length;i++){es[i].classList.add('hl');on.push(es[i]);}}
function show(el){clear();mark(el.getAttribute('data-id'));var l=(el.getAttribute('data-links')||'').split(' ');for(var i=0;i<l.length;i++)if(l[i])mark(l[i]);}
function pick(ev){var el=ev.target&&ev.target.closest?ev.target.closest('[data-id]'):null;if(el)show(el);}
document.addEventListener('mouseover',pick);
document.addEventListener('click',pick);
document.addEventListener('focusin',pick);
})();`

// scriptHash is the page's Content Security Policy source for
// pageScript: the only script the page lets run.
var scriptHash = func() string {
	h := sha256.Sum256([]byte(pageScript))
	return "'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
}()

// contentPolicy forbids every network request, every other script and
// every inline event handler: the page works from disk, offline, and a
// string that ever escaped its escaping could not run.
var contentPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src " + scriptHash + "; base-uri 'none'; form-action 'none'"
