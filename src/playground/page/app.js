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

const S = {
  session: null, entries: [], messageCommands: [], cmd: null, popup: null, moved: false, seq: 0, reloads: null, ids: 0,
  // Whether the channel shows its newest message: then it stays in view as messages grow.
  follow: true, calendar: null, status: null,
};
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

// ---- The page's own words, in the member's language (words.js).
// The member's language, as Discord sends it with each interaction.
const locale = () => $('#locale').value;
function t(key, values) {
  const words = window.WORDS[locale()] || window.WORDS['en-US'];
  const text = words[key] ?? window.WORDS['en-US'][key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (values && values[name] != null ? values[name] : `{${name}}`));
}
// An element whose text is one of the page's words, redrawn when the language changes.
function said(tag, cls, key, values) {
  const e = el(tag, cls, t(key, values));
  e.dataset.t = key;
  if (values) e.dataset.v = JSON.stringify(values);
  return e;
}
// Elements whose text or attributes are the page's words: [text key] or [attribute, key].
function translate() {
  document.documentElement.lang = locale().split('-')[0];
  document.querySelectorAll('[data-t]').forEach((e) => { e.textContent = t(e.dataset.t, e.dataset.v && JSON.parse(e.dataset.v)); });
  document.querySelectorAll('[data-ts]').forEach((e) => { e.textContent = stamp(+e.dataset.ts, e.dataset.style); });
  document.querySelectorAll('time[data-at]').forEach((e) => { e.textContent = clock(+e.dataset.at); });
  document.querySelectorAll('.ctx').forEach((c) => { if (c._draw) c._draw(); });
  $('#locale').title = t('language');
  $('#theme').textContent = t(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  const welcome = document.querySelector('.welcome .content');
  if (welcome) welcome.innerHTML = md(t('welcome'));
  if (!S.cmd) $('#input').placeholder = t('placeholder');
  if (S.calendar) drawCalendar(S.calendar);
  if (S.status) showStatus(S.status);
  hint();
}

// ---- Discord's markdown, minimally: escaped text, **bold**, [links](url), `code`, mentions.
function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
// A <t:…> timestamp as Discord draws it, in the member's language.
function stamp(seconds, style) {
  const date = new Date(seconds * 1000);
  if (style !== 'R') return date.toLocaleString(locale());
  const s = (date - Date.now()) / 1000;
  const [n, unit] = Math.abs(s) < 3600 ? [s / 60, 'minute'] : Math.abs(s) < 86400 ? [s / 3600, 'hour'] : [s / 86400, 'day'];
  return new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' }).format(Math.round(n), unit);
}
function md(text) {
  const who = (id) => (id === S.session.bot_id ? 'Marquee' : id === S.session.user_id ? 'you' : 'someone');
  return esc(text)
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '<a href="$2" target="_blank" rel="noopener">$1</a>')
    .replace(/\*\*([^*]+?)\*\*/g, '<strong>$1</strong>')
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/&#60;@!?(\d+)&#62;/g, (_, id) => `<span class="mention">@${who(id)}</span>`)
    .replace(/&#60;#(\d+)&#62;/g, (_, id) => `<span class="mention">#${id === S.session.channel_id ? 'playground' : 'channel'}</span>`)
    .replace(/&#60;t:(-?\d+)(?::([tTdDfFR]))?&#62;/g, (_, ts, style) => `<span class="mention" data-ts="${ts}" data-style="${style || ''}">${esc(stamp(+ts, style))}</span>`)
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
// The box is sized before the picture arrives (a video thumbnail's 16:9), so the message
// does not grow under the member's eyes and push its buttons out of view.
function picture(cls, url) {
  const box = el('div', cls);
  const img = el('img');
  img.alt = '';
  img.src = url;
  // Offline (or a dead link): say what would be there instead of a broken image.
  img.onerror = () => { img.replaceWith(el('div', 'noimg', `picture: ${new URL(url).host}`)); box.dataset.done = '1'; };
  img.onload = () => { box.dataset.done = '1'; };
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
  const now = chosen || c.placeholder ? el('button', 'sel-now', chosen ? chosen.label : c.placeholder) : said('button', 'sel-now', 'select');
  now.type = 'button';
  now.setAttribute('aria-haspopup', 'listbox');
  const menu = el('div', 'sel-menu');
  menu.hidden = true;
  menu.setAttribute('role', 'listbox');
  for (const o of options) {
    const b = el('button', o.default ? 'sel-opt on' : 'sel-opt', o.label);
    b.type = 'button';
    b.dataset.value = o.value;
    b.setAttribute('role', 'option');
    if (o.description) b.append(el('small', null, o.description));
    b.onclick = () => { openMenu(menu, now, false); pick(message, c, o); };
    menu.append(b);
  }
  now.onclick = () => openMenu(menu, now, menu.hidden);
  // As Discord's menus: ↓/↑ open and move, Esc closes, Enter or Space picks.
  now.onkeydown = (ev) => {
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      openMenu(menu, now, true);
      const opts = [...menu.children];
      (menu.querySelector('.sel-opt.on') || opts[ev.key === 'ArrowDown' ? 0 : opts.length - 1]).focus();
    } else if (ev.key === 'Escape') openMenu(menu, now, false);
  };
  menu.onkeydown = (ev) => {
    const opts = [...menu.children];
    const at = opts.indexOf(document.activeElement);
    if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
      ev.preventDefault();
      opts[(at + (ev.key === 'ArrowDown' ? 1 : opts.length - 1)) % opts.length].focus();
    } else if (ev.key === 'Home' || ev.key === 'End') {
      ev.preventDefault();
      opts[ev.key === 'Home' ? 0 : opts.length - 1].focus();
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      openMenu(menu, now, false);
      now.focus();
    }
  };
  box.append(now, menu);
  return box;
}
// Opens a select menu where it fits in the channel: below its button, or above it when the
// message is near the bottom (as Discord's menus do), never under the composer.
function openMenu(menu, button, open) {
  document.querySelectorAll('.sel-menu').forEach((m) => { if (m !== menu) m.hidden = true; });
  menu.hidden = !open;
  button.setAttribute('aria-expanded', String(open));
  if (!open) return;
  menu.classList.remove('up');
  menu.style.maxHeight = '';
  const area = $('#messages').getBoundingClientRect();
  const at = button.getBoundingClientRect();
  const below = area.bottom - at.bottom - 8;
  const above = at.top - area.top - 8;
  const wanted = Math.min(menu.scrollHeight, 300);
  const up = below < wanted && above > below;
  menu.classList.toggle('up', up);
  menu.style.maxHeight = `${Math.floor(Math.min(300, up ? above : below))}px`;
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
function clock(at) {
  return t('today_at', { time: new Date(at).toLocaleTimeString(locale(), { hour: '2-digit', minute: '2-digit' }) });
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
  const now = Date.now();
  const when = el('time', null, clock(now));
  when.dataset.at = String(now);
  head.append(when);
  const main = el('div', 'main');
  main.append(head);
  a.append(main);
  $('#messages').append(a);
  // A message that grows (its picture, its JSON) keeps the channel's end in view, if it was.
  grows.observe(a);
  return a;
}
const grows = new ResizeObserver(() => stick(false));
// Scrolls the channel to its newest message: always (`force`, a message just sent or
// answered), or only when the member was already there.
function stick(force) {
  const m = $('#messages');
  if (!force && !S.follow) return;
  m.scrollTop = m.scrollHeight;
  S.follow = true;
}
// Draws (or redraws, for an UPDATE_MESSAGE) a bot message from what the router returned.
function fill(a, shown, json) {
  const updated = a._data !== undefined;
  a._data = shown;
  const main = a.querySelector('.main');
  main.replaceChildren(main.firstChild);
  if (shown.content) main.append(rich('content', shown.content));
  for (const e of shown.embeds || []) main.append(embed(e));
  for (const r of shown.components || []) main.append(row(r, a));
  const ephemeral = ((shown.flags || 0) & 64) !== 0;
  a.classList.toggle('ephemeral', ephemeral);
  if (ephemeral) {
    const note = el('div', 'eph');
    const dismiss = said('a', null, 'dismiss');
    dismiss.href = '#';
    dismiss.onclick = (ev) => { ev.preventDefault(); a.remove(); };
    note.append(said('span', null, 'only_you'), ' · ', dismiss);
    main.append(note);
  }
  const tools = el('div', 'tools');
  const toggle = said('button', null, 'show_json');
  toggle.type = 'button';
  const pre = el('pre', 'json', json);
  pre.hidden = true;
  toggle.onclick = () => {
    pre.hidden = !pre.hidden;
    toggle.dataset.t = pre.hidden ? 'show_json' : 'hide_json';
    toggle.textContent = t(toggle.dataset.t);
    // Opened, the JSON is brought into view (below the fold on the last message otherwise).
    if (!pre.hidden) pre.scrollIntoView({ block: 'nearest' });
  };
  tools.append(toggle);
  main.append(tools, pre);
  stick(!updated);
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
// The "replying to" line above a message: `key` ("used", "picked") with its parts as elements.
function context(key, values) {
  const c = el('div', 'ctx');
  // Redrawn in the new language when the member picks another (`translate`).
  c._draw = () => {
    const text = t(key, Object.fromEntries(Object.keys(values).map((k) => [k, `\u0000${k}\u0000`])));
    c.replaceChildren(...text.split('\u0000').filter(Boolean).map((part) => values[part] || part));
  };
  c._draw();
  return c;
}
function mentionContext(content) {
  const c = el('div', 'ctx');
  const quote = el('span', 'quote');
  quote.innerHTML = md(content);
  c.append(el('b', null, '@you '), quote);
  return c;
}
function failed(error) {
  const a = article('bot');
  fill(a, { content: t('could_not', { message: error.message }), flags: 64 }, String(error));
}

// A component interaction on a bot's message (`data`: a menu pick or a button), as Discord
// sends it. An UPDATE_MESSAGE redraws that message; a new message gets the line `key` (see
// `context`) above it.
async function interact(message, data, key, values) {
  const shown = message._data;
  const request = {
    type: 3,
    data,
    message: { id: message.dataset.id, flags: shown.flags || 0, components: shown.components || [] },
    locale: locale(),
  };
  try {
    const r = await api('/api/interaction', request);
    if (r.body.type === 7) answered(message, r);
    else answered(article('bot', context(key, values)), r);
  } catch (e) { failed(e); }
}
function pick(message, component, option) {
  const data = { custom_id: component.custom_id, component_type: 3, values: [option.value] };
  interact(message, data, 'picked', { who: el('b', null, 'you'), option: el('span', null, option.label) });
}
// A button of the bot's message (Share).
function press(message, component) {
  const data = { custom_id: component.custom_id, component_type: 2 };
  interact(message, data, 'pressed', { who: el('b', null, 'you'), button: el('span', null, component.label) });
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
    answered(article('bot', context('used', { who: el('b', null, 'you'), command: el('span', 'cmd', command.name) })), r);
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
  hint();
}
// The list over the composer. `field` is the option being typed (none for the command list);
// `strict` when only the listed values are allowed (choices). In an empty option field no row
// is highlighted: Tab then moves on and the option stays empty, as an option a member never
// set in Discord is not sent.
function showPopup(kind, title, items, choose, field, strict) {
  const blank = field && field.value.trim() === '';
  S.popup = { kind, items, choose, field, strict, on: items.length && !blank ? 0 : -1 };
  S.moved = false;
  const p = $('#popup');
  p.dataset.kind = kind;
  const rows = items.map((it, i) => {
    const d = el('div', i === S.popup.on ? 'item on' : 'item');
    d.setAttribute('role', 'option');
    d.append(el('b', null, it.title));
    if (it.note) d.append(el('small', null, it.note));
    d.onmousedown = (ev) => { ev.preventDefault(); choose(it); };
    return d;
  });
  p.replaceChildren(el('h3', null, title), ...(rows.length ? rows : [said('div', 'empty', 'nothing')]));
  p.hidden = false;
  hint();
}
function move(step) {
  const p = S.popup;
  if (!p || !p.items.length) return;
  p.on = p.on < 0 ? (step > 0 ? 0 : p.items.length - 1) : (p.on + step + p.items.length) % p.items.length;
  S.moved = true;
  document.querySelectorAll('#popup .item').forEach((d, i) => d.classList.toggle('on', i === p.on));
  document.querySelectorAll('#popup .item')[p.on].scrollIntoView({ block: 'nearest' });
  hint();
}
// What Enter does with the list open: picks the highlighted row in the command list, after
// ↑/↓, or in a field that takes only listed values; otherwise it sends what was typed.
function enterPicks() {
  const p = S.popup;
  if (!p || p.on < 0) return false;
  return p.kind === 'commands' || S.moved || (p.strict && p.field.value.trim() !== '');
}
// The line under the composer says what Enter and Tab do now.
function hint() {
  const p = S.popup;
  const h = $('.hint');
  if (!h) return;
  if (!p) h.textContent = t('hint');
  else if (p.on < 0) h.textContent = t('hint_none');
  else h.textContent = t(enterPicks() ? 'hint_pick' : 'hint_list', { row: p.items[p.on].title });
}
function choosePopup() {
  const p = S.popup;
  if (p && p.on >= 0) p.choose(p.items[p.on]);
}
// The commands for what follows `/`: the exact name first, then names that start with it,
// then those containing it further in.
function listCommands(typed) {
  const q = typed.trim().toLowerCase();
  const rank = (e) => (e.label === q || (e.name === q && !e.sub) ? 0 : e.label.startsWith(q) ? 1 : 2);
  const items = S.entries
    .filter((e) => e.label.startsWith(q) || (q && e.label.includes(q)))
    .map((e, i) => ({ e, i, r: rank(e) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ e }) => ({ title: `/${e.label}`, note: described(e.def), entry: e }));
  showPopup('commands', 'Marquee', items, (it) => chooseCommand(it.entry));
}
function reset() {
  S.cmd = null;
  hidePopup();
  $('#chip').hidden = true;
  $('#fields').replaceChildren();
  $('#box').classList.remove('has-cmd');
  showError(null);
  const input = $('#input');
  input.value = '';
  input.placeholder = t('placeholder');
  input.focus();
}
// Why an option is refused, under the composer (as Discord says "This field is required").
function showError(text) {
  const e = $('#error');
  e.hidden = !text;
  e.textContent = text || '';
}
function chooseCommand(entry) {
  S.cmd = entry;
  hidePopup();
  const chip = $('#chip');
  chip.textContent = `/${entry.label}`;
  chip.hidden = false;
  const input = $('#input');
  input.value = '';
  input.placeholder = entry.options.length ? '' : t('press_enter');
  const fields = entry.options.map((o) => {
    const label = el('label', `opt${o.required ? '' : ' optional'}${o.autocomplete ? ' wide' : ''}`);
    label.title = described(o);
    const field = el('input');
    field.dataset.name = o.name;
    field.autocomplete = 'off';
    field.spellcheck = false;
    field.addEventListener('input', () => {
      delete field.dataset.value;
      label.classList.remove('missing');
      showError(null);
      offer(o, field, performance.now());
    });
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
  const refused = [];
  const refuse = (field, why) => { field.parentElement.classList.add('missing'); refused.push([field, why]); };
  for (const o of S.cmd.options) {
    const field = document.querySelector(`#fields input[data-name="${o.name}"]`);
    const raw = field.value.trim();
    if (o.name === focused) { out.push({ type: o.type, name: o.name, value: field.value, focused: true }); continue; }
    if (!raw) {
      if (o.required && !focused) refuse(field, t('required', { name: o.name }));
      continue;
    }
    let value = field.dataset.value ?? raw;
    if (o.type === 5) value = /^(true|yes|1)$/i.test(value);
    if (o.type === 4 || o.type === 10) {
      value = Number(value);
      if (!Number.isFinite(value) || (o.type === 4 && !Number.isInteger(value))) {
        refuse(field, t(o.type === 4 ? 'integer' : 'number', { name: o.name }));
      }
    }
    out.push({ type: o.type, name: o.name, value });
  }
  const complete = refused.length === 0;
  if (!focused && !complete) {
    showError(refused.map(([, why]) => why).join(' · '));
    refused[0][0].focus();
  }
  const wrapped = S.cmd.sub ? [{ type: 1, name: S.cmd.sub, options: out }] : out;
  return complete ? wrapped : null;
}
function interaction(type, opts) {
  return { type, data: { name: S.cmd.name, type: 1, options: opts }, locale: locale() };
}
// A choice's name as the member's Discord shows it.
const named = (c) => (c.name_localizations && c.name_localizations[locale()]) || c.name;
function offer(o, field, typedAt) {
  const choose = (it) => { field.value = it.title; field.dataset.value = it.value; hidePopup(); };
  if (o.autocomplete) {
    const seq = ++S.seq;
    api('/api/interaction', interaction(4, options(o.name))).then((r) => {
      if (seq !== S.seq || document.activeElement !== field) return;
      const choices = (r.body.data && r.body.data.choices) || [];
      showPopup('choices', o.name, choices.map((c) => ({ title: c.name, value: c.value })), choose, field, false);
      if (typedAt != null) requestAnimationFrame(() => window.marqueeTimings.push(performance.now() - typedAt));
    }, failed);
  } else if (o.choices) {
    const typed = field.value.trim().toLowerCase();
    const items = o.choices
      .filter((c) => named(c).toLowerCase().includes(typed) || c.name.toLowerCase().includes(typed))
      .map((c) => ({ title: named(c), value: c.value }));
    showPopup('choices', o.name, items, choose, field, true);
  } else if (o.type === 5) {
    showPopup('choices', o.name, [{ title: 'True', value: 'true' }, { title: 'False', value: 'false' }], choose, field, true);
  } else if (o.type === 7) {
    showPopup('choices', o.name, [{ title: '# playground', value: S.session.channel_id }], choose, field, true);
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
      answered(article('bot', context('used', { who: el('b', null, 'you'), command: el('span', 'cmd', label) })), r);
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
  stick(true);
  try {
    const r = await api('/api/message', { content });
    if (!r.body) return;
    const a = article('bot', mentionContext(content));
    fill(a, r.body, `// POST /channels/{channel}/messages\n${pretty(r.body)}`);
  } catch (e) { failed(e); }
}

function keys(ev) {
  const popup = S.popup;
  if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    if (popup) { ev.preventDefault(); move(ev.key === 'ArrowDown' ? 1 : -1); }
  } else if (ev.key === 'PageUp' || ev.key === 'PageDown') {
    // As in Discord: the channel scrolls while the composer keeps the focus.
    ev.preventDefault();
    const m = $('#messages');
    m.scrollBy(0, (ev.key === 'PageUp' ? -1 : 1) * m.clientHeight * 0.9);
  } else if (ev.key === 'Tab') {
    // Tab picks only a highlighted row (something typed, or chosen with ↑/↓); from an
    // untouched option it moves on and the option stays empty.
    if (popup && popup.on >= 0) { ev.preventDefault(); choosePopup(); } else if (popup) hidePopup();
  } else if (ev.key === 'Enter') {
    ev.preventDefault();
    if (enterPicks()) choosePopup();
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
    S.calendar = await api('/api/calendar');
    drawCalendar(S.calendar);
  } catch (e) {
    $('#calendar').replaceChildren(el('li', null, e.message));
  }
}
// The coming week's picks, once a channel gets them; until then, how to set one up.
function drawCalendar(c) {
  if (!c.subscribed) {
    $('#calendar').replaceChildren(el('li', 'none', t('none_subscribed')));
    return;
  }
  const weekday = new Intl.DateTimeFormat(locale(), { weekday: 'short', timeZone: 'UTC' });
  $('#calendar').replaceChildren(...c.days.map((d, i) => {
    const li = el('li', i === 0 ? 'today' : null);
    li.title = `${d.date}: ${d.title}`;
    const day = i === 0 ? t('today') : `${weekday.format(new Date(`${d.date}T12:00:00Z`))} ${+d.date.slice(8)}`;
    li.append(el('span', 'day', day), el('span', 'pick', d.title));
    return li;
  }));
}
function showStatus(s) {
  S.status = s;
  const from = S.session.content ? t('from', { path: S.session.content }) : t('built_in');
  $('#catalog').textContent = t('stories', { n: s.items, from });
  const box = $('#problems');
  box.hidden = !s.problems.length;
  if (s.problems.length) {
    box.replaceChildren(said('b', null, 'problems'), el('pre', null, s.problems.join('\n')));
  }
  if (S.reloads !== null && s.reloads !== S.reloads) {
    calendar();
    // A good reload is said, briefly: the editor's fix is in.
    if (!s.problems.length) notice(t('reloaded', { n: s.items }));
  }
  S.reloads = s.reloads;
}
function notice(text) {
  const n = $('#notice');
  n.textContent = text;
  n.hidden = false;
  clearTimeout(S.noticeTimer);
  S.noticeTimer = setTimeout(() => { n.hidden = true; }, 4000);
}
async function poll() {
  try { showStatus(await api('/api/status')); } catch (e) { /* the playground stopped; try again */ }
  setTimeout(poll, 1000);
}

function theme(name) {
  document.documentElement.dataset.theme = name;
  $('#theme').textContent = t(name === 'dark' ? 'light' : 'dark');
  try { localStorage.setItem('marquee-theme', name); } catch (e) { /* private mode */ }
}

async function start() {
  let saved = null;
  try { saved = localStorage.getItem('marquee-theme'); } catch (e) { /* private mode */ }
  const languages = [...$('#locale').options].map((o) => o.value);
  let chosen = null;
  try { chosen = localStorage.getItem('marquee-locale'); } catch (e) { /* private mode */ }
  const wanted = languages.includes(chosen) ? chosen : navigator.language || 'en-US';
  $('#locale').value = languages.find((l) => l === wanted) || languages.find((l) => l.split('-')[0] === wanted.split('-')[0]) || 'en-US';
  // Kept across reloads, as the theme is.
  $('#locale').onchange = () => {
    try { localStorage.setItem('marquee-locale', locale()); } catch (e) { /* private mode */ }
    translate();
  };
  theme(saved === 'light' ? 'light' : 'dark');
  $('#theme').onclick = () => theme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark');
  const [session, commands] = await Promise.all([api('/api/session'), api('/api/commands')]);
  S.session = session;
  S.entries = entries(commands);
  S.messageCommands = commands.filter((c) => c.type === 3);
  const welcome = el('div', 'welcome');
  welcome.append(said('h1', null, 'welcome_title'), rich('content', t('welcome')));
  $('#messages').append(welcome);
  const messages = $('#messages');
  messages.addEventListener('scroll', () => {
    S.follow = messages.scrollTop + messages.clientHeight >= messages.scrollHeight - 24;
  });
  translate();
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
