// Entraide web client: no build step. Talks to the posts and notifications APIs over
// HTTP and to the gateway over one WebSocket (docs/protocol.md).
"use strict";

const CONFIG = window.ENTRAIDE || { postsUrl: "", notificationsUrl: "" };
const CATEGORIES = ["jobs", "tickets_events", "vehicles", "housing", "goods", "services",
  "find_a_person", "solidarity", "other"];
const RECONNECT_MAX_MS = 15000;

const TEXT = {
  en: {
    connecting: "connecting…", live: "live", reconnecting: "reconnecting…",
    notifications: "Notifications", log_in: "Log in", log_out: "Log out", register: "Register",
    kind: "Kind", all: "All", request: "Request", offer: "Offer", category: "Category",
    near_me: "Near me", anywhere: "Anywhere", use_my_location: "Use my location",
    live_feed: "Live feed", nothing_yet: "Nothing here yet.", new_post: "Ask or offer",
    urgent: "Urgent", title: "Title", details: "Details", radius_km: "Reach (km)",
    publish: "Publish", close: "Close", replies: "Replies", reply: "Reply",
    i_can_help: "I can help", password: "Password", display_name: "Display name",
    alert_consent: "Alert me when someone near me needs urgent help",
    away: "{d} away", left: "{t} left", expired: "expired", replies_n: "{n} replies",
    urgent_near: "Urgent, {d} from you: {title}", dismiss: "Dismiss", you_are_at: "You: {where}",
    resolved: "resolved", expired_status: "expired", removed: "removed", can_help: "can help",
    log_in_to_post: "Log in to post, reply and get notifications.", member: "a member",
    cat_jobs: "Jobs", cat_tickets_events: "Tickets & events", cat_vehicles: "Vehicles",
    cat_housing: "Housing", cat_goods: "Goods", cat_services: "Services",
    cat_find_a_person: "Find a person", cat_solidarity: "Solidarity", cat_other: "Other",
  },
  fr: {
    connecting: "connexion…", live: "en direct", reconnecting: "reconnexion…",
    notifications: "Notifications", log_in: "Se connecter", log_out: "Se déconnecter",
    register: "Créer un compte", kind: "Type", all: "Tout", request: "Demande",
    offer: "Offre", category: "Catégorie", near_me: "Près de moi", anywhere: "Partout",
    use_my_location: "Ma position", live_feed: "Fil en direct", nothing_yet: "Rien pour l’instant.",
    new_post: "Demander ou proposer", urgent: "Urgent", title: "Titre", details: "Détails",
    radius_km: "Portée (km)", publish: "Publier", close: "Fermer", replies: "Réponses",
    reply: "Répondre", i_can_help: "Je peux aider", password: "Mot de passe",
    display_name: "Nom affiché", alert_consent: "M’alerter quand quelqu’un près de moi a besoin d’aide urgente",
    away: "à {d}", left: "encore {t}", expired: "expiré", replies_n: "{n} réponses",
    urgent_near: "Urgent, à {d} de vous : {title}", dismiss: "Fermer", you_are_at: "Vous : {where}",
    resolved: "résolu", expired_status: "expiré", removed: "retiré", can_help: "peut aider",
    log_in_to_post: "Connectez-vous pour publier, répondre et recevoir des notifications.",
    member: "un membre",
    cat_jobs: "Emploi", cat_tickets_events: "Billets & événements", cat_vehicles: "Véhicules",
    cat_housing: "Logement", cat_goods: "Objets", cat_services: "Services",
    cat_find_a_person: "Retrouver quelqu’un", cat_solidarity: "Solidarité", cat_other: "Autre",
  },
};

const state = {
  lang: localStorage.getItem("lang") || ((navigator.language || "en").startsWith("fr") ? "fr" : "en"),
  token: localStorage.getItem("token"),
  member: JSON.parse(localStorage.getItem("member") || "null"),
  location: JSON.parse(localStorage.getItem("location") || "null"),
  cursor: null,
  posts: new Map(),      // id -> post as shown
  seen: new Set(),       // event ids already applied (a resume may repeat one)
  thread: null,          // the open post id
  unread: 0,
};

const $ = (selector) => document.querySelector(selector);
const t = (key, vars = {}) =>
  (TEXT[state.lang][key] || TEXT.en[key] || key).replace(/\{(\w+)\}/g, (_, k) => vars[k] ?? "");

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

