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
//
// Meters arrive up to ten times a second for hundreds of channels, so a tick must cost the
// browser next to nothing. The bars are not elements: each row of tiles has one canvas laid
// over the band its bars cover, and a tile's bars are drawn on it where the tile keeps an
// empty slot for them (no style recalculation, layout or compositing layer per bar, and few
// pixels for the compositor). A tick redraws only the bars whose levels moved by a pixel,
// at most once per animation frame, and only for groups on screen (the others when they
// scroll in); everything else on a tile is written only when its text or state changed.
const version = new URL(import.meta.url).search;
const logic = await import(`./micboard-logic.js${version}`);
const { MicboardActivityCard } = await import(`./micboard-activity-card.js${version}`);
const { MicboardCardEditor, MicboardActivityCardEditor } = await import(`./micboard-editor.js${version}`);

const {
  BOARD_DEFAULTS,
  applyBoardMessage,
  applyChargerMessage,
  audioFraction,
  bayView,
  chargerBoard,
  chargerGroups,
  chargerSummary,
  effectiveStatus,
  filterChannels,
  formatFrequency,
  formatRuntime,
  groupChannels,
  kioskGrid,
  loadManufacturers,
  localize,
  manufacturerName,
  meterSpans,
  qualityText,
  rfFraction,
  sensorStateLabels,
  shownBattery,
  statusLabels,
  statusStyle,
} = logic;

