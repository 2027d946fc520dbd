// Raftoral console: plain JavaScript, no framework, no network beyond this node's own API.
// Topology from GET /admin/topology (when the node serves it) or GET /discovery/peers; live updates from
// GET /events (EventSource); workflows from /workflow/list, /workflow/status, /workflow/terminate, /workflow/signal.
"use strict";

const PAGE_SIZE = 20;
const LIST_LIMIT = 1000;
const EVENTS_SHOWN = 60;
const REFRESH_DELAY_MS = 150;
const TOPOLOGY_POLL_MS = 3000;
const TOPOLOGY_EVENTS = ["leader_elected", "membership_changed", "node_joined", "node_failed", "node_left", "node_draining",
  "execution_cluster_created", "execution_cluster_split", "execution_cluster_merged"];

const state = { leaders: {}, topologySource: null, workflows: [], page: 0, current: null, timers: {} };
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([k, v]) => {
    if (k === "class") e.className = v; else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  });
  children.flat().forEach((c) => e.append(c instanceof Node ? c : document.createTextNode(c == null ? "" : String(c))));
  return e;
}

async function getJson(url, options) {
  const response = await fetch(url, options);
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { status: response.status, body };
}

function postJson(url, payload) {
  return getJson(url, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload) });
}

/** Runs fn once after a short delay, however many times it is asked for meanwhile. */
function soon(name, fn) {
  if (state.timers[name]) return;
  state.timers[name] = setTimeout(() => { state.timers[name] = null; fn(); }, REFRESH_DELAY_MS);
}

// ----- topology -----------------------------------------------------------------------------------------------

/** {nodes: [{id, address, state}], leader, self, clusters: [{id, voters, learners, members, leader}]} */
function fromDiscovery(d) {
  return {
    self: d.node_id, leader: d.management_leader_node_id,
    nodes: (d.peers || []).map((p) => ({ id: p.node_id, address: p.address, state: p.state })),
    clusters: (d.execution_clusters || []).map((c) => ({ id: Number(c.execution_cluster_id), voters: c.voters || [],
      learners: c.learners || [], members: c.members || [], leader: null })),
  };
}

/** The admin topology's shape, read loosely (field names as the REST API writes them). */
function fromAdmin(t) {
  // GET /admin/topology: {node_id, management_leader, nodes: [{id, address, state}], groups: [{group_id, leader,
  // voters, learners, desired_members, members: [{node_id, ...indexes}]}]} (group 0 is cluster 0)
  const nodes = (t.nodes || []).map((n) => ({ id: n.id ?? n.node_id, address: n.address, state: n.state }));
  const clusters = (t.groups || []).map((g) => ({
    id: Number(g.group_id), voters: g.voters || [], learners: g.learners || [],
    members: g.desired_members || [], leader: g.leader ?? null }));
  const zero = clusters.find((c) => c.id === 0);
  return { self: t.node_id, leader: t.management_leader ?? (zero ? zero.leader : null), nodes,
    clusters: clusters.filter((c) => c.id !== 0) };
}

async function loadTopology() {
  let topology = null;
  if (state.topologySource !== "discovery") {
    try {
      const r = await getJson("/admin/topology");
      if (r.status === 200 && r.body && Array.isArray(r.body.nodes)) {
        topology = fromAdmin(r.body);
        state.topologySource = "admin";
      } else {
        state.topologySource = "discovery"; // 404 (or admin disabled): this node has no admin topology
      }
    } catch (e) { state.topologySource = "discovery"; }
  }
  if (!topology) {
    const r = await getJson("/discovery/peers");
    if (r.status !== 200) return;
    topology = fromDiscovery(r.body);
  }
  renderTopology(topology);
}

