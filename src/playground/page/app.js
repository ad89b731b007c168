'use strict';
// The playground page. It builds each request as Discord would send it — a command (type 2),
// an autocomplete keystroke (4), a menu pick (3), a message — posts it to the playground's door
// on the bot's one router, and draws exactly the body that comes back. Nothing here decides
// what the bot says; the commands themselves come from /api/commands.

const $ = (selector) => document.querySelector(selector);
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

const S = { session: null, entries: [], messageCommands: [], cmd: null, popup: null, moved: false, seq: 0, reloads: null, ids: 0 };
// Keystroke (input event) → autocomplete list drawn, in ms; the browser test reads it.
window.marqueeTimings = [];

async function api(path, body) {
  const init = body === undefined ? {} : {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  };
  const response = await fetch(path, init);
  const json = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(json.message || `HTTP ${response.status}`);
  return json;
}

// ---- Discord's markdown, minimally: escaped text, **bold**, [links](url), `code`, mentions.
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
function stamp(seconds, style) {
  const date = new Date(seconds * 1000);
  if (style !== 'R') return date.toLocaleString();
  const s = (date - Date.now()) / 1000;
  const [n, unit] = Math.abs(s) < 3600 ? [s / 60, 'minute'] : Math.abs(s) < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(Math.round(n), unit);
}
function md(text) {
  const who = (id) => (id === S.session.bot_id ? 'Marquee' : id === S.session.user_id ? 'you' : 'someone');
  return esc(text)
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
    .replace(/\*\*([^*]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/&#60;@!?(\d+)&#62;/g, (_, id) => `<span class="mention">@${who(id)}</span>`)
    .replace(/&#60;#(\d+)&#62;/g, (_, id) => `<span class="mention">#${id === S.session.channel_id ? 'playground' : 'channel'}</span>`)
    .replace(/&#60;t:(-?\d+)(?::([tTdDfFR]))?&#62;/g, (_, t, style) => `<span class="mention">${esc(stamp(+t, style))}</span>`)
    .replace(/\n/g, '<br>');
}
function rich(cls, text) {
  const e = el('div', cls);
  e.innerHTML = md(text);
  return e;
}

// ---- Messages as Discord draws them.
function linkOr(cls, text, url) {
  const e = el('div', cls);
  if (url) {
    const a = el('a', null, text);
    Object.assign(a, { href: url, target: '_blank', rel: 'noopener' });
    e.append(a);
  } else e.textContent = text;
  return e;
}
function picture(cls, url) {
  const box = el('div', cls);
  const img = el('img');
  img.alt = '';
  img.src = url;
  // Offline (or a dead link): say what would be there instead of a broken image.
  img.onerror = () => img.replaceWith(el('div', 'noimg', `picture: ${new URL(url).host}`));
  box.append(img);
  return box;
}
function embed(e) {
  const d = el('div', 'embed');
  if (e.color != null) d.style.setProperty('--bar', `#${e.color.toString(16).padStart(6, '0')}`);
  if (e.author && e.author.name) d.append(linkOr('e-author', e.author.name, e.author.url));
  if (e.title) d.append(linkOr('e-title', e.title, e.url));
  if (e.description) d.append(rich('e-desc', e.description));
  if (e.fields && e.fields.length) {
    const fields = el('div', 'e-fields');
    for (const f of e.fields) {
      const field = el('div', f.inline ? 'e-field inline' : 'e-field');
      field.append(el('div', 'n', f.name), rich('v', f.value));
      fields.append(field);
    }
    d.append(fields);
  }
  if (e.image && e.image.url) d.append(picture('e-image', e.image.url));
  if (e.thumbnail && e.thumbnail.url) d.append(picture('e-thumb', e.thumbnail.url));
  if (e.footer && e.footer.text) d.append(el('div', 'e-footer', e.footer.text));
  return d;
}
function select(c, message) {
  const box = el('div', 'select');
  const options = c.options || [];
  const chosen = options.find((o) => o.default);
  const now = el('button', 'sel-now', chosen ? chosen.label : c.placeholder || 'Make a selection');
  now.type = 'button';
  const menu = el('div', 'sel-menu');
  menu.hidden = true;
  menu.setAttribute('role', 'listbox');
  for (const o of options) {
    const b = el('button', o.default ? 'sel-opt on' : 'sel-opt', o.label);
    b.type = 'button';
    b.dataset.value = o.value;
    if (o.description) b.append(el('small', null, o.description));
    b.onclick = () => { menu.hidden = true; pick(message, c, o); };
    menu.append(b);
  }
  now.onclick = () => { menu.hidden = !menu.hidden; };
  box.append(now, menu);
  return box;
}
function row(r, message) {
  const d = el('div', 'row');
  for (const c of r.components || []) {
    if (c.type === 2 && c.url) {
      const a = el('a', 'link', c.label || '');
      Object.assign(a, { href: c.url, target: '_blank', rel: 'noopener' });
      d.append(a);
    } else if (c.type === 2 && c.custom_id) {
      const b = el('button', 'action', c.label || '');
      b.type = 'button';
      b.onclick = () => press(message, c);
      d.append(b);
    } else if (c.type === 3) d.append(select(c, message));
  }
  return d;
}
function time() {
  return `Today at ${new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}
function article(who, context) {
  const a = el('article', 'msg');
  a.dataset.id = String(++S.ids);
  if (context) a.append(context);
  const bot = who === 'bot';
  a.append(el('div', bot ? 'avatar bot' : 'avatar you', bot ? 'M' : 'Y'));
  const head = el('div', 'head');
  head.append(el('span', 'name', bot ? 'Marquee' : 'you'));
  if (bot) head.append(el('span', 'tag', 'APP'));
  head.append(el('time', null, time()));
  const main = el('div', 'main');
  main.append(head);
  a.append(main);
  $('#messages').append(a);
  return a;
}
// Draws (or redraws, for an UPDATE_MESSAGE) a bot message from what the router returned.
function fill(a, shown, json) {
  a._data = shown;
  const main = a.querySelector('.main');
  main.replaceChildren(main.firstChild);
  if (shown.content) main.append(rich('content', shown.content));
  for (const e of shown.embeds || []) main.append(embed(e));
  for (const r of shown.components || []) main.append(row(r, a));
  const ephemeral = ((shown.flags || 0) & 64) !== 0;
  a.classList.toggle('ephemeral', ephemeral);
  if (ephemeral) {
    const note = el('div', 'eph', 'Only you can see this · ');
    const dismiss = el('a', null, 'Dismiss message');
    dismiss.href = '#';
    dismiss.onclick = (ev) => { ev.preventDefault(); a.remove(); };
    note.append(dismiss);
    main.append(note);
  }
  const tools = el('div', 'tools');
  const toggle = el('button', null, 'Show JSON');
  toggle.type = 'button';
  const pre = el('pre', 'json', json);
  pre.hidden = true;
  toggle.onclick = () => { pre.hidden = !pre.hidden; toggle.textContent = pre.hidden ? 'Show JSON' : 'Hide JSON'; };
  tools.append(toggle);
  main.append(tools, pre);
  a.scrollIntoView({ block: 'end' });
}
const pretty = (v) => JSON.stringify(v, null, 2);
// An interaction's answer: the callback body, and for a deferred one the edit completing it.
function answered(a, r) {
  const body = r.body;
  let shown = body.data || {};
  // An UPDATE_MESSAGE changes a message's content, not who can see it.
  if (body.type === 7 && a._data) shown = { ...shown, flags: (shown.flags || 0) | ((a._data.flags || 0) & 64) };
  let json = `// POST /interactions/{id}/{token}/callback\n${pretty(body)}`;
  if (body.type === 5 && r.edit) {
    shown = { ...r.edit, flags: shown.flags };
    json += `\n\n// then PATCH /webhooks/{application}/{token}/messages/@original\n${pretty(r.edit)}`;
  }
  fill(a, shown, json);
}
function context(parts) {
  const c = el('div', 'ctx');
  c.append(...parts);
  return c;
}
function failed(error) {
  const a = article('bot');
  fill(a, { content: `The playground could not ask the bot: ${error.message}`, flags: 64 }, String(error));
}

async function pick(message, component, option) {
  const data = message._data;
  const request = {
    type: 3,
    data: { custom_id: component.custom_id, component_type: 3, values: [option.value] },
    message: { id: message.dataset.id, flags: data.flags || 0, components: data.components || [] },
    locale: locale(),
  };
  try {
    const r = await api('/api/interaction', request);
    if (r.body.type === 7) answered(message, r);
    else answered(article('bot', context([el('b', null, 'you'), ` picked ${option.label}`])), r);
  } catch (e) { failed(e); }
}

// A button of the bot's message (Share): a component interaction, as Discord sends it.
async function press(message, component) {
  const data = message._data;
  const request = {
    type: 3,
    data: { custom_id: component.custom_id, component_type: 2 },
    message: { id: message.dataset.id, flags: data.flags || 0, components: data.components || [] },
    locale: locale(),
  };
  try {
    const r = await api('/api/interaction', request);
    if (r.body.type === 7) answered(message, r);
    else answered(article('bot', context([el('b', null, 'you'), ` pressed ${component.label}`])), r);
  } catch (e) { failed(e); }
}
// A message command (the "…" menu's Apps) on one of your messages: its text is resolved in.
async function onMessage(mine, command, content) {
  const id = mine.dataset.id;
  const request = {
    type: 2,
    data: { name: command.name, type: 3, target_id: id, resolved: { messages: { [id]: { id, content } } } },
    locale: locale(),
  };
  try {
    const r = await api('/api/interaction', request);
    answered(article('bot', context([el('b', null, 'you'), ' used ', el('span', 'cmd', command.name)])), r);
  } catch (e) { failed(e); }
}
function messageMenu(mine, content) {
  const more = el('button', 'more', '…');
  more.type = 'button';
  more.title = 'More';
  const menu = el('div', 'msg-menu');
  menu.hidden = true;
  menu.append(el('h4', null, 'Apps'));
  for (const c of S.messageCommands) {
    const b = el('button', null, c.name);
    b.type = 'button';
    b.onclick = () => { menu.hidden = true; onMessage(mine, c, content); };
    menu.append(b);
  }
  more.onclick = () => { menu.hidden = !menu.hidden; };
  mine.append(more, menu);
}

// ---- The command list, options and autocomplete.
// The member's language, as Discord sends it with each interaction.
const locale = () => $('#locale').value;
const described = (d) => (d.description_localizations && d.description_localizations[locale()]) || d.description || '';
function entries(commands) {
  const out = [];
  for (const c of commands) {
    // Message commands live in a message's "…" menu, not in the `/` list.
    if (c.type === 3) continue;
    const subs = (c.options || []).filter((o) => o.type === 1);
    if (subs.length) {
      for (const s of subs) out.push({ name: c.name, sub: s.name, label: `${c.name} ${s.name}`, def: s, options: s.options || [] });
    } else out.push({ name: c.name, label: c.name, def: c, options: c.options || [] });
  }
  return out;
}
function hidePopup() {
  S.popup = null;
  $('#popup').hidden = true;
}
function showPopup(kind, title, items, choose) {
  S.popup = { kind, items, choose, on: items.length ? 0 : -1 };
  S.moved = false;
  const p = $('#popup');
  p.dataset.kind = kind;
  const rows = items.map((it, i) => {
    const d = el('div', i === 0 ? 'item on' : 'item');
    d.setAttribute('role', 'option');
    d.append(el('b', null, it.title));
    if (it.note) d.append(el('small', null, it.note));
    d.onmousedown = (ev) => { ev.preventDefault(); choose(it); };
    return d;
  });
  p.replaceChildren(el('h3', null, title), ...(rows.length ? rows : [el('div', 'empty', 'Nothing matches')]));
  p.hidden = false;
}
function move(step) {
  const p = S.popup;
  if (!p || !p.items.length) return;
  p.on = (p.on + step + p.items.length) % p.items.length;
  S.moved = true;
  document.querySelectorAll('#popup .item').forEach((d, i) => d.classList.toggle('on', i === p.on));
  document.querySelectorAll('#popup .item')[p.on].scrollIntoView({ block: 'nearest' });
}
function choosePopup() {
  const p = S.popup;
  if (p && p.on >= 0) p.choose(p.items[p.on]);
}
function listCommands(typed) {
  const q = typed.trim().toLowerCase();
  const items = S.entries
    .filter((e) => e.label.startsWith(q) || (q && e.label.includes(q)))
    .map((e) => ({ title: `/${e.label}`, note: described(e.def), entry: e }));
  showPopup('commands', 'Marquee', items, (it) => chooseCommand(it.entry));
}
function reset() {
  S.cmd = null;
  hidePopup();
  $('#chip').hidden = true;
  $('#fields').replaceChildren();
  $('#box').classList.remove('has-cmd');
  const input = $('#input');
  input.value = '';
  input.placeholder = 'Message #playground — type / for commands, or @Marquee and a question';
  input.focus();
}
function chooseCommand(entry) {
  S.cmd = entry;
  hidePopup();
  const chip = $('#chip');
  chip.textContent = `/${entry.label}`;
  chip.hidden = false;
  const input = $('#input');
  input.value = '';
  input.placeholder = entry.options.length ? '' : 'Press Enter to send';
  const fields = entry.options.map((o) => {
    const label = el('label', `opt${o.required ? '' : ' optional'}${o.autocomplete ? ' wide' : ''}`);
    label.title = described(o);
    const field = el('input');
    field.dataset.name = o.name;
    field.autocomplete = 'off';
    field.spellcheck = false;
    field.addEventListener('input', () => { delete field.dataset.value; label.classList.remove('missing'); offer(o, field, performance.now()); });
    field.addEventListener('focus', () => offer(o, field, null));
    label.append(el('span', null, o.name), field);
    return label;
  });
  $('#fields').replaceChildren(...fields);
  $('#box').classList.toggle('has-cmd', fields.length > 0);
  (fields.length ? fields[0].querySelector('input') : input).focus();
}
// The options as Discord sends them; `focused` names the one being typed (autocomplete).
function options(focused) {
  const out = [];
  let complete = true;
  for (const o of S.cmd.options) {
    const field = document.querySelector(`#fields input[data-name="${o.name}"]`);
    const raw = field.value.trim();
    if (o.name === focused) { out.push({ type: o.type, name: o.name, value: field.value, focused: true }); continue; }
    if (!raw) {
      if (o.required && !focused) { field.parentElement.classList.add('missing'); complete = false; }
      continue;
    }
    let value = field.dataset.value ?? raw;
    if (o.type === 5) value = /^(true|yes|1)$/i.test(value);
    if (o.type === 4 || o.type === 10) {
      value = Number(value);
      if (!Number.isFinite(value) || (o.type === 4 && !Number.isInteger(value))) {
        field.parentElement.classList.add('missing');
        complete = false;
      }
    }
    out.push({ type: o.type, name: o.name, value });
  }
  const wrapped = S.cmd.sub ? [{ type: 1, name: S.cmd.sub, options: out }] : out;
  return complete ? wrapped : null;
}
function interaction(type, opts) {
  return { type, data: { name: S.cmd.name, type: 1, options: opts }, locale: locale() };
}
function offer(o, field, typedAt) {
  const choose = (it) => { field.value = it.title; field.dataset.value = it.value; hidePopup(); };
  if (o.autocomplete) {
    const seq = ++S.seq;
    api('/api/interaction', interaction(4, options(o.name))).then((r) => {
      if (seq !== S.seq || document.activeElement !== field) return;
      const choices = (r.body.data && r.body.data.choices) || [];
      showPopup('choices', o.name, choices.map((c) => ({ title: c.name, value: c.value })), choose);
      if (typedAt != null) requestAnimationFrame(() => window.marqueeTimings.push(performance.now() - typedAt));
    }, failed);
  } else if (o.choices) {
    const typed = field.value.trim().toLowerCase();
    const items = o.choices.filter((c) => c.name.toLowerCase().includes(typed)).map((c) => ({ title: c.name, value: c.value }));
    showPopup('choices', o.name, items, choose);
  } else if (o.type === 5) {
    showPopup('choices', o.name, [{ title: 'True', value: 'true' }, { title: 'False', value: 'false' }], choose);
  } else if (o.type === 7) {
    showPopup('choices', o.name, [{ title: '# playground', value: S.session.channel_id }], choose);
  } else hidePopup();
}

async function send() {
  const input = $('#input');
  if (S.cmd) {
    const opts = options(null);
    if (!opts) return;
    const label = `/${S.cmd.label}`;
    const request = interaction(2, opts);
    const name = S.cmd.name;
    reset();
    try {
      const r = await api('/api/interaction', request);
      answered(article('bot', context([el('b', null, 'you'), ' used ', el('span', 'cmd', label)])), r);
      if (name.startsWith('highlight')) calendar();
    } catch (e) { failed(e); }
    return;
  }
  const text = input.value.trim();
  if (!text) return;
  const content = text.replace(/@marquee\b/gi, `<@${S.session.bot_id}>`);
  reset();
  const mine = article('you');
  mine.querySelector('.main').append(rich('content', content));
  messageMenu(mine, content);
  mine.scrollIntoView({ block: 'end' });
  try {
    const r = await api('/api/message', { content });
    if (!r.body) return;
    const quote = el('span', 'quote');
    quote.innerHTML = md(content);
    const a = article('bot', context([el('b', null, '@you '), quote]));
    fill(a, r.body, `// POST /channels/{channel}/messages\n${pretty(r.body)}`);
  } catch (e) { failed(e); }
}

function keys(ev) {
  const popup = S.popup;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (popup) { ev.preventDefault(); move(ev.key === 'ArrowDown' ? 1 : -1); }
  } else if (ev.key === 'Tab') {
    if (popup && popup.on >= 0) { ev.preventDefault(); choosePopup(); }
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    if (popup && popup.on >= 0 && (popup.kind === 'commands' || S.moved)) choosePopup();
    else { hidePopup(); send(); }
  } else if (ev.key === 'Escape') {
    if (popup) hidePopup();
    else if (S.cmd) reset();
  } else if (ev.key === 'Backspace' && S.cmd && ev.target.value === '') {
    const first = document.querySelector('#fields input');
    if (!first || ev.target === first || ev.target.id === 'input') { ev.preventDefault(); reset(); }
  }
}

// ---- The catalog's state and the server's coming highlights.
async function calendar() {
  try {
    const c = await api('/api/calendar');
    $('#calendar').replaceChildren(...c.days.map((d, i) => {
      const li = el('li', i === 0 ? 'today' : null);
      li.title = `${d.date}: ${d.title}`;
      li.append(el('span', 'day', i === 0 ? 'Today' : `${d.weekday} ${+d.date.slice(8)}`), el('span', 'pick', d.title));
      return li;
    }));
  } catch (e) {
    $('#calendar').replaceChildren(el('li', null, e.message));
  }
}
function showStatus(s) {
  const from = S.session.content ? `from ${S.session.content}` : 'built in';
  $('#catalog').textContent = `${s.items} stories · catalog ${from}`;
  const box = $('#problems');
  box.hidden = !s.problems.length;
  if (s.problems.length) {
    box.replaceChildren(el('b', null, 'The content has problems; the last good catalog is still answering.'),
      el('pre', null, s.problems.join('\n')));
  }
  if (S.reloads !== null && s.reloads !== S.reloads) calendar();
  S.reloads = s.reloads;
}
async function poll() {
  try { showStatus(await api('/api/status')); } catch (e) { /* the playground stopped; try again */ }
  setTimeout(poll, 1000);
}

function theme(name) {
  document.documentElement.dataset.theme = name;
  $('#theme').textContent = name === 'dark' ? 'Light theme' : 'Dark theme';
  try { localStorage.setItem('marquee-theme', name); } catch (e) { /* private mode */ }
}

async function start() {
  let saved = null;
  try { saved = localStorage.getItem('marquee-theme'); } catch (e) { /* private mode */ }
  theme(saved === 'light' ? 'light' : 'dark');
  const languages = [...$('#locale').options].map((o) => o.value);
  const wanted = navigator.language || 'en-US';
  $('#locale').value = languages.find((l) => l === wanted) || languages.find((l) => l.split('-')[0] === wanted.split('-')[0]) || 'en-US';
  $('#theme').onclick = () => theme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  const [session, commands] = await Promise.all([api('/api/session'), api('/api/commands')]);
  S.session = session;
  S.entries = entries(commands);
  S.messageCommands = commands.filter((c) => c.type === 3);
  const welcome = el('div', 'welcome');
  welcome.append(el('h1', null, 'Welcome to #playground!'),
    rich('content', 'Type `/` for the commands (try `/search` and a few letters), or `@Marquee the crown`. Replies are exactly what the bot sends to Discord: **Show JSON** under each.'));
  $('#messages').append(welcome);
  showStatus(session.status);
  calendar();
  if (session.content) setTimeout(poll, 1000);
  const input = $('#input');
  input.addEventListener('input', () => { if (!S.cmd && input.value.startsWith('/')) listCommands(input.value.slice(1)); else if (!S.cmd) hidePopup(); });
  $('#box').addEventListener('keydown', keys);
  document.addEventListener('click', (ev) => {
    if (!ev.target.closest('.select')) document.querySelectorAll('.sel-menu').forEach((m) => { m.hidden = true; });
  });
  input.focus();
  document.body.dataset.ready = '1';
}
start().catch((e) => { document.body.textContent = `The playground could not start: ${e.message}`; });