const STYLE = `
:host { display: block; --tile-width: 176px; --bay-width: 100px; }
ha-card { display: block; padding: 12px; box-sizing: border-box; height: 100%; overflow: hidden; }
:host([layout="kiosk"]) ha-card { min-height: calc(100vh - var(--header-height, 56px) - 16px); padding: 8px; }
.title { font-size: 1.25rem; font-weight: 500; margin: 0 4px 8px; color: var(--primary-text-color); }
.message { padding: 16px; color: var(--secondary-text-color); }
/* Receivers side by side while they fit: a small rig is one screen, not one row each. */
.groups { display: flex; flex-wrap: wrap; gap: 12px 16px; align-items: flex-start; }
/* Every tile the same size; a group wider than the card wraps its tiles. */
.group { flex: 0 1 auto; width: calc(var(--count) * (var(--tile-width) + 8px) - 8px); max-width: 100%; min-width: 0;
  /* Groups off screen are neither laid out nor painted, their canvases not composited. */
  content-visibility: auto; contain-intrinsic-size: auto 320px auto 190px; }
:host([fixed-columns]) .group, .group.all { flex-basis: 100%; max-width: none; }
.group-name { font-size: 0.85rem; font-weight: 500; text-transform: uppercase; letter-spacing: 0.06em;
  color: var(--secondary-text-color); margin: 0 4px 6px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.group-name small { font-size: 0.75rem; font-weight: 400; text-transform: none; letter-spacing: 0; margin-left: 6px; opacity: 0.8; }
.tiles { display: grid; gap: 8px; grid-template-columns: repeat(auto-fill, minmax(min(var(--tile-width), 100%), 1fr)); }
:host([fixed-columns]) .tiles { grid-template-columns: repeat(var(--columns), minmax(0, 1fr)); }
:host([layout="kiosk"]) .tiles { gap: 10px; height: var(--kiosk-height, calc(100vh - 120px));
  grid-template-columns: repeat(var(--kiosk-columns), minmax(0, 1fr)); grid-template-rows: repeat(var(--kiosk-rows), minmax(0, 1fr)); }
.group-tag { display: none; }
:host([layout="kiosk"]) .group-tag { display: inline; opacity: 0.75; }
.tile { container-type: inline-size; contain: layout paint style; position: relative; border-radius: 10px;
  padding: 8px 10px; cursor: pointer; background: var(--tile-bg); color: var(--tile-fg); min-height: 150px;
  display: flex; flex-direction: column; gap: 4px; outline-offset: 2px; overflow: hidden; user-select: none; }
/* TV tiles take the grid's size; on a screen full of small tiles the lesser lines go. */
:host([layout="kiosk"]) .tile { min-height: 0; container-type: size; }
.tile:focus-visible { outline: 2px solid var(--primary-color); }
/* The transmitter is off: the band of its last reading, striped and dimmed. */
.tile.striped { background: repeating-linear-gradient(135deg, rgba(0,0,0,0.45) 0 12px, rgba(0,0,0,0.2) 12px 24px), var(--tile-bg); }
.tile.flash { animation: flash 0.5s steps(1) infinite; }
@keyframes flash { 50% { filter: brightness(1.8) saturate(0.4); } }
@media (prefers-reduced-motion: reduce) { .tile.flash { animation: none; outline: 4px solid #fff; } }
.top, .bottom, .battery { display: flex; align-items: center; gap: 6px; font-size: clamp(0.7rem, 6.5cqi, 1.4rem); }
.top { justify-content: space-between; opacity: 0.85; white-space: nowrap; }
.top > * { overflow: hidden; text-overflow: ellipsis; }
.slot { font-weight: 700; }
.name { font-size: clamp(1.3rem, 16cqi, 5.5rem); font-weight: 700; line-height: 1.05; overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; }
.status { font-size: clamp(0.8rem, 8cqi, 2rem); font-weight: 600; text-transform: uppercase; letter-spacing: 0.04em;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.segs { display: inline-flex; gap: 2px; height: 0.9em; }
.segs i { width: clamp(6px, 5cqi, 22px); border: 1px solid currentColor; border-radius: 2px; opacity: 0.9; }
.segs i.on { background: currentColor; }
/* The last reading before the transmitter went off. */
.battery.stale { opacity: 0.6; }
.battery .runtime { margin-left: auto; font-variant-numeric: tabular-nums; font-weight: 600; }
.pct { font-variant-numeric: tabular-nums; }
.meters { display: grid; grid-template-columns: auto 1fr; column-gap: 6px; row-gap: 3px; margin-top: auto;
  font-size: clamp(0.6rem, 5cqi, 1.1rem); line-height: 1.2; }
.meters .lbl { grid-column: 1; opacity: 0.8; }
.levels { grid-column: 2; grid-row: 1 / 3; }
.tiles { position: relative; }
canvas.bars { position: absolute; left: 0; top: 0; z-index: 1; pointer-events: none; }
/* Never empty, so the bars sit at the same height on every tile of a row. */
.bottom { justify-content: space-between; opacity: 0.85; min-height: 1.3em; }
.ant { display: inline-flex; gap: 2px; }
.ant b { min-width: 1.2em; text-align: center; border: 1px solid currentColor; border-radius: 3px; font-size: 0.85em; padding: 0 2px; }
.ant b.off { opacity: 0.3; }
.hidden { display: none !important; }
/* Compact (phone): a few lines per channel. */
:host([compact]) .groups { gap: 8px; }
:host([compact]) .group { flex-basis: 100%; max-width: none; }
:host([compact]) .tiles { grid-template-columns: 1fr; gap: 4px; }
:host([compact]) .tile { min-height: 0; flex-direction: row; flex-wrap: wrap; align-items: center; padding: 6px 10px; gap: 2px 10px; }
:host([compact]) .top { display: none; }
:host([compact]) .name { font-size: 1.15rem; flex: 1 1 40%; }
:host([compact]) .status { font-size: 0.8rem; flex: 0 0 auto; }
:host([compact]) .battery { font-size: 0.85rem; flex: 1 1 100%; }
:host([compact]) .meters { flex: 1 1 100%; margin: 0; font-size: 0.7rem; }
:host([compact]) .bottom { display: none; }
/* Chargers: a small tile per bay (no meters), in a group per charger. */
.group.charger { width: calc(var(--count) * (var(--bay-width) + 6px) - 6px); }
.group.charger.offline .group-name { opacity: 0.6; }
.group-name .summary { text-transform: none; }
.bays { display: grid; gap: 6px; grid-template-columns: repeat(auto-fill, minmax(min(var(--bay-width), 100%), 1fr)); }
.bay { contain: layout paint style; border-radius: 8px; padding: 5px 7px; cursor: pointer; background: var(--tile-bg);
  color: var(--tile-fg); min-height: 80px; display: flex; flex-direction: column; gap: 1px; overflow: hidden;
  outline-offset: 2px; user-select: none; box-sizing: border-box; }
.bay:focus-visible { outline: 2px solid var(--primary-color); }
/* Nothing in the bay. */
.bay.dim { opacity: 0.45; }
.bay-top { display: flex; justify-content: space-between; gap: 4px; font-size: 0.72rem; opacity: 0.85; white-space: nowrap; }
.bay .to-full { font-variant-numeric: tabular-nums; font-weight: 600; }
.bay .charge { font-size: 1.35rem; font-weight: 700; line-height: 1.15; min-height: 1.15em; font-variant-numeric: tabular-nums; }
/* The state's name and the error's in up to two lines ("Recovering a deep discharge"). */
.bay .bay-state, .bay .bay-note { line-height: 1.15; overflow: hidden;
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; }
.bay .bay-state { font-size: 0.72rem; font-weight: 600; }
.bay .bay-note { font-size: 0.68rem; }
/* TV: the chargers under the channels' grid, which leaves them room (see _fitKiosk). */
:host([layout="kiosk"]) { --bay-width: 84px; }
:host([layout="kiosk"]) .groups.chargers { margin-top: 10px; }
:host([compact]) { --bay-width: 76px; }
/* (Last, to win over the rules above.) */
@container (max-height: 150px) { .tile .top, .tile .bottom { display: none; } }
@container (max-height: 105px) { .tile .battery { display: none; } }
@container (max-height: 70px) { .tile .meters { display: none; } }
`;

