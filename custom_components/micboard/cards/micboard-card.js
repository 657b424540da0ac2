// Micboard cards for Home Assistant: `micboard-card` (the board) and
// `micboard-activity-card` (the activity log). This file is the Lovelace resource; it loads
// the other modules next to it.
//
// Plain ES modules, no build step, no framework: HACS installs this repository as it is,
// so what is in git is what browsers run. There is no toolchain to lock or keep current,
// no bundle to rebuild and keep in sync with its sources, and the pure logic
// (micboard-logic.js) is tested with Node's built-in `node --test` as shipped.
//
// The sibling modules are imported with this file's own `?v=<version>` so that an upgrade
// of the integration reaches them too (the static path is served with long cache headers).
const version = new URL(import.meta.url).search;
const logic = await import(`./micboard-logic.js${version}`);
const { MicboardActivityCard } = await import(`./micboard-activity-card.js${version}`);
const { MicboardCardEditor, MicboardActivityCardEditor } = await import(`./micboard-editor.js${version}`);

const {
  BOARD_DEFAULTS,
  applyBoardMessage,
  audioFraction,
  batterySegments,
  effectiveStatus,
  filterChannels,
  formatFrequency,
  formatRuntime,
  groupChannels,
  kioskGrid,
  localize,
  rfFraction,
  statusStyle,
} = logic;