// ---------------------------------------------------------------- text and numbers
function translate() {
  document.documentElement.lang = state.lang;
  $("#lang").textContent = state.lang === "fr" ? "EN" : "FR";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const select of document.querySelectorAll("select.categories")) {
    const keep = select.value;
    for (const option of [...select.options]) if (option.value) option.remove();
    for (const c of CATEGORIES) select.append(el("option", { value: c }, t("cat_" + c)));
    select.value = keep;
  }
  renderFeed();
}

function haversineM(a, b) {
  const rad = Math.PI / 180, dLat = (b.lat - a.lat) * rad, dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(h));
}

function distanceText(metres) {
  if (metres < 1000) return `${Math.max(100, Math.round(metres / 100) * 100)} m`;
  return `${(metres / 1000).toFixed(metres < 10000 ? 1 : 0)} km`;
}

function timeLeft(iso) {
  const ms = new Date(iso) - Date.now();
  if (ms <= 0) return t("expired");
  const minutes = Math.round(ms / 60000);
  if (minutes < 60) return t("left", { t: `${minutes} min` });
  if (minutes < 48 * 60) return t("left", { t: `${Math.floor(minutes / 60)} h ${minutes % 60} min` });
  return t("left", { t: `${Math.round(minutes / 1440)} d` });
}

// ---------------------------------------------------------------------------- HTTP
async function api(base, path, { method = "GET", body } = {}) {
  const headers = { "content-type": "application/json" };
  if (state.token) headers.authorization = `Bearer ${state.token}`;
  const response = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) {
    const detail = data && data.detail;
    const message = Array.isArray(detail)
      ? detail.map((d) => `${d.loc.slice(1).join(".")}: ${d.msg}`).join("; ")
      : (detail && detail.message) || `HTTP ${response.status}`;
    throw new Error(message);
  }
  return data;
}

// ---------------------------------------------------------------------------- feed
function fromLive(post) {
  // A live event carries the public projection; the HTTP feed's shape has an author.
  const mine = state.member && state.member.id === post.author_id;
  return {
    id: post.post_id, author: { id: post.author_id, display_name: mine ? state.member.display_name : null },
    kind: post.kind,
    category: post.category, title: post.title, body: post.body, location: post.location,
    radius_m: post.radius_m, urgency: post.urgency, status: "open", reply_count: 0,
    expires_at: post.expires_at, created_at: post.created_at,
  };
}

function feedQuery() {
  const form = $("#filters"), query = new URLSearchParams({ limit: "30" });
  if (form.kind.value) query.set("kind", form.kind.value);
  if (form.category.value) query.set("category", form.category.value);
  if (form.within.value && state.location) {
    query.set("lat", state.location.lat); query.set("lon", state.location.lon);
    query.set("within_m", form.within.value);
  }
  return query;
}

function feedFilters() {
  const form = $("#filters"), filters = {};
  if (form.kind.value) filters.kinds = [form.kind.value];
  if (form.category.value) filters.categories = [form.category.value];
  if (form.within.value && state.location) {
    filters.area = { lat: state.location.lat, lon: state.location.lon, radius_m: Number(form.within.value) };
  }
  return filters;
}

async function loadFeed() {
  try {
    const page = await api(CONFIG.postsUrl, `/posts?${feedQuery()}`);
    // Posts that arrived live while the page was on its way are newer than it: keep them.
    const newest = page.items.reduce((max, p) => (p.created_at > max ? p.created_at : max), "");
    const live = [...state.posts.values()].filter((p) => p.created_at > newest);
    state.posts = new Map([...page.items, ...live].map((p) => [p.id, p]));
  } catch (error) {
    console.warn("feed", error);
  }
  renderFeed();
}

function postItem(post, fresh = false) {
  const classes = [post.urgency === "urgent" ? "urgent" : "", post.status !== "open" ? "closed" : "",
    fresh ? "fresh" : ""].join(" ");
  const meta = [t("cat_" + post.category)];
  if (state.location && post.location) meta.push(t("away", { d: distanceText(haversineM(state.location, post.location)) }));
  meta.push(post.status === "open" ? timeLeft(post.expires_at) : t(post.status === "expired" ? "expired_status" : post.status));
  if (post.reply_count) meta.push(t("replies_n", { n: post.reply_count }));
  return el("li", { class: classes, "data-post": post.id, onclick: () => openThread(post.id) },
    el("span", { class: `tag ${post.kind}` }, t(post.kind)),
    post.urgency === "urgent" ? el("span", { class: "tag urgent" }, t("urgent")) : "",
    el("strong", {}, post.title),
    el("div", { class: "meta" }, `${post.author.display_name || t("member")} · ${meta.join(" · ")}`));
}

