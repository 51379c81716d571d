import type { BoardData } from '../../core/board/board-view.ts';
import { type Locale, type MessageKey, t } from '../../core/messaging/catalog.ts';
import { inlinePageCsp } from '../page-csp.ts';

/**
 * The live board's page (issue 17 §3): one self-contained HTML document — styles and script inline,
 * the QR codes as inline SVG, nothing fetched but its own events — legible on a projector (huge
 * figures, high contrast) and on a phone (one column). The state comes embedded, so a reload shows
 * it at once; the script then follows `events` (server-sent events) and redraws.
 */

const STYLE = `
*{box-sizing:border-box}
html,body{margin:0;height:100%}
body{background:#0b0f17;color:#f5f7fa;font-family:"Noto Sans","DejaVu Sans",Roboto,"Segoe UI",Arial,sans-serif;
  display:flex;flex-direction:column;min-height:100vh;line-height:1.25}
header{background:#b71c1c;border-bottom:.4rem solid #ffd54f;padding:1rem 2vw;display:flex;gap:1rem;
  align-items:center;justify-content:space-between}
header .kicker{font-size:clamp(.9rem,1.4vw,1.6rem);text-transform:uppercase;letter-spacing:.08em;color:#ffe082;font-weight:700}
header h1{margin:.15rem 0 0;font-size:clamp(1.3rem,2.6vw,3rem);font-weight:800}
#status{font-size:clamp(.8rem,1.1vw,1.3rem);white-space:nowrap;text-align:right}
#status .dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;background:#69f0ae;margin-right:.4em;
  vertical-align:middle;box-shadow:0 0 .6em #69f0ae}
#status.off .dot{background:#ffab40;box-shadow:none}
#updated{display:block;opacity:.85;margin-top:.2rem}
.totals{display:grid;grid-template-columns:1fr 1fr;gap:1.5vw;padding:1.2rem 2vw .6rem}
.total{background:#151c2b;border-radius:1rem;padding:1rem 1.5vw;border:2px solid #263248}
.total h2{margin:0;font-size:clamp(1rem,1.7vw,2rem);color:#cfd8dc;text-transform:uppercase;letter-spacing:.05em}
.total .value{font-size:clamp(2.2rem,5.4vw,6.6rem);font-weight:900;color:#ffd54f;font-variant-numeric:tabular-nums;
  line-height:1.1;margin:.3rem 0;overflow-wrap:anywhere}
.total .sub{font-size:clamp(.95rem,1.5vw,1.8rem);color:#e0e0e0}
.bar{height:.9rem;background:#263248;border-radius:.5rem;overflow:hidden;margin-top:.5rem}
.bar i{display:block;height:100%;background:linear-gradient(90deg,#ffb300,#ffd54f);border-radius:.5rem;transition:width .8s}
main{flex:1;display:grid;grid-template-columns:1.05fr 1.15fr .8fr;gap:1.5vw;padding:.6rem 2vw 1.2rem;min-height:0}
section{background:#151c2b;border-radius:1rem;padding:1rem 1.2vw;border:2px solid #263248;min-height:0;overflow:hidden}
section h2{margin:0 0 .6rem;font-size:clamp(1.05rem,1.6vw,1.9rem);color:#ffe082;text-transform:uppercase;letter-spacing:.05em}
ol,ul{list-style:none;margin:0;padding:0}
.unit{padding:.45rem 0;border-bottom:1px solid #263248}
.unit .name{font-size:clamp(1rem,1.35vw,1.6rem);font-weight:700;display:flex;justify-content:space-between;gap:1rem}
.unit .pct{color:#ffd54f;font-variant-numeric:tabular-nums}
.unit .fig{font-size:clamp(.85rem,1.05vw,1.25rem);color:#b0bec5;font-variant-numeric:tabular-nums}
.unit .bar{height:.55rem;margin-top:.3rem}
.pledge{display:grid;grid-template-columns:auto 1fr;gap:.2rem 1rem;padding:.55rem .4rem;border-bottom:1px solid #263248;
  border-radius:.4rem}
.pledge .time{font-size:clamp(.9rem,1.2vw,1.4rem);color:#90a4ae;font-variant-numeric:tabular-nums;grid-row:span 2}
.pledge .donor{font-size:clamp(1.05rem,1.5vw,1.8rem);font-weight:700}
.pledge .what{font-size:clamp(1.05rem,1.5vw,1.8rem);color:#ffd54f;font-weight:800;font-variant-numeric:tabular-nums}
.pledge .unit-name{font-size:clamp(.8rem,1vw,1.2rem);color:#b0bec5;font-weight:400}
.pledge.new{animation:flash 3s ease-out}
@keyframes flash{0%{background:#ffd54f;color:#0b0f17}100%{background:transparent}}
.flash{animation:glow 2s ease-out}
@keyframes glow{0%{color:#fff;text-shadow:0 0 1.2rem #ffd54f}100%{text-shadow:none}}
.empty{font-size:clamp(1rem,1.4vw,1.7rem);color:#cfd8dc}
.join .codes{display:grid;grid-template-columns:repeat(auto-fit,minmax(8.5rem,1fr));gap:1rem;justify-items:center}
.join figure{margin:0;background:#fff;color:#0b0f17;border-radius:.8rem;padding:.5rem;text-align:center;
  width:100%;max-width:15rem}
.join{flex:none}
#examples-box{flex:1}
.join svg{width:100%;height:auto;display:block}
.join figcaption{font-weight:800;font-size:clamp(1rem,1.4vw,1.6rem);margin-top:.2rem}
.join a{color:inherit;text-decoration:none}
.example{padding:.5rem 0;border-bottom:1px solid #263248}
.example .who{font-weight:800;font-size:clamp(1rem,1.3vw,1.55rem)}
.example .what{font-size:clamp(.9rem,1.1vw,1.3rem);color:#e0e0e0}
.example .unit-name{font-size:clamp(.8rem,1vw,1.15rem);color:#b0bec5}
aside{display:flex;flex-direction:column;gap:1.5vw;min-height:0}
@media (max-width:900px){
  body{display:block}
  section{overflow:visible}
  header{flex-direction:column;align-items:flex-start}
  #status{text-align:left}
  .totals{grid-template-columns:1fr;gap:.8rem;padding:.8rem 1rem .4rem}
  main{grid-template-columns:1fr;gap:.8rem;padding:.4rem 1rem 1rem}
  aside{gap:.8rem}
  .join{order:-1}
}
`;

