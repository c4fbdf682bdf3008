// The sluice console: live tail, search with a histogram, producers. Records are only ever put
// on the page as text (textContent), and nothing here can write or delete logs.
const $ = (id) => document.getElementById(id);
const KEY = "sluice.readToken";
const MAX_ROWS = 2000;
let token = sessionStorage.getItem(KEY) ?? "";

const api = (path, init = {}) =>
  fetch(path, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` }, cache: "no-store" });

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

const SHOWN = new Set(["time", "level", "category", "producer", "msg"]);

/** One record as a list item: time, level, category, producer, message; the whole line on a click. */
function row(line) {
  let r;
  try {
    r = JSON.parse(line);
  } catch {
    r = { msg: line };
  }
  const li = el("li");
  li.append(
    el("span", "t", String(r.time ?? "").replace("T", " ").replace("Z", "") + " "),
    el("span", `lvl lvl-${String(r.level)}`, String(r.level ?? "").padEnd(5) + " "),
  );
  if (r.category !== undefined) li.append(el("span", "t", `[${r.category}] `));
  if (r.producer !== undefined) li.append(el("span", "t", `${r.producer}: `));
  li.append(el("span", "m", typeof r.msg === "string" ? r.msg : JSON.stringify(r.msg)));
  const rest = Object.entries(r).filter(([k]) => !SHOWN.has(k));
  if (rest.length) li.append(el("span", "t", " " + rest.map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ")));
  li.append(el("div", "raw", line));
  return li;
}

// ---- sign in ----
async function signIn(given) {
  token = given;
  const res = await api("/api/producers").catch(() => undefined);
  if (res?.ok) {
    sessionStorage.setItem(KEY, token);
    $("login").hidden = true;
    for (const id of ["tabs", "counts", "signout"]) $(id).hidden = false;
    show("tail");
    startTail();
    pollProducers();
    return;
  }
  token = "";
  sessionStorage.removeItem(KEY);
  $("login").hidden = false;
  $("login-error").textContent = res === undefined ? "The collector did not answer." : res.status === 403 ? "This token sends records; the console takes a read token (role=read)." : "The collector did not take this token.";
}
$("login").addEventListener("submit", (e) => {
  e.preventDefault();
  signIn($("token").value.trim());
});
$("signout").addEventListener("click", () => {
  sessionStorage.removeItem(KEY);
  location.reload();
});

function show(tab) {
  for (const b of document.querySelectorAll("#tabs button")) b.classList.toggle("on", b.dataset.tab === tab);
  for (const s of ["tail", "search", "producers"]) $(s).hidden = s !== tab;
}
$("tabs").addEventListener("click", (e) => {
  const tab = e.target.closest("button")?.dataset.tab;
  if (tab) show(tab);
});
for (const list of ["tail-list", "search-list"]) {
  $(list).addEventListener("click", (e) => e.target.closest("li")?.classList.toggle("open"));
}

// ---- live tail: fetch streaming (EventSource cannot send the token), SSE parsed here ----
const tail = { query: "", lastId: "", ctrl: undefined, paused: false, held: [], retryMs: 500, gen: 0 };
const list = $("tail-list");
const atBottom = () => list.scrollHeight - list.scrollTop - list.clientHeight < 24;

function startTail() {
  tail.ctrl?.abort();
  const gen = ++tail.gen;
  const ctrl = (tail.ctrl = new AbortController());
  // a new follow starts with the last records the collector keeps; a reconnect resumes after the last one shown
  const q = `?backlog=${tail.lastId ? 0 : 100}${tail.query ? `&q=${encodeURIComponent(tail.query)}` : ""}`;
  const headers = tail.lastId ? { "last-event-id": tail.lastId } : {};
  api(`/api/tail${q}`, { signal: ctrl.signal, headers })
    .then(async (res) => {
      if (!res.ok) {
        const body = await res.json().catch(() => ({}));
        status(`tail: ${body.error ?? res.status}`);
        if (res.status === 400 || res.status === 401 || res.status === 403) return;
        throw new Error(String(res.status));
      }
      tail.retryMs = 500;
      status(tail.query ? `following records matching ${tail.query}` : "following every record");
      await readEvents(res.body, gen);
      throw new Error("the stream ended");
    })
    .catch(() => {
      if (gen !== tail.gen) return;
      status(`tail: reconnecting in ${tail.retryMs / 1000} s`);
      setTimeout(() => gen === tail.gen && startTail(), tail.retryMs);
      tail.retryMs = Math.min(tail.retryMs * 2, 10_000);
    });
}

async function readEvents(body, gen) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done || gen !== tail.gen) return;
    buf += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buf.indexOf("\n\n")) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const ev = { event: "message", data: [], id: undefined };
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? "" : line.slice(colon + (line[colon + 1] === " " ? 2 : 1));
        if (field === "data") ev.data.push(val);
        else if (field === "id") ev.id = val;
        else if (field === "event") ev.event = val;
      }
      if (ev.id !== undefined) tail.lastId = ev.id;
      if (ev.event === "dropped") status(`this tab read too slowly: ${JSON.parse(ev.data.join("\n")).dropped} records were skipped`);
      else if (ev.data.length) addTail(ev.data.join("\n"));
    }
  }
}

function addTail(line) {
  if (tail.paused) {
    tail.held.push(line);
    if (tail.held.length > MAX_ROWS) tail.held.shift();
    $("tail-pause").textContent = `Resume (${tail.held.length})`;
    return;
  }
  const follow = atBottom();
  list.append(row(line));
  if (follow) {
    while (list.childElementCount > MAX_ROWS) list.firstElementChild.remove();
    list.scrollTop = list.scrollHeight;
  } else {
    // the reader scrolled up: nothing moves under them; rows are trimmed once they follow again
    $("tail-follow").hidden = false;
    if (list.childElementCount > MAX_ROWS * 2) {
      const first = list.firstElementChild, h = first.offsetHeight;
      first.remove();
      list.scrollTop -= h;
    }
  }
}
list.addEventListener("scroll", () => {
  if (atBottom()) $("tail-follow").hidden = true;
});
$("tail-follow").addEventListener("click", () => {
  list.scrollTop = list.scrollHeight;
  $("tail-follow").hidden = true;
});
$("tail-pause").addEventListener("click", () => {
  tail.paused = !tail.paused;
  $("tail-pause").setAttribute("aria-pressed", String(tail.paused));
  $("tail-pause").textContent = tail.paused ? "Resume" : "Pause";
  if (!tail.paused) {
    const held = tail.held;
    tail.held = [];
    for (const line of held) addTail(line);
  }
});
$("tail-form").addEventListener("submit", (e) => {
  e.preventDefault();
  tail.query = $("tail-q").value.trim();
  tail.lastId = "";
  list.replaceChildren();
  startTail();
});
const status = (text) => ($("tail-status").textContent = text);

// ---- search and histogram ----
const search = { cursor: "", params: undefined };
const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];

$("search-range").addEventListener("change", () => {
  const custom = $("search-range").value === "custom";
  $("search-from").hidden = $("search-to").hidden = !custom;
});
$("search-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const p = new URLSearchParams({ q: $("search-q").value.trim() });
  if ($("search-range").value === "custom") {
    if ($("search-from").value) p.set("from", new Date($("search-from").value).toISOString());
    if ($("search-to").value) p.set("to", new Date($("search-to").value).toISOString());
  } else p.set("from", $("search-range").value);
  search.params = p;
  search.cursor = "";
  $("search-list").replaceChildren();
  runSearch();
  histogram(p);
});
$("search-more").addEventListener("click", () => runSearch());

async function runSearch() {
  const p = new URLSearchParams(search.params);
  p.set("limit", "200");
  if (search.cursor) p.set("cursor", search.cursor);
  $("search-status").textContent = "searching…";
  const res = await api(`/api/search?${p}`).catch(() => undefined);
  if (!res?.ok) {
    const body = await res?.json().catch(() => ({}));
    $("search-status").textContent = `search: ${body?.error ?? res?.status ?? "no answer"}${body?.position !== undefined ? ` (at ${body.position})` : ""}`;
    return;
  }
  const text = await res.text();
  const lines = text.split("\n").filter(Boolean);
  const out = $("search-list");
  for (const line of lines) out.append(row(line));
  search.cursor = res.headers.get("sluice-cursor") ?? "";
  $("search-more").hidden = search.cursor === "";
  $("search-status").textContent = `${out.childElementCount} records${search.cursor ? ", more older ones" : ""}`;
}

async function histogram(p) {
  const q = new URLSearchParams(p);
  q.set("buckets", "60");
  const svg = $("histogram");
  svg.replaceChildren();
  const res = await api(`/api/histogram?${q}`).catch(() => undefined);
  if (!res?.ok) return;
  const h = await res.json();
  const n = h.buckets.length || 1, w = 600 / n;
  const max = Math.max(1, ...h.buckets.map((b) => b.count));
  const NS = "http://www.w3.org/2000/svg";
  h.buckets.forEach((b, i) => {
    let y = 120;
    for (const level of LEVELS) {
      const c = b.levels?.[level] ?? 0;
      if (!c) continue;
      const height = (c / max) * 116;
      y -= height;
      const rect = document.createElementNS(NS, "rect");
      rect.setAttribute("class", level);
      rect.setAttribute("x", String(i * w + 0.5));
      rect.setAttribute("y", String(y));
      rect.setAttribute("width", String(Math.max(w - 1, 0.5)));
      rect.setAttribute("height", String(height));
      const title = document.createElementNS(NS, "title");
      title.textContent = `${new Date(b.t).toISOString()} ${level}: ${c}`;
      rect.append(title);
      svg.append(rect);
    }
  });
  $("histogram-legend").replaceChildren(
    ...LEVELS.map((l) => el("span", `lvl lvl-${l}`, `■ ${l}`)),
    el("span", "", `${h.buckets.reduce((s, b) => s + b.count, 0)} hits, ${Math.round(h.stepMs / 1000)} s a bar`),
  );
}

// ---- producers and counts ----
async function pollProducers() {
  const res = await api("/api/producers").catch(() => undefined);
  if (res?.ok) {
    const { producers, totals } = await res.json();
    $("producer-rows").replaceChildren(...producers.map((p) => {
      const tr = el("tr");
      const cells = [p.producer, p.status, p.lastSeen.replace("T", " ").replace("Z", ""), p.recordsPerMinute, p.accepted, p.rejected, p.refused, p.dropped];
      cells.forEach((v, i) => tr.append(el("td", i === 1 ? p.status : "", String(v))));
      return tr;
    }));
    $("counts").textContent = `accepted ${totals.accepted} · rejected ${totals.rejected} · refused 429: ${totals.refused["429"]} 503: ${totals.refused["503"]} · tail dropped ${totals.tailDropped}`;
  }
  setTimeout(pollProducers, 2000);
}

if (token) signIn(token);