const TRACK = "rgba(0,0,0,0.35)";

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

// A tile is a button: clicked, or Enter / Space while it has the focus.
function onActivate(node, action) {
  node.addEventListener("click", action);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      action();
    }
  });
}

export function navigate(path) {
  history.pushState(null, "", path);
  window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
}

// What a tile shows besides its bars, from a channel: the values compared to decide what to touch.
function tileView(channel, config, language, labels) {
  const status = effectiveStatus(channel);
  const style = statusStyle(status, config.palette, language, labels);
  const battery = shownBattery(channel, status);
  return {
    status: style.status,
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
    stale: Boolean(battery?.stale),
    pct: battery?.percent == null ? "" : `${battery.percent} %`,
    runtime: battery ? formatRuntime(battery.runtime) : "—",
    antenna: channel.antenna == null ? "" : String(channel.antenna),
    quality: qualityText(channel.quality, channel.rfQuality),
    receiver: channel.receiverName ?? "",
  };
}

// A tile's slot for its bars: RF on top, audio below, a fifth of the height between them.
function barRows({ y, h }) {
  const gap = Math.max(1, Math.round(h * 0.2));
  const bar = Math.max(1, Math.floor((h - gap) / 2));
  return { bar, rf: y, audio: y + bar + gap };
}

/** Draw a tile's two bars in `rect` of a canvas; the widths drawn. */
function drawLevels(context, rect, rf, audio) {
  const { x, y, w, h } = rect;
  context.clearRect(x, y, w, h);
  const drawn = { rfPx: 0, audioPx: 0 };
  if (w <= 0 || h <= 0) return drawn;
  const rows = barRows(rect);
  const bar = rows.bar;
  for (const [kind, fraction, top] of [["rf", rf, rows.rf], ["audio", audio, rows.audio]]) {
    context.fillStyle = TRACK;
    context.fillRect(x, top, w, bar);
    let end = 0;
    for (const span of meterSpans(kind, fraction, w)) {
      context.fillStyle = span.colour;
      context.fillRect(x + span.x, top, span.w, bar);
      end = span.x + span.w;
    }
    drawn[`${kind}Px`] = end;
  }
  return drawn;
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
    this._pendingLevels = new Set();
    // Chargers: their bays' tiles and their headings, and which of them to redraw.
    this._chargers = chargerBoard();
    this._bayTiles = new Map();
    this._chargerHeads = new Map();
    this._pendingBays = new Set();
    this._pendingChargers = new Set();
    this._layoutNeeded = true;
    this._frame = 0;
    this._state = "connecting";
    this._labels = undefined;
    this.attachShadow({ mode: "open" });
    // Where the bars go: measured again whenever a group's grid or one of its tiles resizes.
    this._geometry = new ResizeObserver((entries) => {
      const sections = new Set(entries.map((entry) => entry.target._section ?? entry.target.closest(".tiles")?._section));
      for (const section of sections) if (section) this._measureSection(section);
    });
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
    if (this._labelsLanguage !== this._language) this._loadStatusLabels();
    if (first) this._loadManufacturers();
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

  // The manufacturers' names beside receivers and chargers, from the integration's registry
  // (its code until then, or if the integration does not answer).
  async _loadManufacturers() {
    const names = await loadManufacturers(this._hass);
    if (!names) return;
    this._manufacturers = names;
    this._layoutNeeded = true;
    this._schedule();
  }

  // The status names in the user's language, from the integration's translations.
  async _loadStatusLabels() {
    const language = this._language;
    this._labelsLanguage = language;
    if (!this._hass?.callWS) return;
    try {
      const { resources } = await this._hass.callWS({
        type: "frontend/get_translations",
        language,
        category: "entity",
        integration: ["micboard"],
      });
      if (language !== this._labelsLanguage) return;
      this._labels = statusLabels(resources);
      this._bayLabels = sensorStateLabels(resources, "battery_state");
      this._errorLabels = sensorStateLabels(resources, "battery_error");
    } catch {
      return; // The card's own English names stay.
    }
    for (const key of this._channels.keys()) this._pending.add(key);
    for (const key of this._chargers.bays.keys()) this._pendingBays.add(key);
    this._schedule();
  }

  /** One `micboard/subscribe` message (public so a test page can feed the card). */
  handleMessage(msg) {
    const { details, levels, structural } = applyBoardMessage(this._channels, msg);
    const chargers = applyChargerMessage(this._chargers, msg);
    this._state = "live";
    if (structural || chargers.structural) this._layoutNeeded = true;
    for (const key of details) this._pending.add(key);
    for (const key of levels) this._pendingLevels.add(key);
    for (const key of chargers.bays) this._pendingBays.add(key);
    for (const id of chargers.chargers) this._pendingChargers.add(id);
    this._schedule();
  }

  // Meter ticks arrive up to 10 Hz: render at most once per frame.
  _schedule() {
    if (this._frame || !this._config) return;
    this._frame = requestAnimationFrame(() => {
      this._frame = 0;
      if (this._layoutNeeded) this._layout();
      else {
        for (const key of this._pending) this._updateTile(key);
        for (const key of this._pendingLevels) this._updateLevels(key);
        for (const key of this._pendingBays) this._renderBay(key);
        for (const id of this._pendingChargers) this._renderCharger(id);
      }
      this._pending.clear();
      this._pendingLevels.clear();
      this._pendingBays.clear();
      this._pendingChargers.clear();
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
      manufacturerName: (code) => manufacturerName(this._manufacturers, code),
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
    this.toggleAttribute("fixed-columns", Boolean(config.columns) && config.layout !== "kiosk");
    this.toggleAttribute("compact", config.layout === "compact" || (config.layout === "auto" && this.clientWidth > 0 && this.clientWidth < 420));
    if (config.group_by === "label") this._loadLabels();
    this._geometry.disconnect();
    const root = this.shadowRoot;
    root.replaceChildren();
    const style = element("style");
    style.textContent = STYLE;
    const card = element("ha-card");
    root.append(style, card);
    if (config.title) card.append(element("div", "title", config.title));
    this._tiles = new Map();
    this._bayTiles = new Map();
    this._chargerHeads = new Map();

    const channels = filterChannels(this._channels.values(), config);
    const chargers = chargerGroups(this._chargers, config);
    if (!channels.length && !chargers.length) {
      const key = this._state === "live" ? "board.no_channels" : `board.${this._state === "not_loaded" ? "not_loaded" : "connecting"}`;
      card.append(element("div", "message", this._state === "error" ? this._error ?? "Error" : localize(key, language)));
      return;
    }
    const groups = channels.length ? groupChannels(channels, config, this._lookup(), language) : [];
    if (config.columns) card.style.setProperty("--columns", String(config.columns));
    const kiosk = config.layout === "kiosk";
    const container = element("div", "groups");
    card.append(container);
    // Chargers after the receivers; on a TV below the channels' grid.
    const chargerContainer = kiosk && groups.length && chargers.length ? element("div", "groups chargers") : container;
    let tiles;
    for (const group of groups) {
      // TV / kiosk: one grid filling the screen, the group's name on its tiles instead.
      if (!kiosk || !tiles) {
        const section = element("section", "group");
        const grid = this._createGrid();
        // Off screen, the browser skips the group (content-visibility): so does drawing.
        section.addEventListener("contentvisibilityautostatechange", (event) => this._setVisible(grid._section, !event.skipped));
        section.style.setProperty("--count", String(group.channels.length));
        if (kiosk || groups.length === 1) section.classList.add("all");
        if (group.name && !kiosk) {
          const heading = element("div", "group-name", group.name);
          if (group.detail) heading.append(element("small", "", group.detail));
          section.append(heading);
        }
        tiles = grid;
        section.append(tiles);
        container.append(section);
      }
      for (const channel of group.channels) {
        const tile = this._createTile(channel, group.name, tiles._section);
        // With labels a channel can show twice: every copy is updated.
        if (!this._tiles.has(channel.key)) this._tiles.set(channel.key, []);
        this._tiles.get(channel.key).push(tile);
        tiles.append(tile);
      }
    }
    for (const { charger, bays } of chargers) chargerContainer.append(this._createCharger(charger, bays));
    if (chargerContainer !== container) card.append(chargerContainer);
    if (kiosk) this._fitKiosk();
  }

  // A grid of tiles with the canvases its tiles' bars are drawn on.
  _createGrid() {
    const grid = element("div", "tiles");
    // bands: one canvas per row of tiles, made when the grid is measured.
    const section = { grid, bands: [], tiles: [], visible: true, stale: new Set() };
    grid._section = section;
    if (this._config.show_meters) this._geometry.observe(grid);
    return grid;
  }

  // Bars off screen are not drawn until their group scrolls into view.
  _setVisible(section, visible) {
    if (!section || section.visible === visible) return;
    section.visible = visible;
    if (!visible) return;
    for (const tile of section.stale) this._drawTileLevels(tile);
    section.stale.clear();
  }

  // Find each tile's slot for its bars and lay one canvas over each row's band of slots
  // (few pixels to hand to the compositor per frame); then redraw them all.
  _measureSection(section) {
    const { grid } = section;
    const ratio = window.devicePixelRatio || 1;
    // Layout positions in the grid (offsets: unlike client rects, not moved by a transform
    // such as the editor dialog's opening animation).
    const rows = new Map();
    for (const tile of section.tiles) {
      const levels = tile._parts.levels;
      tile._rect = null;
      tile._band = null;
      const slot = {
        left: tile.offsetLeft + levels.offsetLeft,
        top: tile.offsetTop + levels.offsetTop,
        width: levels.offsetWidth,
        height: levels.offsetHeight,
      };
      slot.right = slot.left + slot.width;
      slot.bottom = slot.top + slot.height;
      // No bars where the tile has no room for them (hidden, or cut off by the tile's edge).
      const fits = slot.bottom <= tile.offsetTop + tile.offsetHeight && slot.right <= tile.offsetLeft + tile.offsetWidth;
      if (levels.offsetParent !== tile || !slot.width || !slot.height || !fits) continue;
      // Tiles whose slots start at the same height share a band.
      if (!rows.has(slot.top)) rows.set(slot.top, []);
      rows.get(slot.top).push([tile, slot]);
    }
    [...rows.values()].forEach((members, i) => {
      const band = (section.bands[i] ??= this._createBand(grid));
      const left = Math.min(...members.map(([, slot]) => slot.left));
      const top = Math.min(...members.map(([, slot]) => slot.top));
      const width = Math.round((Math.max(...members.map(([, slot]) => slot.right)) - left) * ratio);
      const height = Math.round((Math.max(...members.map(([, slot]) => slot.bottom)) - top) * ratio);
      const { canvas } = band;
      if (canvas.width !== width || canvas.height !== height || band.ratio !== ratio) {
        canvas.width = width;
        canvas.height = height;
        canvas.style.width = `${width / ratio}px`;
        canvas.style.height = `${height / ratio}px`;
        band.ratio = ratio;
        band.context = null;
      }
      canvas.style.transform = `translate(${left}px, ${top}px)`;
      band.context ??= canvas.getContext("2d");
      band.context.clearRect(0, 0, width, height);
      for (const [tile, slot] of members) {
        tile._band = band;
        tile._rect = {
          x: Math.round((slot.left - left) * ratio),
          y: Math.round((slot.top - top) * ratio),
          w: Math.round(slot.width * ratio),
          h: Math.round(slot.height * ratio),
        };
        tile._drawn = undefined;
        this._drawTileLevels(tile);
      }
    });
    for (const band of section.bands.splice(rows.size)) band.canvas.remove();
  }

  _createBand(grid) {
    const canvas = element("canvas", "bars");
    canvas.width = 0;
    canvas.height = 0;
    grid.append(canvas);
    return { canvas, context: null, ratio: 0 };
  }

  _fitKiosk() {
    const tiles = this.shadowRoot.querySelector(".tiles");
    if (!tiles) return;
    const top = tiles.getBoundingClientRect().top;
    // The chargers below the grid keep their room.
    const chargers = this.shadowRoot.querySelector(".groups.chargers");
    const below = chargers ? chargers.offsetHeight + 10 : 0;
    const height = Math.max(240, innerHeight - Math.max(0, top) - 24 - below);
    const width = tiles.clientWidth || innerWidth;
    const count = tiles._section?.tiles.length ?? tiles.children.length;
    const grid = kioskGrid(count, width, height, 1.3, this._config.columns);
    tiles.style.setProperty("--kiosk-columns", String(grid.columns));
    tiles.style.setProperty("--kiosk-rows", String(grid.rows));
    tiles.style.setProperty("--kiosk-height", `${height}px`);
  }

  _createTile(channel, groupName = "", section = undefined) {
    const tile = element("div", "tile");
    tile.setAttribute("role", "button");
    tile.tabIndex = 0;
    tile.dataset.key = channel.key;
    if (channel.manufacturer) tile.dataset.manufacturer = channel.manufacturer;
    const top = element("div", "top");
    const parts = {
      slot: element("span", "slot"),
      tx: element("span", "tx"),
      freq: element("span", "freq"),
      name: element("div", "name"),
      statusText: element("div", "status"),
      battery: element("div", "battery"),
      segs: element("span", "segs"),
      pct: element("span", "pct"),
      runtime: element("span", "runtime"),
      levels: element("div", "levels"),
      antenna: element("span", "ant"),
      quality: element("span", "quality"),
    };
    for (let i = 0; i < 5; i += 1) parts.segs.append(element("i"));
    const slot = element("span");
    if (groupName) slot.append(element("span", "group-tag", `${groupName} · `));
    slot.append(parts.slot);
    top.append(slot, parts.tx, parts.freq);
    parts.battery.append(parts.segs, parts.pct, parts.runtime);
    const meters = element("div", "meters");
    const language = this._language;
    meters.append(
      element("span", "lbl", localize("board.rf", language)),
      parts.levels,
      element("span", "lbl", localize("board.audio", language)),
    );
    meters.classList.toggle("hidden", !this._config.show_meters);
    const bottom = element("div", "bottom");
    bottom.append(parts.antenna, parts.quality);
    tile.append(top, parts.name, parts.statusText, parts.battery, meters, bottom);
    tile._parts = parts;
    tile._shown = {};
    tile._section = section;
    section?.tiles.push(tile);
    onActivate(tile, () => this._tap(tile.dataset.key));
    this._render(tile, channel);
    if (this._config.show_meters && section) this._geometry.observe(tile);
    return tile;
  }

  _updateTile(key) {
    const channel = this._channels.get(key);
    for (const tile of this._tiles.get(key) ?? []) if (channel) this._render(tile, channel);
  }

  _updateLevels(key) {
    const channel = this._channels.get(key);
    for (const tile of this._tiles.get(key) ?? []) if (channel) this._renderLevels(tile, channel);
  }

  // The bars: redrawn when a level moved by a pixel or more (a tick's only work on a tile).
  _renderLevels(tile, channel) {
    tile._levels = [rfFraction(channel.rf) ?? 0, audioFraction(channel.audio) ?? 0, channel.rf ?? null, channel.audio ?? null];
    this._drawTileLevels(tile);
  }

  _drawTileLevels(tile) {
    const section = tile._section;
    const rect = tile._rect;
    const context = tile._band?.context;
    if (!this._config.show_meters || !context || !rect || !tile._levels) return;
    if (!section.visible) {
      section.stale.add(tile);
      return;
    }
    const [rf, audio, rfLevel, audioLevel] = tile._levels;
    const drawn = tile._drawn;
    if (drawn && Math.round(drawn.rf * rect.w) === Math.round(rf * rect.w) && Math.round(drawn.audio * rect.w) === Math.round(audio * rect.w)) {
      return;
    }
    // What the bars show, for tests and tools: the levels and the widths drawn in pixels.
    tile._drawn = { rf, audio, rfLevel, audioLevel, ...drawLevels(context, rect, rf, audio) };
  }

  /**
   * What a channel's bars show (for tests and tools): its RF and audio levels, the widths
   * drawn and the widths read back from the canvas's pixels, in canvas pixels of a bar
   * `width` wide; null for a channel without a tile or not drawn yet.
   */
  levelsShown(key) {
    const tile = this._tiles.get(key)?.[0];
    const drawn = tile?._drawn;
    const context = tile?._band?.context;
    if (!drawn || !context) return null;
    const { x, w } = tile._rect;
    const rows = barRows(tile._rect);
    // A filled pixel is opaque; the track is translucent.
    const filled = (top) => {
      const row = context.getImageData(x, top + Math.floor(rows.bar / 2), w, 1).data;
      let end = 0;
      for (let i = 0; i < w; i += 1) if (row[i * 4 + 3] === 255) end = i + 1;
      return end;
    };
    return { ...drawn, width: w, rfPixels: filled(rows.rf), audioPixels: filled(rows.audio) };
  }

  // Touch only what changed since the tile was last drawn.
  _render(tile, channel) {
    const view = tileView(channel, this._config, this._language, this._labels);
    const shown = tile._shown;
    const parts = tile._parts;
    const changed = (field) => shown[field] !== view[field];
    for (const field of ["slot", "tx", "freq", "name", "statusText", "pct", "runtime", "quality"]) {
      if (changed(field)) parts[field].textContent = view[field];
    }
    if (changed("status")) tile.dataset.status = view.status;
    if (changed("colour")) tile.style.setProperty("--tile-bg", view.colour);
    if (changed("fg")) tile.style.setProperty("--tile-fg", view.fg);
    if (changed("striped")) tile.classList.toggle("striped", view.striped);
    if (changed("flash")) tile.classList.toggle("flash", view.flash);
    if (changed("stale")) parts.battery.classList.toggle("stale", view.stale);
    if (changed("segments")) {
      parts.segs.classList.toggle("hidden", view.segments < 0);
      [...parts.segs.children].forEach((seg, i) => seg.classList.toggle("on", i < view.segments));
    }
    if (changed("antenna")) {
      // Diversity as two letters, one per antenna, X for an idle one ("AX", "AB"); else as is.
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
    this._renderLevels(tile, channel);
  }

  // A charger's heading (name, model and manufacturer, what its packs are doing) over its bays.
  _createCharger(charger, bays) {
    const section = element("section", "group charger");
    section.dataset.charger = charger.id;
    section.style.setProperty("--count", String(Math.max(1, bays.length)));
    const maker = manufacturerName(this._manufacturers, charger.manufacturer);
    const heading = element("div", "group-name", charger.name ?? charger.id);
    const detail = [charger.model, maker].filter(Boolean).join(" · ");
    if (detail) heading.append(element("small", "", detail));
    const summary = element("small", "summary");
    heading.append(summary);
    const grid = element("div", "bays");
    for (const bay of bays) {
      const tile = this._createBay(bay);
      this._bayTiles.set(bay.key, tile);
      grid.append(tile);
    }
    section.append(heading, grid);
    this._chargerHeads.set(charger.id, { section, summary, bays, shown: {} });
    this._renderCharger(charger.id);
    return section;
  }

  _renderCharger(id) {
    const head = this._chargerHeads.get(id);
    const charger = this._chargers.chargers.get(id);
    if (!head || !charger) return;
    const offline = charger.online === false;
    const summary = chargerSummary(head.bays, charger, this._language);
    if (head.shown.offline !== offline) head.section.classList.toggle("offline", offline);
    if (head.shown.summary !== summary) head.summary.textContent = summary;
    head.shown = { offline, summary };
  }

  _createBay(bay) {
    const tile = element("div", "bay");
    tile.setAttribute("role", "button");
    tile.tabIndex = 0;
    tile.dataset.key = bay.key;
    const parts = {
      name: element("span", "bay-name"),
      toFull: element("span", "to-full"),
      charge: element("div", "charge"),
      label: element("div", "bay-state"),
      note: element("div", "bay-note"),
    };
    const top = element("div", "bay-top");
    top.append(parts.name, parts.toFull);
    tile.append(top, parts.charge, parts.label, parts.note);
    tile._parts = parts;
    tile._shown = {};
    onActivate(tile, () => this._tapBay(tile.dataset.key));
    this._renderBay(bay.key, tile);
    return tile;
  }

  // Touch only what changed since the bay was last drawn.
  _renderBay(key, tile = this._bayTiles.get(key)) {
    const bay = this._chargers.bays.get(key);
    if (!tile || !bay) return;
    const view = bayView(bay, this._chargers.chargers.get(bay.chargerId), {
      palette: this._config.palette,
      language: this._language,
      labels: this._bayLabels,
      errorLabels: this._errorLabels,
    });
    const shown = tile._shown;
    const parts = tile._parts;
    for (const field of ["name", "toFull", "charge", "label", "note"]) {
      if (shown[field] !== view[field]) parts[field].textContent = view[field];
    }
    if (shown.state !== view.state) tile.dataset.state = view.state;
    if (shown.tone !== view.tone) tile.dataset.tone = view.tone;
    if (shown.colour !== view.colour) tile.style.setProperty("--tile-bg", view.colour);
    if (shown.fg !== view.fg) tile.style.setProperty("--tile-fg", view.fg);
    if (shown.dim !== view.dim) tile.classList.toggle("dim", view.dim);
    if (shown.title !== view.title) {
      tile.title = view.title;
      tile.setAttribute("aria-label", view.title);
    }
    tile._shown = view;
  }

  _tap(key) {
    const channel = this._channels.get(key);
    if (channel) this._open(channel.entityIds?.status, channel.deviceId);
  }

  // A bay opens its battery state entity, as a channel's tile opens its status.
  _tapBay(key) {
    const bay = this._chargers.bays.get(key);
    if (bay) this._open(bay.entityIds?.battery_state, bay.deviceId);
  }

  _open(entityId, deviceId) {
    const action = this._config.tap_action;
    if (action === "none") return;
    if (action === "more-info" && entityId) {
      this.dispatchEvent(new CustomEvent("hass-more-info", { detail: { entityId }, bubbles: true, composed: true }));
    } else if (deviceId) {
      navigate(`/config/devices/device/${deviceId}`);
    }
  }

  getCardSize() {
    return Math.max(3, Math.ceil(this._channels.size / 4) * 4 + Math.ceil(this._chargers.bays.size / 8) * 2);
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
  register("micboard-card", MicboardCard, "Micboard", "Every wireless mic channel as a Micboard tile: status, battery, runtime, RF and audio; every charger bay's charge.");
  register("micboard-activity-card", MicboardActivityCard, "Micboard activity", "The Micboard activity log: receivers and transmitters discovered, online, offline, updated, synced.");
});