function renderTopology(t) {
  $("#node-name").textContent = t.self ? "node " + t.self : "";
  $("#mgmt-leader").textContent = t.leader ? "node " + t.leader : "none";
  $("#topology-source").textContent = "from " + (state.topologySource === "admin" ? "/admin/topology" : "/discovery/peers");
  $("#node-count").textContent = "(" + t.nodes.length + ")";
  const nodes = $("#nodes tbody");
  nodes.replaceChildren(...t.nodes.map((n) => {
    const roles = [];
    if (n.id === t.leader) roles.push(el("span", { class: "leader" }, "cluster 0 leader"));
    t.clusters.filter((c) => leaderOf(c) === n.id).forEach((c) => roles.push(el("span", { class: "leader" },
      " leads " + c.id)));
    if (n.id === t.self) roles.push(el("span", { class: "muted" }, " (this node)"));
    return el("tr", { "data-node-id": n.id, "data-state": n.state }, el("td", {}, n.id), el("td", {}, n.address),
      el("td", { class: "state state-" + n.state }, n.state), el("td", { class: "role" }, roles));
  }));
  const clusters = $("#clusters tbody");
  clusters.replaceChildren(...t.clusters.map((c) => el("tr", { "data-cluster-id": c.id },
    el("td", {}, c.id), el("td", { class: "leader" }, leaderOf(c) ? "node " + leaderOf(c) : "?"),
    el("td", {}, c.voters.join(", ")), el("td", {}, c.learners.join(", ")), el("td", {}, c.members.join(", ")))));
}

function leaderOf(c) {
  return c.leader || state.leaders[c.id] || null;
}

// ----- events -------------------------------------------------------------------------------------------------

function connectEvents() {
  const source = new EventSource("/events?history=200");
  source.onopen = () => { $("#stream-status").textContent = "live"; $("#stream-status").className = "badge live"; };
  source.onerror = () => { $("#stream-status").textContent = "reconnecting"; $("#stream-status").className = "badge down"; };
  source.onmessage = (m) => onEvent(JSON.parse(m.data));
}

function onEvent(e) {
  const list = $("#events");
  const f = e.fields || {};
  const what = f.workflow_id ? f.workflow_type + " " + f.workflow_id : f.node ? "node " + f.node
    : f.leader ? "leader " + f.leader + " (term " + f.term + ")" : f.voters ? "voters " + f.voters : "";
  list.prepend(el("li", { "data-kind": e.kind }, e.time.substring(11, 23) + "  " + e.kind + "  cluster "
    + e.cluster_id + "  " + what));
  while (list.children.length > EVENTS_SHOWN) list.lastChild.remove();
  if (e.kind === "leader_elected") state.leaders[e.cluster_id] = f.leader;
  if (TOPOLOGY_EVENTS.includes(e.kind)) soon("topology", loadTopology);
  if (e.kind.startsWith("workflow_")) {
    soon("list", loadWorkflows);
    if (state.current === f.workflow_id) soon("workflow", () => loadWorkflow(state.current));
  }
}

// ----- workflows ----------------------------------------------------------------------------------------------

async function loadWorkflows() {
  const params = new URLSearchParams({ limit: String(LIST_LIMIT) });
  if ($("#filter-state").value) params.set("state", $("#filter-state").value);
  if ($("#filter-type").value.trim()) params.set("type", $("#filter-type").value.trim());
  const r = await getJson("/workflow/list?" + params);
  if (r.status !== 200) return;
  state.workflows = (r.body.workflows || []).sort((a, b) => (b.started_at || "").localeCompare(a.started_at || ""));
  renderWorkflows();
}

function renderWorkflows() {
  const pages = Math.max(1, Math.ceil(state.workflows.length / PAGE_SIZE));
  state.page = Math.min(state.page, pages - 1);
  const shown = state.workflows.slice(state.page * PAGE_SIZE, (state.page + 1) * PAGE_SIZE);
  $("#page-info").textContent = " page " + (state.page + 1) + " of " + pages + " (" + state.workflows.length + ") ";
  $("#workflows tbody").replaceChildren(...shown.map((w) => el("tr", { class: "clickable",
    "data-workflow-id": w.workflow_id, "data-state": w.state, onclick: () => { location.hash = "#/workflow/"
      + encodeURIComponent(w.workflow_id); } },
  el("td", {}, el("code", {}, w.workflow_id)), el("td", {}, w.workflow_type + " v" + w.version),
  el("td", { class: "state state-" + w.state }, w.state), el("td", {}, w.execution_cluster_id),
  el("td", {}, w.owner_node), el("td", {}, (w.started_at || "").replace("T", " ").substring(0, 19)),
  el("td", {}, w.checkpoint_count))));
}