function renderFeed(freshId = null) {
  const list = $("#feed");
  list.replaceChildren(...[...state.posts.values()]
    .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
    .map((p) => postItem(p, p.id === freshId)));
  $("#feed-empty").hidden = state.posts.size > 0;
}

function applyPostEvent(type, data) {
  if (type.endsWith("post.created.v1")) {
    state.posts.set(data.post_id, fromLive(data.post));
    renderFeed(data.post_id);
    if (data.post.urgency === "urgent") urgentBanner(data.post.post_id, data.post.title, data.post.location, data.post.expires_at);
    return;
  }
  const post = state.posts.get(data.post_id);
  if (!post) return;
  if (type.endsWith("post.updated.v1")) Object.assign(post, fromLive(data.post), { author: post.author, reply_count: post.reply_count });
  if (type.endsWith("post.resolved.v1")) post.status = "resolved";
  if (type.endsWith("post.expired.v1")) post.status = "expired";
  if (type.endsWith("post.removed.v1")) state.posts.delete(data.post_id);
  if (post.status !== "open") dropBanner(data.post_id);
  renderFeed();
  if (state.thread === data.post_id) renderThreadPost(post);
}

// --------------------------------------------------------------------------- thread
async function openThread(postId) {
  if (state.thread && state.thread !== postId) live.unsubscribe(`post:${state.thread}`);
  state.thread = postId;
  $("#thread").hidden = false;
  $("#reply-form").hidden = !state.token;
  const [post, replies] = await Promise.all([
    api(CONFIG.postsUrl, `/posts/${postId}`).catch(() => state.posts.get(postId)),
    api(CONFIG.postsUrl, `/posts/${postId}/replies`).catch(() => ({ items: [] })),
  ]);
  renderThreadPost(post);
  $("#replies").replaceChildren(...replies.items.map(replyItem));
  live.subscribe(`post:${postId}`);
}

function renderThreadPost(post) {
  if (!post) return;
  $("#thread-post").replaceChildren(
    el("span", { class: `tag ${post.kind}` }, t(post.kind)),
    el("h2", {}, post.title), el("p", {}, post.body || ""),
    el("div", { class: "meta" }, `${t("cat_" + post.category)} · ${post.status === "open" ? timeLeft(post.expires_at) : t(post.status)}`));
}

function replyItem(reply) {
  const who = (reply.author && reply.author.display_name) || t("member");
  return el("li", { class: reply.intent, "data-reply": reply.id || reply.reply_id },
    el("strong", {}, reply.intent === "can_help" ? `${who} (${t("can_help")})` : who), " ", reply.body);
}

async function sendReply(intent) {
  const form = $("#reply-form"), error = form.querySelector(".form-error");
  const body = form.body.value.trim() || (intent === "can_help" ? t("i_can_help") : "");
  if (!body) return;
  try {
    await api(CONFIG.postsUrl, `/posts/${state.thread}/replies`, { method: "POST", body: { body, intent } });
    form.body.value = ""; error.textContent = "";
  } catch (e) { error.textContent = e.message; }
}

// ---------------------------------------------------------------------- notifications
async function loadNotifications() {
  if (!state.token) return;
  try {
    const page = await api(CONFIG.notificationsUrl, "/v1/inbox?limit=30");
    $("#notification-list").replaceChildren(...page.items.map(notificationItem));
    setUnread(page.unread);
  } catch (error) { console.warn("inbox", error); }
}

function notificationItem(n) {
  return el("li", { class: n.read ? "" : "unread", "data-notification": n.id,
    onclick: () => n.post_id && openThread(n.post_id) }, n.title);
}

function setUnread(count) {
  state.unread = count;
  $("#badge").textContent = String(count);
  $("#badge").hidden = count === 0;
}

function applyNotification(data) {
  $("#notification-list").prepend(notificationItem({ ...data, id: data.notification_id, read: false }));
  setUnread(state.unread + 1);
  if (data.reason === "urgent_alert" && data.post_id) {
    const post = state.posts.get(data.post_id);
    urgentBanner(data.post_id, data.title, post && post.location, data.expires_at, data.distance_m);
  }
  if (data.reason === "urgent_alert_resolved" && data.post_id) dropBanner(data.post_id);
}