const STYLE = `
:host { display: block; }
ha-card { display: block; padding: 12px; box-sizing: border-box; height: 100%; overflow: hidden; }
:host([layout="kiosk"]) ha-card { min-height: calc(100vh - var(--header-height, 56px) - 16px); padding: 8px; }
.title { font-size: 1.25rem; font-weight: 500; margin: 0 4px 8px; color: var(--primary-text-color); }
.message { padding: 16px; color: var(--secondary-text-color); }
.group + .group { margin-top: 12px; }
.group-name { font-size: 0.85rem; font-weight: 500; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--secondary-text-color); margin: 0 4px 6px; }
.tiles { display: grid; gap: 8px; grid-template-columns: repeat(var(--columns, auto-fill), minmax(var(--tile-min, 150px), 1fr)); }
:host([layout="kiosk"]) .tiles { gap: 10px; height: var(--kiosk-height, calc(100vh - 120px));
  grid-template-columns: repeat(var(--kiosk-columns), 1fr); grid-template-rows: repeat(var(--kiosk-rows), 1fr); }
.group-tag { display: none; }
:host([layout="kiosk"]) .group-tag { display: inline; opacity: 0.75; }
.tile { container-type: inline-size; position: relative; border-radius: 10px; padding: 8px 10px; cursor: pointer;
  background: var(--tile-bg); color: var(--tile-fg); min-height: 150px; display: flex; flex-direction: column; gap: 4px;
  outline-offset: 2px; overflow: hidden; user-select: none; }
:host([layout="kiosk"]) .tile { min-height: 0; }
.tile:focus-visible { outline: 2px solid var(--primary-color); }
/* The transmitter is off: the band of its last reading, striped and dimmed. */
.tile.striped { background: repeating-linear-gradient(135deg, rgba(0,0,0,0.45) 0 12px, rgba(0,0,0,0.2) 12px 24px), var(--tile-bg); }
.tile.flash { animation: flash 0.5s steps(1) infinite; }
@keyframes flash { 50% { filter: brightness(1.8) saturate(0.4); } }
@media (prefers-reduced-motion: reduce) { .tile.flash { animation: none; outline: 4px solid #fff; } .fill { transition: none; } }
.top, .bottom, .battery { display: flex; align-items: center; gap: 6px; font-size: clamp(0.7rem, 6.5cqi, 1.4rem); }
.top { justify-content: space-between; opacity: 0.85; }
.slot { font-weight: 700; }
.name { font-size: clamp(1.3rem, 16cqi, 5.5rem); font-weight: 700; line-height: 1.05; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.status { font-size: clamp(0.8rem, 8cqi, 2rem); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em; }
.segs { display: inline-flex; gap: 2px; height: 0.9em; }
.segs i { width: clamp(6px, 5cqi, 22px); border: 1px solid currentColor; border-radius: 2px; opacity: 0.9; }
.segs i.on { background: currentColor; }
.battery .runtime { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 600; }
.pct { font-variant-numeric: tabular-nums; }
.meters { display: grid; gap: 3px; margin-top: auto; }
.meter { display: flex; align-items: center; gap: 4px; font-size: clamp(0.6rem, 5cqi, 1.1rem); }
.meter .lbl { width: 3.2em; opacity: 0.8; }
.bar { flex: 1; height: clamp(5px, 4cqi, 16px); background: rgba(0,0,0,0.35); border-radius: 3px; overflow: hidden; }
.fill { height: 100%; width: 100%; transform-origin: left; transform: scaleX(0); transition: transform 90ms linear; }
.rf .fill { background: #4fc3f7; }
.audio .fill { background: linear-gradient(90deg, #76ff03 0 75%, #ffea00 75% 90%, #ff1744 90%); }
.bottom { justify-content: space-between; opacity: 0.85; }
.ant { display: inline-flex; gap: 2px; }
.ant b { min-width: 1.2em; text-align: center; border: 1px solid currentColor; border-radius: 3px; font-size: 0.85em; padding: 0 2px; }
.ant b.off { opacity: 0.3; }
.hidden { display: none !important; }
/* Compact (phone): one line per channel. */
:host([compact]) .tiles { grid-template-columns: 1fr; gap: 4px; }
:host([compact]) .tile { min-height: 0; flex-direction: row; flex-wrap: wrap; align-items: center; padding: 6px 10px; gap: 2px 10px; }
:host([compact]) .top { display: none; }
:host([compact]) .name { font-size: 1.15rem; flex: 1 1 40%; }
:host([compact]) .status { font-size: 0.8rem; flex: 0 0 auto; }
:host([compact]) .battery { font-size: 0.85rem; flex: 1 1 100%; }
:host([compact]) .meters { flex: 1 1 100%; grid-template-columns: 1fr 1fr; margin: 0; }
:host([compact]) .bottom { display: none; }
:host([compact]) .meter { font-size: 0.7rem; }
`;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Identify (only while the entry allows changes: the tile's channel then has an `identify`
// button entity). A small button in the tile's corner presses that entity; it stops the
// click from reaching the tile (which opens the device). Self-contained: one function and
// one call in `_render`.
function syncIdentify(card, tile, channel) {
  const entityId = channel.entityIds?.identify ?? "";
  if (tile._identifyEntity === entityId) return;
  tile._identifyEntity = entityId;
  if (!tile._identify && entityId) {
    const button = element("button");
    button.type = "button";
    button.title = "Identify";
    button.setAttribute("aria-label", "Identify");
    button.style.cssText =
      "position:absolute;top:4px;right:4px;z-index:1;border:0;border-radius:50%;padding:2px;" +
      "width:28px;height:28px;cursor:pointer;color:inherit;background:rgba(0,0,0,0.25);";
    const icon = element("ha-icon");
    icon.setAttribute("icon", "mdi:crosshairs-gps");
    icon.style.cssText = "--mdc-icon-size:20px;";
    button.append(icon);
    const stop = (event) => event.stopPropagation();
    button.addEventListener("keydown", stop);
    button.addEventListener("click", (event) => {
      stop(event);
      if (tile._identifyEntity) card._hass?.callService("button", "press", { entity_id: tile._identifyEntity });
    });
    tile._identify = button;
    tile.append(button);
  }
  tile._identify?.classList.toggle("hidden", !entityId);
}

export function navigate(path) {
  history.pushState(null, "", path);
  window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
}

// What a tile shows, from a channel: the values compared to decide what to touch.
function tileView(channel, config, language) {
  const style = statusStyle(effectiveStatus(channel), config.palette, language);
  const battery = batterySegments(channel.batteryBars, channel.batteryPercent);
  return {
    name: channel.name ?? channel.key,
    slot: String(channel.index ?? ""),
    tx: channel.txModel ?? "",
    freq: formatFrequency(channel.frequency),
    statusText: style.label,
    colour: style.colour,
    fg: style.text,
    striped: style.striped,
    flash: style.flash,
    segments: battery?.filled ?? -1,
    pct: battery?.percent == null ? "" : `${battery.percent} %`,
    runtime: formatRuntime(channel.runtimeMinutes),
    rf: rfFraction(channel.rf) ?? 0,
    audio: audioFraction(channel.audio) ?? 0,
    antenna: channel.antenna == null ? "" : String(channel.antenna),
    quality: channel.quality == null ? "" : `Q ${channel.quality}`,
    receiver: channel.receiverName ?? "",
  };
}

export class MicboardCard extends HTMLElement {
  static getConfigElement() {
    return document.createElement("micboard-card-editor");
  }

  static getStubConfig() {
    return { group_by: "receiver", layout: "auto" };
  }

  constructor() {
    super();
    this._channels = new Map();
    this._tiles = new Map();
    this._pending = new Set();
    this._layoutNeeded = true;
    this._frame = 0;
    this._state = "connecting";
    this.attachShadow({ mode: "open" });
  }

  setConfig(config) {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    if (config.groups !== undefined && !Array.isArray(config.groups)) throw new Error("`groups` must be a list");
    this._config = { ...BOARD_DEFAULTS, ...config };
    this._layoutNeeded = true;
    this._schedule();
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    // Area names and labels come from hass; a re-layout only when they change.
    const registries = [hass.devices, hass.areas];
    if (first || registries.some((value, i) => value !== this._registries?.[i])) {
      this._registries = registries;
      this._layoutNeeded = true;
      this._schedule();
    }
    if (first && this.isConnected) this._subscribe();
  }

  get hass() {
    return this._hass;
  }

  get _language() {
    return this._hass?.locale?.language ?? this._hass?.language ?? "en";
  }

  connectedCallback() {
    if (this._hass && !this._unsubscribe) this._subscribe();
    this._resize = new ResizeObserver(([entry]) => {
      const compact = this._config?.layout === "compact" || (this._config?.layout === "auto" && entry.contentRect.width < 420);
      this.toggleAttribute("compact", compact);
      if (this._config?.layout === "kiosk") this._fitKiosk();
    });
    this._resize.observe(this);
  }

  disconnectedCallback() {
    this._resize?.disconnect();
    this._unsubscribe?.then((unsubscribe) => unsubscribe()).catch(() => {});
    this._unsubscribe = undefined;
    cancelAnimationFrame(this._frame);
    this._frame = 0;
  }

  _subscribe() {
    if (!this._hass?.connection) return;
    this._unsubscribe = this._hass.connection.subscribeMessage((msg) => this.handleMessage(msg), {
      type: "micboard/subscribe",
    });
    this._unsubscribe.catch((err) => {
      this._unsubscribe = undefined;
      this._state = err?.code === "unknown_command" ? "not_loaded" : "error";
      this._error = err?.message;
      this._layoutNeeded = true;
      this._schedule();
    });
  }

  /** One `micboard/subscribe` message (public so a fixture page can feed the card). */
  handleMessage(msg) {
    const { changed, structural } = applyBoardMessage(this._channels, msg);
    this._state = "live";
    if (structural) this._layoutNeeded = true;
    for (const key of changed) this._pending.add(key);
    this._schedule();
  }

  // Meter ticks arrive up to 10 Hz: render at most once per frame.
  _schedule() {
    if (this._frame || !this._config) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (this._layoutNeeded) this._layout();
      else for (const key of this._pending) this._updateTile(key);
      this._pending.clear();
    });
  }

  _lookup() {
    const hass = this._hass;
    return {
      areaOf: (channel) => {
        const areaId = channel.areaId ?? hass?.devices?.[channel.deviceId]?.area_id;
        if (!areaId) return null;
        return { id: areaId, name: hass?.areas?.[areaId]?.name ?? areaId };
      },
      labelsOf: (channel) =>
        (channel.labels ?? hass?.devices?.[channel.deviceId]?.labels ?? []).map((id) => ({
          id,
          name: this._labelNames?.[id] ?? id,
        })),
    };
  }

  async _loadLabels() {
    if (this._labelNames || !this._hass?.callWS) return;
    this._labelNames = {};
    try {
      const labels = await this._hass.callWS({ type: "config/label_registry/list" });
      for (const label of labels) this._labelNames[label.label_id] = label.name;
    } catch {
      // Not an admin, or no label registry: show label ids.
    }
    this._layoutNeeded = true;
    this._schedule();
  }

  _layout() {
    this._layoutNeeded = false;
    const config = this._config;
    const language = this._language;
    this.setAttribute("layout", config.layout);
    this.toggleAttribute("compact", config.layout === "compact" || (config.layout === "auto" && this.clientWidth > 0 && this.clientWidth < 420));
    if (config.group_by === "label") this._loadLabels();
    const root = this.shadowRoot;
    root.replaceChildren();
    const style = element("style");
    style.textContent = STYLE;
    const card = element("ha-card");
    root.append(style, card);
    if (config.title) card.append(element("div", "title", config.title));
    this._tiles = new Map();

    const channels = filterChannels(this._channels.values(), config);
    if (!channels.length) {
      const key = this._state === "live" ? "board.no_channels" : `board.${this._state === "not_loaded" ? "not_loaded" : "connecting"}`;
      card.append(element("div", "message", this._state === "error" ? this._error ?? "Error" : localize(key, language)));
      return;
    }
    const groups = groupChannels(channels, config, this._lookup(), language);
    if (config.columns) card.style.setProperty("--columns", String(config.columns));
    const kiosk = config.layout === "kiosk";
    let tiles;
    for (const group of groups) {
      // TV / kiosk: one grid filling the screen, the group's name on its tiles instead.
      if (!kiosk || !tiles) {
        const section = element("section", "group");
        if (group.name && !kiosk) section.append(element("div", "group-name", group.name));
        tiles = element("div", "tiles");
        section.append(tiles);
        card.append(section);
      }
      for (const channel of group.channels) {
        const tile = this._createTile(channel, group.name);
        // With labels a channel can show twice: every copy is updated.
        if (!this._tiles.has(channel.key)) this._tiles.set(channel.key, []);
        this._tiles.get(channel.key).push(tile);
        tiles.append(tile);
      }
    }
    if (kiosk) this._fitKiosk();
  }

  _fitKiosk() {
    const tiles = this.shadowRoot.querySelector(".tiles");
    if (!tiles) return;
    const top = tiles.getBoundingClientRect().top;
    const height = Math.max(240, innerHeight - Math.max(0, top) - 24);
    const width = tiles.clientWidth || innerWidth;
    const grid = kioskGrid(tiles.children.length, width, height, 1.3, this._config.columns);
    tiles.style.setProperty("--kiosk-columns", String(grid.columns));
    tiles.style.setProperty("--kiosk-rows", String(grid.rows));
    tiles.style.setProperty("--kiosk-height", `${height}px`);
  }

  _createTile(channel, groupName = "") {
    const tile = element("div", "tile");
    tile.setAttribute("role", "button");
    tile.tabIndex = 0;
    tile.dataset.key = channel.key;
    const top = element("div", "top");
    const parts = {
      slot: element("span", "slot"),
      tx: element("span", "tx"),
      freq: element("span", "freq"),
      name: element("div", "name"),
      statusText: element("div", "status"),
      segs: element("span", "segs"),
      pct: element("span", "pct"),
      runtime: element("span", "runtime"),
      rfFill: element("div", "fill"),
      audioFill: element("div", "fill"),
      antenna: element("span", "ant"),
      quality: element("span", "quality"),
    };
    for (let i = 0; i < 5; i += 1) parts.segs.append(element("i"));
    const slot = element("span");
    if (groupName) slot.append(element("span", "group-tag", `${groupName} · `));
    slot.append(parts.slot);
    top.append(slot, parts.tx, parts.freq);
    const battery = element("div", "battery");
    battery.append(parts.segs, parts.pct, parts.runtime);
    const meters = element("div", "meters");
    const language = this._language;
    for (const [kind, fill] of [["rf", parts.rfFill], ["audio", parts.audioFill]]) {
      const meter = element("div", `meter ${kind}`);
      const bar = element("div", "bar");
      bar.append(fill);
      meter.append(element("span", "lbl", localize(`board.${kind}`, language)), bar);
      meters.append(meter);
    }
    meters.classList.toggle("hidden", !this._config.show_meters);
    const bottom = element("div", "bottom");
    bottom.append(parts.antenna, parts.quality);
    tile.append(top, parts.name, parts.statusText, battery, meters, bottom);
    tile._parts = parts;
    tile._shown = {};
    tile.addEventListener("click", () => this._tap(tile.dataset.key));
    tile.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        this._tap(tile.dataset.key);
      }
    });
    this._render(tile, channel);
    return tile;
  }

  _updateTile(key) {
    const channel = this._channels.get(key);
    for (const tile of this._tiles.get(key) ?? []) if (channel) this._render(tile, channel);
  }

  // Touch only what changed since the tile was last drawn.
  _render(tile, channel) {
    const view = tileView(channel, this._config, this._language);
    const shown = tile._shown;
    const parts = tile._parts;
    const changed = (field) => shown[field] !== view[field];
    for (const field of ["slot", "tx", "freq", "name", "statusText", "pct", "runtime", "quality"]) {
      if (changed(field)) parts[field].textContent = view[field];
    }
    if (changed("colour")) tile.style.setProperty("--tile-bg", view.colour);
    if (changed("fg")) tile.style.setProperty("--tile-fg", view.fg);
    if (changed("striped")) tile.classList.toggle("striped", view.striped);
    if (changed("flash")) tile.classList.toggle("flash", view.flash);
    if (changed("segments")) {
      parts.segs.classList.toggle("hidden", view.segments < 0);
      [...parts.segs.children].forEach((seg, i) => seg.classList.toggle("on", i < view.segments));
    }
    if (changed("rf")) parts.rfFill.style.transform = `scaleX(${view.rf})`;
    if (changed("audio")) parts.audioFill.style.transform = `scaleX(${view.audio})`;
    if (changed("antenna")) {
      // Shure reports diversity as two letters with X for an idle antenna ("AX", "AB").
      const letters = /^[A-DX]{2}$/.test(view.antenna) ? [...view.antenna] : view.antenna ? [view.antenna] : [];
      parts.antenna.replaceChildren(
        ...letters.map((letter, i) => element("b", letter === "X" ? "off" : "", letter === "X" ? "AB"[i] : letter)),
      );
      parts.antenna.title = localize("board.antenna", this._language);
    }
    if (changed("statusText") || changed("name") || changed("runtime") || changed("pct")) {
      tile.setAttribute("aria-label", [view.name, view.statusText, view.pct, view.runtime].filter(Boolean).join(", "));
      tile.title = [view.receiver, view.name, view.statusText].filter(Boolean).join(" · ");
    }
    syncIdentify(this, tile, channel);
    tile._shown = view;
  }

  _tap(key) {
    const channel = this._channels.get(key);
    const action = this._config.tap_action;
    if (!channel || action === "none") return;
    const entityId = channel.entityIds?.status;
    if (action === "more-info" && entityId) {
      this.dispatchEvent(new CustomEvent("hass-more-info", { detail: { entityId }, bubbles: true, composed: true }));
    } else if (channel.deviceId) {
      navigate(`/config/devices/device/${channel.deviceId}`);
    }
  }

  getCardSize() {
    return Math.max(3, Math.ceil(this._channels.size / 4) * 4);
  }

  getGridOptions() {
    return { columns: 12, min_columns: 6, rows: "auto" };
  }
}

function register(tag, constructor, name, description) {
  if (!customElements.get(tag)) customElements.define(tag, constructor);
  window.customCards = window.customCards || [];
  if (!window.customCards.some((card) => card.type === tag)) {
    window.customCards.push({ type: tag, name, description, preview: false, documentationURL: "https://github.com/micboard-ha/micboard-homeassistant" });
  }
}

// Define only once the frontend is up: a define at load time can run before the frontend
// installs its element registry, and the card then reads "Custom element doesn't exist".
customElements.whenDefined("home-assistant").then(() => {
  if (!customElements.get("micboard-card-editor")) customElements.define("micboard-card-editor", MicboardCardEditor);
  if (!customElements.get("micboard-activity-card-editor")) {
    customElements.define("micboard-activity-card-editor", MicboardActivityCardEditor);
  }
  register("micboard-card", MicboardCard, "Micboard", "Every wireless mic channel as a Micboard tile: status, battery, runtime, RF and audio.");
  register("micboard-activity-card", MicboardActivityCard, "Micboard activity", "The Micboard activity log: receivers and transmitters discovered, online, offline, updated, synced.");
});