async function loadWorkflow(id) {
  const r = await getJson("/workflow/status?workflow_id=" + encodeURIComponent(id));
  if (r.status !== 200) { $("#wf-message").textContent = (r.body && r.body.error) || "HTTP " + r.status; return; }
  const w = r.body.workflow;
  $("#wf-id").textContent = w.workflow_id;
  $("#wf-state").textContent = w.state;
  $("#wf-state").className = "state-" + w.state;
  const fields = ["workflow_type", "version", "execution_cluster_id", "owner_node", "started_at", "ended_at",
    "checkpoint_count", "input", "result", "error_type", "error"];
  $("#wf-fields").replaceChildren(...fields.filter((k) => w[k] != null).flatMap((k) => [el("dt", {}, k),
    el("dd", { id: "wf-" + k.replace(/_/g, "-") }, w[k])]));
  $("#terminate-button").disabled = w.state !== "RUNNING";
  await loadJournal(w);
}

/** The journal, when this node's API exposes one; else what the status tells. */
async function loadJournal(w) {
  const r = await getJson("/workflow/journal?workflow_id=" + encodeURIComponent(w.workflow_id));
  const box = $("#wf-journal");
  if (r.status === 200 && r.body && Array.isArray(r.body.entries)) {
    box.replaceChildren(el("table", {}, el("thead", {}, el("tr", {}, ["#", "Key", "Value", "Time", "Owner"]
      .map((h) => el("th", {}, h)))), el("tbody", {}, r.body.entries.map((e, i) => el("tr", {},
      el("td", {}, e.seq ?? i), el("td", {}, e.key), el("td", {}, e.value), el("td", {}, e.time || ""),
      el("td", {}, e.owner ?? ""))))));
  } else {
    box.replaceChildren(el("p", { class: "muted" }, w.checkpoint_count + " checkpoint(s) recorded; this node's API "
      + "does not list journal entries yet."));
  }
}

async function terminate() {
  const r = await postJson("/workflow/terminate", { workflow_id: state.current, reason: "terminated from the console" });
  $("#wf-message").textContent = r.status === 200 ? "terminated" : (r.body && r.body.error) || "HTTP " + r.status;
  loadWorkflow(state.current);
}

async function signal() {
  let payload;
  try { payload = JSON.parse($("#signal-payload").value || "null"); } catch (e) {
    $("#wf-message").textContent = "the payload is not JSON"; return;
  }
  const r = await postJson("/workflow/signal", { workflow_id: state.current, signal: $("#signal-name").value,
    name: $("#signal-name").value, payload: JSON.stringify(payload) });
  $("#wf-message").textContent = r.status === 200 ? "signal sent"
    : r.status === 404 && !(r.body && r.body.error_code === "WORKFLOW_NOT_FOUND")
      ? "signals are not available on this node" : (r.body && r.body.error) || "HTTP " + r.status;
}

async function start(ev) {
  ev.preventDefault();
  let input;
  try { input = JSON.stringify(JSON.parse($("#start-input").value || "null")); } catch (e) {
    $("#start-result").textContent = "the input is not JSON"; return;
  }
  const r = await postJson("/workflow/execute", { name: $("#start-type").value.trim(),
    version: Number($("#start-version").value), input });
  $("#start-result").textContent = r.status === 200 ? "started " + r.body.workflow_id
    : (r.body && r.body.error) || "HTTP " + r.status;
  loadWorkflows();
}

// ----- pages --------------------------------------------------------------------------------------------------

function route() {
  const hash = location.hash || "#/";
  const workflow = hash.match(/^#\/workflow\/(.+)$/);
  $("#cluster-page").hidden = hash !== "#/";
  $("#workflows-page").hidden = hash !== "#/" && hash !== "#/workflows";
  $("#workflow-page").hidden = !workflow;
  state.current = workflow ? decodeURIComponent(workflow[1]) : null;
  $("#wf-message").textContent = "";
  if (workflow) loadWorkflow(state.current);
  if (!workflow) loadWorkflows();
}

window.addEventListener("hashchange", route);
$("#start-form").addEventListener("submit", start);
$("#filter-form").addEventListener("submit", (e) => { e.preventDefault(); state.page = 0; loadWorkflows(); });
$("#page-prev").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); renderWorkflows(); });
$("#page-next").addEventListener("click", () => { state.page += 1; renderWorkflows(); });
$("#terminate-button").addEventListener("click", terminate);
$("#signal-button").addEventListener("click", signal);
route();
loadTopology();
loadWorkflows();
connectEvents();
setInterval(loadTopology, TOPOLOGY_POLL_MS);