// ------------------------------------------------------------------------ urgent banner
const banners = new Map();

function urgentBanner(postId, title, location, expiresAt, distanceM) {
  if (state.member && state.posts.get(postId)?.author?.id === state.member.id) return;
  const distance = distanceM ?? (state.location && location ? haversineM(state.location, location) : null);
  if (distance === null) return;  // without a location we cannot say it is near
  const text = el("span", {});
  const render = () => { text.textContent = `${t("urgent_near", { d: distanceText(distance), title })} · ${timeLeft(expiresAt)}`; };
  render();
  dropBanner(postId);
  const node = el("div", { class: "banner", role: "alert", "data-post": postId }, text,
    el("button", { type: "button", onclick: () => openThread(postId) }, t("i_can_help")),
    el("button", { type: "button", onclick: () => dropBanner(postId) }, t("dismiss")));
  banners.set(postId, { node, timer: setInterval(render, 30000) });
  $("#banners").append(node);
}

function dropBanner(postId) {
  const banner = banners.get(postId);
  if (!banner) return;
  clearInterval(banner.timer); banner.node.remove(); banners.delete(postId);
}

// --------------------------------------------------------------------------- socket
class Live {
  constructor() { this.ws = null; this.attempt = 0; this.channels = new Map(); }

  url() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const token = state.token ? `?token=${encodeURIComponent(state.token)}` : "";
    return `${scheme}://${location.host}/ws${token}`;
  }

  connect() {
    this.ws = new WebSocket(this.url());
    this.ws.onopen = () => {
      this.attempt = 0;
      setStatus("live");
      for (const [channel, fields] of this.channels) this.send({ type: "subscribe", channel, ...fields, cursor: state.cursor || undefined });
      if (state.location) this.send({ type: "location", ...state.location });
    };
    this.ws.onmessage = (message) => this.receive(JSON.parse(message.data));
    this.ws.onclose = () => {
      setStatus("reconnecting");
      // Back off, with jitter, so a restarted gateway is not hit by everyone at once.
      const delay = Math.min(RECONNECT_MAX_MS, 500 * 2 ** this.attempt++) * (0.5 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }

  send(frame) { if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame)); }

  subscribe(channel, fields = {}) {
    this.channels.set(channel, fields);
    this.send({ type: "subscribe", channel, ...fields });
  }

  unsubscribe(channel) {
    if (this.channels.delete(channel)) this.send({ type: "unsubscribe", channel });
  }

  receive(frame) {
    if (frame.type === "event") {
      state.cursor = frame.cursor;
      const event = frame.event;
      if (state.seen.has(event.id)) return;
      state.seen.add(event.id);
      if (event.type.includes(".post.")) applyPostEvent(event.type, event.data);
      else if (event.type.endsWith("reply.created.v1") && event.data.post_id === state.thread) {
        $("#replies").append(replyItem(event.data));
        const post = state.posts.get(event.data.post_id);
        if (post) { post.reply_count += 1; renderFeed(); }
      } else if (event.type.endsWith("notification.created.v1")) applyNotification(event.data);
    } else if ((frame.type === "subscribed" || frame.type === "resumed") && frame.cursor) {
      state.cursor = frame.cursor;
      // A subscription without a cursor starts from now: what was posted while no socket
      // listened (the reconnection after a log-in, say) comes from the HTTP feed.
      if (frame.type === "subscribed" && frame.channel === "feed") loadFeed();
    } else if (frame.type === "snapshot_required") {
      state.cursor = frame.cursor;
      loadFeed(); loadNotifications();
    } else if (frame.type === "error" && frame.code === "bad_cursor") {
      // Not ours (another member's, or from before a log-in): start over from now.
      state.cursor = null;
      for (const [channel, fields] of this.channels) this.send({ type: "subscribe", channel, ...fields });
      loadFeed(); loadNotifications();
    } else if (frame.type === "error") {
      console.warn("gateway error", frame);
    }
  }
}

function setStatus(which) {
  const node = $("#status");
  node.dataset.state = which;
  node.textContent = t(which);
}

const live = new Live();

function resubscribeFeed() {
  live.subscribe("feed", { filters: feedFilters() });
  if (state.location) live.subscribe("alerts", { radius_m: 5000 });
}

