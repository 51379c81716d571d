import { inlinePageCsp } from '../page-csp.ts';

/**
 * The playground web page: one self-contained HTML document with inline CSS and JS, so it needs
 * no build step, no CDN and works offline on a training laptop. Text is Vietnamese because the
 * users are ward officials and trainers.
 *
 * The script is written for older phone browsers (no framework, no modules) and only ever puts
 * server text into the page with `textContent`: bot and user text is untrusted.
 * The CSS, script and markup are plain template literals: they must stay free of backticks, `${` and
 * backslashes (a lint rule forbids `String.raw` where no escape occurs, so nothing would be escaped).
 */

const STYLE = `
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  font-size: 18px;
  line-height: 1.45;
  color: #111;
  background: #fff;
  display: flex;
  flex-direction: column;
  height: 100vh;
  height: 100dvh;
}
button, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
button:focus-visible, textarea:focus-visible { outline: 3px solid #ffbf00; outline-offset: 2px; }
.banner {
  flex: none;
  background: #ffe066;
  color: #111;
  border-bottom: 3px solid #111;
  padding: 8px 12px;
  font-size: 17px;
}
.banner strong { display: block; font-size: 18px; }
.banner-sub { display: block; font-size: 17px; }
/* Small screens: in the chat keep only the warning itself, the conversation needs the room. */
.in-chat .banner-sub { display: none; }
.picker { flex: 1; overflow-y: auto; padding: 12px; }
.picker h1 { font-size: 22px; margin: 4px 0 8px; }
.hint { margin: 0 0 12px; color: #333; }
.persona-list { display: flex; flex-direction: column; gap: 10px; max-width: 640px; }
.persona {
  display: block;
  width: 100%;
  text-align: left;
  background: #fff;
  border: 2px solid #0a3d91;
  border-radius: 10px;
  padding: 12px 14px;
  min-height: 56px;
}
.persona:active { background: #e6eefc; }
.persona-name { display: block; font-weight: 700; font-size: 19px; color: #0a3d91; }
.persona-meta { display: block; font-size: 17px; color: #222; }
.list-message { margin: 0 0 8px; }
.chat { flex: 1; min-height: 0; display: flex; flex-direction: column; }
.chat-head {
  flex: none;
  display: flex;
  align-items: center;
  gap: 8px;
  padding: 6px 10px;
  border-bottom: 1px solid #999;
  background: #f4f6f9;
}
.who { flex: 1; min-width: 0; }
.who-name { display: block; font-weight: 700; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.who-meta { display: block; font-size: 17px; color: #333; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.btn {
  min-height: 48px;
  padding: 8px 14px;
  border-radius: 8px;
  border: 2px solid #0a3d91;
  background: #fff;
  color: #0a3d91;
  font-weight: 600;
}
.btn-primary { background: #0a3d91; color: #fff; }
.btn:disabled { opacity: .55; cursor: default; }
.log {
  flex: 1;
  min-height: 0;
  overflow-y: auto;
  padding: 10px;
  display: flex;
  flex-direction: column;
  gap: 8px;
  background: #fff;
}
.empty { color: #333; text-align: center; margin: auto 0; padding: 16px; }
.msg { max-width: 88%; display: flex; flex-direction: column; }
.msg.bot { align-self: flex-start; }
.msg.user { align-self: flex-end; align-items: flex-end; }
.bubble {
  padding: 8px 12px;
  border-radius: 12px;
  white-space: pre-wrap;
  overflow-wrap: anywhere;
  word-break: break-word;
}
.bot .bubble { background: #eef1f6; border: 1px solid #8a94a6; color: #111; border-top-left-radius: 4px; }
.user .bubble { background: #0a3d91; color: #fff; border-top-right-radius: 4px; }
.msg[data-pending] .bubble { opacity: .75; }
.msg[data-failed] .bubble { background: #8b1a1a; }
.meta { font-size: 14px; color: #444; margin-top: 2px; }
.chart { display: block; width: 100%; max-width: 480px; height: auto; margin-bottom: 6px; border: 1px solid #8a94a6; border-radius: 8px; background: #fff; }
.qr { display: block; width: 264px; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid #8a94a6; border-radius: 8px; background: #fff; }
.caption { max-width: 264px; margin: 4px 0 6px; font-size: 0.85em; color: #3b4454; }
.file { display: inline-block; margin-top: 6px; padding: 6px 10px; border: 2px solid #0b4f9c; border-radius: 8px; color: #0b4f9c; font-weight: 600; text-decoration: none; }
.choices { display: flex; flex-direction: column; gap: 6px; margin-top: 6px; }
.choice-row { display: flex; gap: 6px; }
.choice {
  flex: 1 1 0;
  min-width: 0;
  min-height: 48px;
  padding: 8px 10px;
  border-radius: 8px;
  border: 2px solid #0a3d91;
  background: #fff;
  color: #0a3d91;
  font-weight: 600;
  overflow-wrap: anywhere;
}
.choice:active { background: #e6eefc; }
.choice:disabled { border-color: #aaa; color: #555; background: #f2f2f2; cursor: default; }
.choice.chosen:disabled { border-color: #0a3d91; color: #0a3d91; }
.statusbar { flex: none; padding: 0 10px; font-size: 17px; min-height: 0; }
.statusbar:empty { display: none; }
.status-line { display: flex; align-items: center; gap: 8px; padding: 4px 0; }
.status-line.error { color: #8b1a1a; font-weight: 600; }
.quick { flex: none; display: flex; gap: 6px; padding: 6px 10px 0; border-top: 1px solid #999; }
.quick .btn { flex: 1; padding: 6px 8px; white-space: nowrap; }
.composer { flex: none; display: flex; gap: 6px; padding: 6px 10px 10px; align-items: flex-end; }
.composer textarea {
  flex: 1;
  min-width: 0;
  min-height: 48px;
  max-height: 40vh;
  resize: none;
  padding: 10px;
  border: 2px solid #333;
  border-radius: 8px;
  background: #fff;
  font-size: 18px;
}
.composer .btn { flex: none; }
.picker-head { display: flex; align-items: center; justify-content: space-between; gap: 8px; flex-wrap: wrap; max-width: 640px; }
.notice { max-width: 640px; margin: 0 0 12px; padding: 8px 12px; border: 2px solid #1b6e3a; border-radius: 8px; background: #eaf6ee; }
.notice.error { border-color: #8b1a1a; background: #fbeaea; color: #8b1a1a; }
.persona.group { border-color: #1b6e3a; }
.persona.group .persona-name { color: #1b6e3a; }
.persona.stranger { border-style: dashed; }
.as-row { flex: none; display: flex; align-items: center; gap: 6px; padding: 4px 10px; border-bottom: 1px solid #999; background: #f4f6f9; font-size: 17px; }
.as-row label { flex: none; }
.as-row select { flex: 1; min-width: 0; min-height: 44px; font: inherit; padding: 4px 6px; border: 2px solid #333; border-radius: 8px; background: #fff; }
.bubble b { font-weight: 700; }
.bubble code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; padding: 0 3px; border-radius: 4px; background: #dde3ee; }
.user .bubble code { background: rgba(255, 255, 255, 0.2); }
`;