const SCRIPT = `
(function(){
  var L = JSON.parse(document.getElementById('board-labels').textContent);
  var data = JSON.parse(document.getElementById('board-data').textContent);
  var seen = null;
  function el(tag, cls, text){ var e = document.createElement(tag); if(cls){e.className = cls;} if(text!=null){e.textContent = text;} return e; }
  function fill(s, params){ return s.replace(/\\{(\\w+)\\}/g, function(w, k){ return params[k] != null ? params[k] : w; }); }
  function set(id, text){ var e = document.getElementById(id); if(e.textContent !== text){ e.textContent = text; e.classList.remove('flash'); void e.offsetWidth; e.classList.add('flash'); } }
  function render(d){
    var tt = d.totals;
    set('pledged', tt.pledgedText);
    document.getElementById('pledges').textContent = tt.pledgesText;
    set('received', tt.receivedText);
    document.getElementById('in-kind').textContent = tt.inKindText || '';
    document.getElementById('percent').textContent = fill(L.percent, {percent: tt.percent});
    document.getElementById('percent-bar').style.width = Math.min(100, tt.percent) + '%';
    document.getElementById('updated').textContent = fill(L.updated, {time: d.asOfText});
    var units = document.getElementById('units'); units.textContent = '';
    d.units.forEach(function(u){
      var li = el('li', 'unit'); li.setAttribute('data-testid', 'unit');
      var name = el('div', 'name'); name.appendChild(el('span', null, u.name)); name.appendChild(el('span', 'pct', u.percent + '%'));
      li.appendChild(name);
      li.appendChild(el('div', 'fig', fill(L.unitFigures, {received: u.receivedText, pledged: u.pledgedText})));
      var bar = el('div', 'bar'); var i = el('i'); i.style.width = Math.min(100, u.percent) + '%'; bar.appendChild(i); li.appendChild(bar);
      units.appendChild(li);
    });
    var latest = document.getElementById('latest'); latest.textContent = '';
    var now = {};
    if(d.latest.length === 0){ latest.appendChild(el('li', 'empty', L.none)); }
    d.latest.forEach(function(p){
      now[p.ref] = true;
      var li = el('li', 'pledge' + (seen && !seen[p.ref] ? ' new' : ''));
      li.setAttribute('data-testid', 'pledge'); li.setAttribute('data-ref', p.ref);
      li.appendChild(el('span', 'time', p.time));
      var donor = el('span', 'donor', p.donor);
      if(p.unit){ donor.appendChild(document.createTextNode(' ')); donor.appendChild(el('span', 'unit-name', '· ' + p.unit)); }
      li.appendChild(donor);
      li.appendChild(el('span', 'what', p.what));
      latest.appendChild(li);
    });
    seen = now;
    var ex = document.getElementById('examples'); ex.textContent = '';
    document.getElementById('examples-box').hidden = d.examples.length === 0;
    d.examples.forEach(function(x){
      var li = el('li', 'example');
      li.appendChild(el('div', 'who', x.who));
      li.appendChild(el('div', 'what', x.what));
      if(x.unit){ li.appendChild(el('div', 'unit-name', x.unit)); }
      ex.appendChild(li);
    });
  }
  render(data);
  if(!window.EventSource){ return; }
  var status = document.getElementById('status');
  var source = new EventSource(location.pathname.replace(/\\/$/, '') + '/events' + location.search);
  source.addEventListener('board', function(e){ data = JSON.parse(e.data); render(data); });
  source.onopen = function(){ status.className = ''; document.getElementById('live').textContent = L.live; };
  source.onerror = function(){ status.className = 'off'; document.getElementById('live').textContent = L.reconnecting; };
})();
`;