// ---------------------------------------------------------------------- auth and forms
function showAuthState() {
  const logged = Boolean(state.token);
  $("#show-auth").hidden = logged; $("#log-out").hidden = !logged;
  $("#show-notifications").hidden = !logged; $("#new-post").hidden = !logged;
  $("#anonymous-hint").hidden = logged;
  $("#who").textContent = logged && state.member ? state.member.display_name : "";
}

async function logIn(email, password) {
  const session = await api(CONFIG.postsUrl, "/auth/login", { method: "POST", body: { email, password } });
  state.token = session.access_token;
  state.member = { id: session.account.id, display_name: session.account.display_name };
  localStorage.setItem("token", state.token);
  localStorage.setItem("member", JSON.stringify(state.member));
  $("#auth").hidden = true;
  showAuthState();
  live.channels.set("notifications", {});
  state.cursor = null;  // a cursor is bound to who received it: start afresh as this member
  if (live.ws) live.ws.close();  // reconnect with the token
  loadFeed();
  loadNotifications();
}

function setLocation(lat, lon) {
  state.location = { lat, lon };
  localStorage.setItem("location", JSON.stringify(state.location));
  $("#where").textContent = t("you_are_at", { where: `${lat.toFixed(3)}, ${lon.toFixed(3)}` });
  const form = $("#new-post");
  if (!form.lat.value) { form.lat.value = lat.toFixed(5); form.lon.value = lon.toFixed(5); }
  live.send({ type: "location", lat, lon });
  resubscribeFeed();
  renderFeed();
}

function wire() {
  $("#lang").onclick = () => { state.lang = state.lang === "fr" ? "en" : "fr"; localStorage.setItem("lang", state.lang); translate(); };
  $("#show-auth").onclick = () => { $("#auth").hidden = false; };
  $("#log-out").onclick = () => { localStorage.removeItem("token"); localStorage.removeItem("member"); location.reload(); };
  $("#show-notifications").onclick = async () => {
    $("#notifications").hidden = false;
    if (state.unread) { await api(CONFIG.notificationsUrl, "/v1/inbox/read", { method: "POST", body: {} }).catch(() => {}); setUnread(0); }
  };
  for (const button of document.querySelectorAll(".close")) button.onclick = () => {
    const card = button.closest(".card"); card.hidden = true;
    if (card.id === "thread" && state.thread) { live.unsubscribe(`post:${state.thread}`); state.thread = null; }
  };
  $("#filters").onchange = () => { loadFeed(); resubscribeFeed(); };
  $("#locate").onclick = () => navigator.geolocation.getCurrentPosition(
    (p) => setLocation(p.coords.latitude, p.coords.longitude),
    (e) => { $("#where").textContent = e.message; });
  $("#login-form").onsubmit = async (e) => {
    e.preventDefault();
    const f = e.target;
    try { await logIn(f.email.value, f.password.value); } catch (error) { f.querySelector(".form-error").textContent = error.message; }
  };
  $("#register-form").onsubmit = async (e) => {
    e.preventDefault();
    const f = e.target, body = { email: f.email.value, password: f.password.value, display_name: f.display_name.value,
      urgent_alerts_consent: f.consent.checked, languages: [state.lang] };
    if (state.location) body.home = state.location;
    try {
      await api(CONFIG.postsUrl, "/auth/register", { method: "POST", body });
      await logIn(body.email, body.password);
    } catch (error) { f.querySelector(".form-error").textContent = error.message; }
  };
  $("#new-post").onsubmit = async (e) => {
    e.preventDefault();
    const f = e.target, error = f.querySelector(".form-error");
    const body = { kind: f.kind.value, category: f.category.value, title: f.title.value, body: f.body.value,
      language: state.lang, location: { lat: Number(f.lat.value), lon: Number(f.lon.value) },
      radius_m: Math.round(Number(f.radius_km.value) * 1000), urgency: f.urgent.checked ? "urgent" : "normal" };
    try {
      await api(CONFIG.postsUrl, "/posts", { method: "POST", body });
      f.title.value = ""; f.body.value = ""; f.urgent.checked = false; error.textContent = "";
    } catch (err) { error.textContent = err.message; }
  };
  $("#reply-form").onsubmit = (e) => { e.preventDefault(); sendReply("comment"); };
  $("#can-help").onclick = () => sendReply("can_help");
}

function start() {
  wire();
  translate();
  showAuthState();
  if (state.token) { live.channels.set("notifications", {}); loadNotifications(); }
  resubscribeFeed();
  if (state.location) setLocation(state.location.lat, state.location.lon);
  loadFeed();
  live.connect();
}

start();