const SCRIPT = `
(function () {
  'use strict';
  var API = '/api/playground';
  var STORAGE_KEY = 'mttq.playground.personaId';
  var MAX_RETRIES = 3;
  var POLL_WAIT_SECONDS = 20;
  var MAX_TEXT = 4000;

  function byId(id) { return document.getElementById(id); }
  var els = {
    picker: byId('picker'),
    list: byId('persona-list'),
    chat: byId('chat'),
    log: byId('log'),
    input: byId('input'),
    send: byId('send'),
    sendStatus: byId('send-status'),
    netStatus: byId('net-status'),
    whoName: byId('who-name'),
    whoMeta: byId('who-meta'),
    switchBtn: byId('switch'),
    reset: byId('reset'),
    pickerNotice: byId('picker-notice'),
    seedHint: byId('seed-hint'),
    asRow: byId('as-row'),
    asSelect: byId('as-select'),
    quick: byId('quick')
  };

  // The inline emphasis of the bot's texts (core/messaging/markup.ts): private-use marker characters.
  var BOLD_OPEN = String.fromCharCode(0xE000);
  var BOLD_CLOSE = String.fromCharCode(0xE001);
  var CODE_OPEN = String.fromCharCode(0xE002);
  var CODE_CLOSE = String.fromCharCode(0xE003);
  var MARKERS = new RegExp('[' + BOLD_OPEN + '-' + CODE_CLOSE + ']', 'g');
  function plain(text) { return String(text === undefined || text === null ? '' : text).replace(MARKERS, ''); }

  // Bold and code spans as b and code elements; every piece of text a text node (never HTML).
  function renderMarked(parent, text) {
    var stack = [parent];
    var run = '';
    function flush() {
      if (run) { stack[stack.length - 1].appendChild(document.createTextNode(run)); run = ''; }
    }
    function open(tag) {
      flush();
      var node = document.createElement(tag);
      stack[stack.length - 1].appendChild(node);
      stack.push(node);
    }
    function close(tag) {
      flush();
      if (stack.length > 1 && stack[stack.length - 1].tagName.toLowerCase() === tag) { stack.pop(); }
    }
    var s = String(text === undefined || text === null ? '' : text);
    for (var i = 0; i < s.length; i++) {
      var ch = s.charAt(i);
      if (ch === BOLD_OPEN) { open('b'); }
      else if (ch === CODE_OPEN) { open('code'); }
      else if (ch === BOLD_CLOSE) { close('b'); }
      else if (ch === CODE_CLOSE) { close('code'); }
      else { run += ch; }
    }
    flush();
    return parent;
  }

  var QUICK = {
    person: [['/menu', 'Danh mục', 'menu'], ['/help', 'Trợ giúp', 'help'], ['/cancel', 'Hủy', 'cancel']],
    group: [['/dangkynhom', 'Đăng ký nhóm', 'dangkynhom'], ['/digest', 'Bản tin', 'digest']]
  };

  var state = {
    persona: null,
    personas: [],
    canReset: false,
    lastSeq: 0,
    gen: 0,
    pollAbort: null,
    queue: Promise.resolve(),
    inflight: 0,
    pending: new Map()
  };

  // The persona open in this tab (a stranger is in no list, so the whole persona is kept).
  function storageGet() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(STORAGE_KEY) || 'null');
      return saved && typeof saved.id === 'string' ? saved : null;
    } catch (e) { return null; }
  }
  function storageSet(persona) {
    try {
      if (persona === null) { window.sessionStorage.removeItem(STORAGE_KEY); } else { window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify(persona)); }
    } catch (e) { /* private mode: the choice just is not remembered */ }
  }

  // crypto.randomUUID only exists in secure contexts; a phone opening http://192.168.x.x:PORT is not one.
  function newId() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === 'function') {
      try { return c.randomUUID(); } catch (e) { /* fall through */ }
    }
    var b = new Uint8Array(16);
    if (c && typeof c.getRandomValues === 'function') {
      c.getRandomValues(b);
    } else {
      for (var i = 0; i < 16; i++) { b[i] = Math.floor(Math.random() * 256); }
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = '';
    for (var j = 0; j < 16; j++) { h += (b[j] < 16 ? '0' : '') + b[j].toString(16); }
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // Network failures throw; HTTP errors resolve with their status so callers decide about retries.
  function request(method, url, body, timeoutMs, outerSignal) {
    var ctrl = new AbortController();
    var timer = setTimeout(function () { ctrl.abort(); }, timeoutMs);
    function onAbort() { ctrl.abort(); }
    if (outerSignal) { outerSignal.addEventListener('abort', onAbort); }
    var init = { method: method, signal: ctrl.signal, cache: 'no-store', headers: { accept: 'application/json' } };
    if (body !== null) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    return fetch(url, init).then(function (res) {
      return res.json().then(
        function (data) { return { status: res.status, data: data }; },
        function () { return { status: res.status, data: null }; }
      );
    }).finally(function () {
      clearTimeout(timer);
      if (outerSignal) { outerSignal.removeEventListener('abort', onAbort); }
    });
  }

  function formatTime(iso) {
    try {
      var d = new Date(iso);
      if (isNaN(d.getTime())) { return ''; }
      // The bot's own times are Vietnam's: the page shows the same clock, wherever the browser is.
      return d.toLocaleTimeString('vi-VN', { hour: '2-digit', minute: '2-digit', timeZone: 'Asia/Ho_Chi_Minh' });
    } catch (e) { return ''; }
  }

  /* ---------- status lines ---------- */

  function setSendStatus(text, isError, retry) {
    els.sendStatus.textContent = '';
    if (!text) { return; }
    var line = el('div', 'status-line' + (isError ? ' error' : ''));
    line.appendChild(el('span', '', text));
    if (retry) {
      var btn = el('button', 'btn', 'Gửi lại');
      btn.type = 'button';
      btn.setAttribute('data-testid', 'retry');
      btn.addEventListener('click', retry);
      line.appendChild(btn);
    }
    els.sendStatus.appendChild(line);
  }

  function setNetStatus(text) {
    els.netStatus.textContent = '';
    if (text) { els.netStatus.appendChild(el('div', 'status-line error', text)); }
  }

  /* ---------- persona picker ---------- */

  function showListMessage(text, retry) {
    els.list.textContent = '';
    els.list.appendChild(el('p', 'list-message', text));
    if (retry) {
      var btn = el('button', 'btn', 'Tải lại');
      btn.type = 'button';
      btn.addEventListener('click', retry);
      els.list.appendChild(btn);
    }
  }

  function renderPersonas() {
    els.list.textContent = '';
    var people = state.personas.filter(function (p) { return p.kind === 'person'; });
    els.seedHint.hidden = people.length > 0;
    els.reset.hidden = !state.canReset;
    state.personas.forEach(function (p) {
      var btn = el('button', 'persona' + (p.kind === 'group' || p.kind === 'stranger' ? ' ' + p.kind : ''));
      btn.type = 'button';
      btn.setAttribute('data-testid', 'persona-' + p.id);
      btn.appendChild(el('span', 'persona-name', (p.kind === 'group' ? '👥 ' : p.kind === 'stranger' ? '➕ ' : '') + p.name));
      btn.appendChild(el('span', 'persona-meta', p.unitName ? p.roleLabel + ' · ' + p.unitName : p.roleLabel));
      btn.addEventListener('click', function () {
        if (p.kind === 'stranger') { newStranger(btn); } else { openChat(p); }
      });
      els.list.appendChild(btn);
    });
  }

  function setPickerNotice(text, isError) {
    els.pickerNotice.textContent = text || '';
    els.pickerNotice.className = 'notice' + (isError ? ' error' : '');
    els.pickerNotice.hidden = !text;
  }

  // "Khách mới": the server makes a new stranger (and a demo invite to try) each time.
  function newStranger(btn) {
    btn.disabled = true;
    request('POST', API + '/strangers', {}, 15000, null).then(function (r) {
      if (r.status !== 201 || !r.data || !r.data.persona) { throw new Error('HTTP ' + r.status); }
      openChat(r.data.persona);
    }).catch(function () {
      setPickerNotice('Không tạo được người mới. Kiểm tra máy chủ rồi thử lại.', true);
    }).finally(function () { btn.disabled = false; });
  }

  function startOver() {
    var sure = window.confirm('Bắt đầu lại từ đầu? Mọi thứ đã làm trong dữ liệu mẫu (báo cáo, đăng ký ủng hộ, phản ánh, nhóm…) và mọi cuộc trò chuyện sẽ bị xóa; dữ liệu mẫu trở lại như mới, tính đến hôm nay.');
    if (!sure) { return; }
    els.reset.disabled = true;
    setPickerNotice('Đang bắt đầu lại…', false);
    request('POST', API + '/reset', { confirm: true }, 60000, null).then(function (r) {
      if (r.status !== 200) {
        setPickerNotice(r.data && typeof r.data.error === 'string' ? r.data.error : 'Không bắt đầu lại được (mã ' + r.status + ').', true);
        return;
      }
      return loadPersonas().then(function () {
        setPickerNotice('Đã bắt đầu lại: dữ liệu mẫu như mới, các cuộc trò chuyện đã xóa.', false);
      });
    }).catch(function () {
      setPickerNotice('Không bắt đầu lại được: mất kết nối tới máy chủ. Thử lại sau.', true);
    }).finally(function () { els.reset.disabled = false; });
  }

  function loadPersonas() {
    els.list.setAttribute('aria-busy', 'true');
    if (state.personas.length === 0) { showListMessage('Đang tải danh sách…', null); }
    return request('GET', API + '/personas', null, 15000, null).then(function (r) {
      if (r.status !== 200 || !r.data || !Array.isArray(r.data.personas)) { throw new Error('HTTP ' + r.status); }
      state.personas = r.data.personas;
      state.canReset = r.data.canReset === true;
      renderPersonas();
      var saved = storageGet();
      if (saved && !state.persona) {
        var found = state.personas.filter(function (p) { return p.id === saved.id; })[0];
        if (found) { openChat(found); } else if (saved.id.indexOf('khach-') === 0) { openChat(saved); }
      }
    }).catch(function () {
      showListMessage('Không tải được danh sách người dùng mẫu. Kiểm tra máy chủ rồi thử lại.', loadPersonas);
    }).finally(function () {
      els.list.removeAttribute('aria-busy');
    });
  }

  function stopConversation() {
    state.gen += 1;
    if (state.pollAbort) { state.pollAbort.abort(); state.pollAbort = null; }
    state.queue = Promise.resolve();
    state.inflight = 0;
    state.pending = new Map();
    state.lastSeq = 0;
    els.log.textContent = '';
    setSendStatus('', false, null);
    setNetStatus('');
  }

  function showPicker() {
    stopConversation();
    state.persona = null;
    storageSet(null);
    els.chat.hidden = true;
    els.picker.hidden = false;
    document.body.classList.remove('in-chat');
    // Read again: a stranger who registered meanwhile is one of the personas now.
    renderPersonas();
    loadPersonas();
  }

  function renderQuick(kind) {
    els.quick.textContent = '';
    QUICK[kind === 'group' ? 'group' : 'person'].forEach(function (q) {
      var btn = el('button', 'btn', q[1]);
      btn.type = 'button';
      btn.setAttribute('data-testid', 'quick-' + q[2]);
      btn.addEventListener('click', function () { submit({ text: q[0] }, q[0]); });
      els.quick.appendChild(btn);
    });
  }

  // In a group the person writes as one of its members, chosen here.
  function renderMembers(p) {
    els.asSelect.textContent = '';
    var members = p.kind === 'group' && Array.isArray(p.members) ? p.members : [];
    members.forEach(function (m) {
      var option = el('option', '', m.name + ' (' + m.roleLabel + ')');
      option.value = m.id;
      els.asSelect.appendChild(option);
    });
    els.asRow.hidden = members.length === 0;
  }

  function openChat(p) {
    stopConversation();
    setPickerNotice('', false);
    state.persona = p;
    storageSet(p);
    els.whoName.textContent = (p.kind === 'group' ? '👥 ' : '') + p.name;
    els.whoMeta.textContent = p.unitName ? p.roleLabel + ' · ' + p.unitName : p.roleLabel;
    renderMembers(p);
    renderQuick(p.kind);
    els.input.value = '';
    showEmptyHint();
    els.picker.hidden = true;
    els.chat.hidden = false;
    document.body.classList.add('in-chat');
    els.input.focus();
    pollLoop(state.gen);
  }

  /* ---------- conversation ---------- */

  function showEmptyHint() {
    var group = state.persona && state.persona.kind === 'group';
    var hint = el('div', 'empty', group
      ? 'Nhóm chưa có tin nhắn. Bấm "Đăng ký nhóm" để nhóm nhận bản tin, rồi "Bản tin" để xem ngay.'
      : 'Chưa có tin nhắn. Bấm "Danh mục" hoặc gõ /start để bắt đầu.');
    hint.id = 'empty-hint';
    els.log.appendChild(hint);
  }

  function removeEmptyHint() {
    var hint = byId('empty-hint');
    if (hint) { hint.remove(); }
  }

  function scrollToEnd() { els.log.scrollTop = els.log.scrollHeight; }

  // Optimistic bubbles stay at the bottom; stored messages go above them, in seq order.
  function insertStored(node) {
    var firstPending = els.log.querySelector('.msg[data-pending]');
    if (firstPending) { els.log.insertBefore(node, firstPending); } else { els.log.appendChild(node); }
  }

  function userBubble(text, at, senderName) {
    var wrap = el('div', 'msg user');
    wrap.setAttribute('data-testid', 'msg-user');
    wrap.appendChild(el('div', 'bubble', text));
    var when = at ? formatTime(at) : 'Đang gửi…';
    wrap.appendChild(el('div', 'meta', senderName ? senderName + ' · ' + when : when));
    return wrap;
  }

  function botBubble(m) {
    var wrap = el('div', 'msg bot');
    wrap.setAttribute('data-testid', 'msg-bot');
    // A chart (SVG) goes in an img: an image cannot run script, whatever its source holds.
    if (m.image && typeof m.image.svg === 'string') {
      var img = el('img', 'chart');
      img.setAttribute('data-testid', 'msg-image');
      img.alt = plain(m.image.caption) || 'Biểu đồ';
      img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(m.image.svg);
      wrap.appendChild(img);
    } else if (typeof m.imageUrl === 'string' && m.imageUrl.indexOf('/api/playground/images/') === 0) {
      // A payment QR, drawn by the server as the messengers send it; its caption under it.
      var caption = m.image && typeof m.image.caption === 'string' ? m.image.caption : '';
      var qr = el('img', 'qr');
      qr.setAttribute('data-testid', 'msg-qr');
      qr.alt = caption || 'Mã QR chuyển khoản';
      qr.src = m.imageUrl;
      wrap.appendChild(qr);
      if (caption) { wrap.appendChild(el('div', 'caption', plain(caption))); }
    }
    var bubble = el('div', 'bubble');
    bubble.setAttribute('data-testid', 'msg-text');
    wrap.appendChild(renderMarked(bubble, m.text));
    // A built file (an Excel export): a download link, only to the playground's own file path.
    if (m.file && typeof m.file.url === 'string' && m.file.url.indexOf('/api/playground/files/') === 0) {
      var link = el('a', 'file', '📎 ' + String(m.file.name || 'tep.xlsx'));
      link.setAttribute('data-testid', 'msg-file');
      link.href = m.file.url;
      link.setAttribute('download', String(m.file.name || 'tep.xlsx'));
      wrap.appendChild(link);
    }
    if (Array.isArray(m.choices) && m.choices.length > 0) {
      var box = el('div', 'choices');
      m.choices.forEach(function (row) {
        if (!Array.isArray(row) || row.length === 0) { return; }
        var rowEl = el('div', 'choice-row');
        row.forEach(function (choice) {
          var btn = el('button', 'choice', plain(choice.label));
          btn.type = 'button';
          btn.setAttribute('data-testid', 'choice-' + choice.id);
          btn.addEventListener('click', function () { pressChoice(wrap, btn, choice); });
          rowEl.appendChild(btn);
        });
        box.appendChild(rowEl);
      });
      wrap.appendChild(box);
    }
    wrap.appendChild(el('div', 'meta', formatTime(m.at)));
    return wrap;
  }

  // Only the newest bot message keeps live buttons, like a conversation that moves on.
  function refreshChoices() {
    var bots = els.log.querySelectorAll('.msg.bot');
    for (var i = 0; i < bots.length; i++) {
      var live = i === bots.length - 1 && !bots[i].hasAttribute('data-locked');
      var buttons = bots[i].querySelectorAll('button.choice');
      for (var j = 0; j < buttons.length; j++) { buttons[j].disabled = !live; }
    }
  }

  function clearStored() {
    var stored = els.log.querySelectorAll('.msg:not([data-pending]):not([data-failed])');
    for (var i = 0; i < stored.length; i++) { stored[i].remove(); }
    state.lastSeq = 0;
  }

  function applyMessages(list) {
    if (list.length > 0 && list[0].seq <= state.lastSeq) {
      // The server restarted (its seq went back): it sent the whole history again, so redraw.
      clearStored();
    }
    var added = false;
    list.forEach(function (m) {
      if (typeof m.seq !== 'number' || m.seq <= state.lastSeq) { return; }
      state.lastSeq = m.seq;
      removeEmptyHint();
      if (m.from === 'user') {
        if (m.clientMessageId && state.pending.has(m.clientMessageId)) {
          state.pending.get(m.clientMessageId).remove();
          state.pending.delete(m.clientMessageId);
        }
        insertStored(userBubble(m.text, m.at, m.senderName));
      } else {
        insertStored(botBubble(m));
      }
      added = true;
    });
    if (added) {
      refreshChoices();
      scrollToEnd();
    }
  }

  function pollLoop(gen) {
    var backoff = 1000;
    function next() {
      if (gen !== state.gen || !state.persona) { return; }
      var ctrl = new AbortController();
      state.pollAbort = ctrl;
      var started = Date.now();
      var url = API + '/messages?personaId=' + encodeURIComponent(state.persona.id) +
        '&after=' + state.lastSeq + '&wait=' + POLL_WAIT_SECONDS;
      request('GET', url, null, (POLL_WAIT_SECONDS + 15) * 1000, ctrl.signal).then(function (r) {
        if (gen !== state.gen) { return; }
        if (r.status === 404) {
          setNetStatus('Không tìm thấy người dùng mẫu này nữa. Hãy bấm "Đổi người".');
          return;
        }
        if (r.status !== 200 || !r.data || !Array.isArray(r.data.messages)) { throw new Error('HTTP ' + r.status); }
        setNetStatus('');
        backoff = 1000;
        applyMessages(r.data.messages);
        // Never spin: an empty answer that came back at once waits a moment before the next poll.
        var delay = r.data.messages.length === 0 && Date.now() - started < 1000 ? 1000 : 0;
        return sleep(delay).then(next);
      }).catch(function () {
        if (gen !== state.gen) { return; }
        setNetStatus('Mất kết nối tới máy chủ, đang thử kết nối lại…');
        var wait = backoff + Math.floor(Math.random() * 500);
        backoff = Math.min(backoff * 2, 30000);
        return sleep(wait).then(next);
      });
    }
    next();
  }

  /* ---------- sending ---------- */

  function markFailed(bubble, message, retry) {
    bubble.removeAttribute('data-pending');
    bubble.setAttribute('data-failed', '');
    var meta = bubble.querySelector('.meta');
    if (meta) { meta.textContent = retry ? 'Chưa gửi được — bấm để gửi lại' : 'Chưa gửi được'; }
    var once = null;
    if (retry) {
      // The status button and the failed bubble both retry; whichever is used first disarms both.
      var used = false;
      once = function () {
        if (used) { return; }
        used = true;
        bubble.onclick = null;
        setSendStatus('', false, null);
        retry();
      };
      bubble.onclick = once;
    }
    setSendStatus(message, true, once);
  }

  async function deliver(body, bubble, gen) {
    state.inflight += 1;
    bubble.removeAttribute('data-failed');
    bubble.setAttribute('data-pending', '');
    setSendStatus('Đang gửi…', false, null);
    try {
      for (var attempt = 0; attempt <= MAX_RETRIES; attempt++) {
        if (attempt > 0) {
          await sleep(500 * Math.pow(2, attempt - 1));
        }
        if (gen !== state.gen) { return; }
        var r;
        try {
          r = await request('POST', API + '/messages', body, 30000, null);
        } catch (e) {
          continue; // network failure: retry with the same clientMessageId, the server dedupes.
        }
        if (gen !== state.gen) { return; }
        if (r.status >= 200 && r.status < 300) {
          bubble.removeAttribute('data-pending');
          if (state.inflight <= 1) { setSendStatus('', false, null); }
          return;
        }
        if (r.status >= 500 || r.status === 408 || r.status === 429) { continue; }
        var msg = r.data && typeof r.data.error === 'string' ? r.data.error : 'Máy chủ từ chối tin nhắn (mã ' + r.status + ').';
        markFailed(bubble, msg, null);
        return;
      }
      markFailed(bubble, 'Lỗi mạng, thử lại', function () { enqueue(body, bubble, gen); });
    } finally {
      if (gen === state.gen) { state.inflight -= 1; }
    }
  }

  function enqueue(body, bubble, gen) {
    var job = state.queue.then(function () { return deliver(body, bubble, gen); });
    // Sequential sending keeps the order the person typed in; a failure must not block the queue.
    state.queue = job.catch(function () {});
    return job;
  }

  function submit(payload, display) {
    if (!state.persona) { return Promise.resolve(); }
    var body = { personaId: state.persona.id, clientMessageId: newId() };
    if (!els.asRow.hidden && els.asSelect.value) { body.senderId = els.asSelect.value; }
    if (payload.text !== undefined) { body.text = payload.text; }
    if (payload.choiceId !== undefined) { body.choiceId = payload.choiceId; }
    removeEmptyHint();
    var bubble = userBubble(display, null, body.senderId ? els.asSelect.options[els.asSelect.selectedIndex].text : '');
    bubble.setAttribute('data-pending', '');
    state.pending.set(body.clientMessageId, bubble);
    els.log.appendChild(bubble);
    scrollToEnd();
    return enqueue(body, bubble, state.gen);
  }

  function pressChoice(msgEl, btn, choice) {
    if (btn.disabled) { return; }
    msgEl.setAttribute('data-locked', '');
    btn.classList.add('chosen');
    refreshChoices();
    submit({ choiceId: choice.id }, plain(choice.label)).finally(function () {
      msgEl.removeAttribute('data-locked');
      refreshChoices();
    });
  }

  function sendTyped() {
    var text = els.input.value.trim();
    if (!text) { els.input.focus(); return; }
    if (text.length > MAX_TEXT) {
      setSendStatus('Tin nhắn quá dài (tối đa ' + MAX_TEXT + ' ký tự).', true, null);
      return;
    }
    els.input.value = '';
    autoGrow();
    els.input.focus();
    submit({ text: text }, text);
  }

  function autoGrow() {
    els.input.style.height = 'auto';
    els.input.style.height = Math.min(els.input.scrollHeight + 4, window.innerHeight * 0.4) + 'px';
  }

  els.send.addEventListener('click', sendTyped);
  els.input.addEventListener('keydown', function (e) {
    // Vietnamese input methods compose letters: Enter during composition is not a send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendTyped();
    }
  });
  els.input.addEventListener('input', autoGrow);
  els.switchBtn.addEventListener('click', showPicker);
  els.reset.addEventListener('click', startOver);

  loadPersonas();
})();
`;