/** Only the page's own script and styles run; it connects to nothing but its own address. */
export const BOARD_PAGE_CSP = inlinePageCsp(SCRIPT, STYLE);

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a `<script>` element: nothing in it may close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export interface BoardPageInput {
  locale: Locale;
  data: BoardData;
  /** The start links' QR codes as SVG markup (made by `qrcode` on the server). */
  qr: { telegram?: string | undefined; zalo?: string | undefined };
}

/** The board page for a campaign. */
export function boardPageHtml(input: BoardPageInput): string {
  const { locale, data } = input;
  const l = (key: MessageKey, params?: Record<string, string>) => escapeHtml(t(locale, key, params));
  const labels = {
    live: t(locale, 'board.live'),
    reconnecting: t(locale, 'board.reconnecting'),
    updated: t(locale, 'board.updated'),
    percent: t(locale, 'board.percent'),
    unitFigures: t(locale, 'board.unit.figures'),
    none: t(locale, 'board.latest.none'),
  };
  const code = (channel: 'telegram' | 'zalo') => {
    const svg = input.qr[channel];
    const href = data.links[channel];
    return svg && href
      ? `<figure data-testid="qr-${channel}"><a href="${escapeHtml(href)}">${svg}<figcaption>${l(`board.join.${channel}`)}</figcaption></a></figure>`
      : '';
  };
  const codes = code('telegram') + code('zalo');
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${l('board.title')} – ${escapeHtml(data.campaign.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div><div class="kicker">${l('board.title')}</div><h1 data-testid="campaign">${escapeHtml(data.campaign.name)}</h1></div>
  <div id="status" data-testid="status"><span class="dot"></span><span id="live">${l('board.live')}</span><span id="updated"></span></div>
</header>
<div class="totals">
  <div class="total"><h2>${l('board.pledged')}</h2><div class="value" id="pledged" data-testid="total-pledged"></div><div class="sub" id="pledges"></div></div>
  <div class="total"><h2>${l('board.received')}</h2><div class="value" id="received" data-testid="total-received"></div>
    <div class="sub"><span id="percent"></span> <span id="in-kind"></span></div><div class="bar"><i id="percent-bar"></i></div></div>
</div>
<main>
  <section><h2>${l('board.units')}</h2><ol id="units"></ol></section>
  <section><h2>${l('board.latest')}</h2><ol id="latest" data-testid="latest"></ol></section>
  <aside>
    <section class="join"><h2>${l('board.join')}</h2>${codes === '' ? `<p class="empty">${l('board.join.none')}</p>` : `<div class="codes">${codes}</div>`}</section>
    <section id="examples-box"><h2>${l('board.examples')}</h2><ul id="examples"></ul></section>
  </aside>
</main>
<script type="application/json" id="board-labels">${scriptJson(labels)}</script>
<script type="application/json" id="board-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body>
</html>`;
}

/** A short page when there is no board to show (unknown campaign, none at all). */
export function boardMissingHtml(locale: Locale, key: 'board.not_found' | 'board.no_campaign'): string {
  return `<!doctype html>
<html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(t(locale, 'board.title'))}</title><style>${STYLE}</style></head>
<body><header><div><div class="kicker">${escapeHtml(t(locale, 'board.title'))}</div><h1>${escapeHtml(t(locale, key))}</h1></div></header></body></html>`;
}