const BODY = `
<header class="banner" data-testid="banner" role="note">
  <strong>Môi trường thử nghiệm cục bộ — không gửi tin nhắn thật</strong>
  <span class="banner-sub">Chỉ dùng để tập huấn và thử bot. Không có tin nhắn nào được gửi qua Telegram hay Zalo.</span>
</header>
<main id="picker" class="picker">
  <div class="picker-head">
    <h1>Chọn người để thử</h1>
    <button type="button" id="reset" class="btn" data-testid="reset" hidden>Bắt đầu lại</button>
  </div>
  <p id="picker-notice" class="notice" data-testid="picker-notice" role="status" hidden></p>
  <p class="hint">Mỗi người là một cán bộ mẫu; một nhóm là nhóm chat lãnh đạo, anh/chị viết trong đó với tư cách một thành viên. "Khách mới" là một người chưa đăng ký. Tin bot tự gửi (nhắc hạn, báo phản ánh, báo đã nhận tiền…) hiện ở trang của người nhận.</p>
  <p id="seed-hint" class="notice" data-testid="seed-hint" hidden>Cơ sở dữ liệu này chưa có người dùng mẫu. Trên máy thử (không có token Telegram/Zalo), chạy "npm run db:seed" để nạp dữ liệu mẫu rồi tải lại trang.</p>
  <div id="persona-list" class="persona-list" data-testid="persona-list"></div>
</main>
<section id="chat" class="chat" aria-label="Trò chuyện với bot" hidden>
  <div class="chat-head">
    <div class="who"><span id="who-name" class="who-name" data-testid="persona-name"></span><span id="who-meta" class="who-meta"></span></div>
    <button type="button" id="switch" class="btn" data-testid="switch-persona">Đổi người</button>
  </div>
  <div id="as-row" class="as-row" hidden>
    <label for="as-select">Người viết</label>
    <select id="as-select" data-testid="as-member"></select>
  </div>
  <div id="log" class="log" data-testid="chat-log" role="log" aria-live="polite" aria-label="Cuộc trò chuyện"></div>
  <div class="statusbar" id="net-status" data-testid="net-status" role="status"></div>
  <div class="statusbar" id="send-status" data-testid="status" role="status" aria-live="polite"></div>
  <div id="quick" class="quick"></div>
  <div class="composer">
    <textarea id="input" data-testid="input" rows="1" maxlength="4000" enterkeyhint="send" autocomplete="off"
      placeholder="Nhập tin nhắn…" aria-label="Nội dung tin nhắn"></textarea>
    <button type="button" id="send" class="btn btn-primary" data-testid="send">Gửi</button>
  </div>
</section>
`;

/** The complete playground page. */
export const PLAYGROUND_PAGE_HTML = `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover">
<meta name="color-scheme" content="light">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Thử bot — môi trường cục bộ</title>
<style>${STYLE}</style>
</head>
<body>${BODY}<script>${SCRIPT}</script>
</body>
</html>
`;

/**
 * Content-Security-Policy for the page. The inline script and style are allowed by hash, so even
 * if some bot text ever reached the DOM as HTML, no injected script could run or call out.
 */
export const PLAYGROUND_PAGE_CSP = inlinePageCsp(SCRIPT, STYLE);
