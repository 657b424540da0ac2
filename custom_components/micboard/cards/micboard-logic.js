// Pure logic of the Micboard cards: no DOM, no Home Assistant, so `node --test tests/js/`
// exercises it as it is shipped. The card modules only turn its results into elements.

// ---------------------------------------------------------------------------------------
// Strings. The status names and a bay's battery state and error names come from the
// integration's own translations (the status, battery state and battery error sensors'
// states in translations/<language>.json), which the board card asks Home Assistant for
// (`frontend/get_translations`, `sensorStateLabels` below); the English ones are also
// here, word for word (unit tests compare them with translations/en.json), for the
// moment before that answer and for the fixture pages. The rest of the cards' words have no
// place in the integration's strings, so the cards carry them: other languages fall back to
// English; add a table here to translate.
// ---------------------------------------------------------------------------------------
export const STRINGS = {
  en: {
    "status.good": "Good",
    "status.replace": "Replace battery",
    "status.critical": "Critical battery",
    "status.prev_good": "Off (was good)",
    "status.prev_replace": "Off (was replace)",
    "status.prev_critical": "Off (was critical)",
    "status.tx_com_error": "Transmitter lost",
    "status.rx_com_error": "Receiver offline",
    "status.audio_peak": "Audio peak",
    "status.unassigned": "Unassigned",
    "status.unknown": "Unknown",
    // A bay's battery state and error: the battery state and battery error sensors' own.
    "bay.charging": "Charging",
    "bay.full": "Fully charged",
    "bay.warm": "Charging (warm)",
    "bay.hot": "Too hot to charge",
    "bay.cold": "Too cold to charge",
    "bay.precharge": "Recovering a deep discharge",
    "bay.storage": "Ready to store",
    "bay.calculating": "Calculating",
    "bay.discharging": "Discharging to storage",
    "bay.updating": "Updating",
    "bay.error": "Error",
    "bay.unknown": "Unknown",
    "bay.empty": "Empty",
    "bay_error.none": "No error",
    "bay_error.unknown_module": "Unknown module",
    "bay_error.unrecognized_battery": "Unrecognised battery",
    "bay_error.deep_discharge_recovery_failed": "Deep discharge recovery failed",
    "bay_error.charge_failed": "Charge failed",
    "bay_error.discharge_failed": "Discharge failed",
    "bay_error.check_battery": "Check battery",
    "bay_error.check_charger": "Check charger",
    "bay_error.communication_failure": "Communication failure",
    "bay_error.overcurrent": "Overcurrent",
    "bay_error.temperature_out_of_range": "Temperature out of range",
    "bay_error.other": "Other error",
    "board.title": "Micboard",
    "board.connecting": "Connecting to Micboard…",
    "board.no_channels": "No channels yet. Add a Micboard integration entry.",
    "board.not_loaded": "Micboard's live data is not available: is the Micboard integration set up, and up to date?",
    "board.ungrouped": "Other",
    "board.no_area": "No area",
    "board.no_label": "No label",
    "board.battery": "Battery",
    "board.runtime": "Runtime",
    "board.rf": "RF",
    "board.audio": "Audio",
    "board.antenna": "Antenna",
    "board.quality": "Quality",
    "board.bay": "Bay",
    "board.charger_offline": "Charger offline",
    "board.to_full": "to full",
    "board.health": "health",
    "board.summary_full": "full",
    "board.summary_charging": "charging",
    "board.summary_attention": "to check",
    "activity.title": "Micboard activity",
    "activity.all_events": "All events",
    "activity.all_manufacturers": "All manufacturers",
    "activity.load_more": "Load more",
    "activity.empty": "No activity yet.",
    "activity.live": "Live",
    "event.device_discovered": "Discovered",
    "event.device_online": "Online",
    "event.device_offline": "Offline",
    "event.device_updated": "Updated",
    "event.device_synced": "Synced",
    "editor.title": "Title",
    "editor.group_by": "Group by",
    "editor.order": "Order",
    "editor.layout": "Layout",
    "editor.palette": "Colours",
    "editor.tap_action": "Tapping a tile opens",
    "editor.manufacturer": "Manufacturer (empty: all)",
    "editor.show_meters": "Show RF and audio meters",
    "editor.show": "Show",
    "editor.event_type": "Event type",
    "group_by.receiver": "Receiver",
    "group_by.area": "Area",
    "group_by.label": "Label",
    "group_by.custom": "Custom groups (YAML)",
    "group_by.none": "No grouping",
    "order.receiver": "Receiver and channel",
    "order.name": "Channel name",
    "order.status": "Worst status first",
    "order.custom": "As listed in the groups",
    "layout.auto": "Automatic",
    "layout.grid": "Tiles",
    "layout.kiosk": "TV / kiosk (fills the screen)",
    "layout.compact": "Compact (phone)",
    "show.both": "Receivers and chargers",
    "show.receivers": "Receivers only",
    "show.chargers": "Chargers only",
    "palette.theme": "Home Assistant theme",
    "palette.classic": "Classic Micboard",
    "tap_action.more-info": "Status entity",
    "tap_action.device": "Device page",
    "tap_action.none": "Nothing",
  },
};

/** The string for `key` in `language` (English when missing; the key itself as a last resort). */
export function localize(key, language = "en") {
  const table = STRINGS[language] ?? STRINGS[String(language).split("-")[0]] ?? STRINGS.en;
  return table[key] ?? STRINGS.en[key] ?? key;
}

/**
 * The state names of one of the integration's sensors (`sensor`: its translation key) in
 * its translations, from the `resources` that `frontend/get_translations` (category
 * "entity", integration "micboard") answers: `{good: "Good", prev_good: "Off (was good)"}`.
 */
export function sensorStateLabels(resources, sensor) {
  const prefix = `component.micboard.entity.sensor.${sensor}.state.`;
  const labels = {};
  for (const [key, value] of Object.entries(resources ?? {})) {
    if (key.startsWith(prefix) && typeof value === "string" && value) {
      labels[key.slice(prefix.length)] = value;
    }
  }
  return labels;
}

/** The status sensor's state names (see `sensorStateLabels`). */
export const statusLabels = (resources = {}) => sensorStateLabels(resources, "status");

// ---------------------------------------------------------------------------------------
// Manufacturers: the integration's registry answers which there are and their names
// (`micboard/manufacturers`: {manufacturers: [{code, name}]}), so a new manufacturer needs
// nothing here. Without that answer (an older integration, a failed call) the cards offer
// the codes they saw in their data, each named by its code.
// ---------------------------------------------------------------------------------------
export const MANUFACTURERS_REQUEST = { type: "micboard/manufacturers" };

/** The answer of `micboard/manufacturers` → Map code → name; `null` for anything else. */
export function adaptManufacturers(answer) {
  if (!Array.isArray(answer?.manufacturers)) return null;
  const names = new Map();
  for (const item of answer.manufacturers) {
    if (typeof item?.code === "string" && item.code) names.set(item.code, typeof item.name === "string" && item.name ? item.name : item.code);
  }
  return names;
}

// One request per websocket connection, shared by every card on the page.
const manufacturerLoads = new WeakMap();

/**
 * The registry's manufacturers (a Map code → name), asked once per connection through
 * `hass.callWS`; resolves `null` (never rejects) when the integration does not answer, and
 * asks again next time.
 */
export function loadManufacturers(hass) {
  if (typeof hass?.callWS !== "function") return Promise.resolve(null);
  const key = hass.connection && typeof hass.connection === "object" ? hass.connection : hass;
  let load = manufacturerLoads.get(key);
  if (!load) {
    load = Promise.resolve()
      .then(() => hass.callWS(MANUFACTURERS_REQUEST))
      .then(adaptManufacturers)
      .catch(() => null)
      .then((names) => {
        if (!names) manufacturerLoads.delete(key);
        return names;
      });
    manufacturerLoads.set(key, load);
  }
  return load;
}

/** A manufacturer's display name: the registry's, else its code ("" for none). */
export const manufacturerName = (names, code) => (code ? (names?.get(code) ?? String(code)) : "");

/**
 * The manufacturers a select offers, `[{value, label}]`: every registered one in the
 * registry's order, then any other code `seen` in the data or the config (a registry that
 * did not answer: only those).
 */
export function manufacturerOptions(names, seen = []) {
  const codes = [...(names?.keys() ?? [])];
  for (const code of seen) if (code && !codes.includes(code)) codes.push(code);
  return codes.map((code) => ({ value: code, label: manufacturerName(names, code) }));
}

// ---------------------------------------------------------------------------------------
// Status → colour and label. The status values are the integration's status sensor states.
// ---------------------------------------------------------------------------------------
export const STATUSES = [
  "good",
  "replace",
  "critical",
  "prev_good",
  "prev_replace",
  "prev_critical",
  "tx_com_error",
  "rx_com_error",
  "audio_peak",
  "unassigned",
];

// Classic Micboard: green / amber / red tiles, grey when the transmitter is lost, almost
// black when the receiver is offline, magenta flash on audio peak.
const CLASSIC = {
  good: "#3ddc53",
  replace: "#ffd200",
  critical: "#ff2a2a",
  tx_com_error: "#8a8a8a",
  rx_com_error: "#1c1c1c",
  audio_peak: "#ff33cc",
  unassigned: "#3a3a3a",
  unknown: "#3a3a3a",
};

// The same meanings in Home Assistant theme variables (the classic colours as fallbacks).
const THEME = {
  good: "var(--success-color, #43a047)",
  replace: "var(--warning-color, #ffa600)",
  critical: "var(--error-color, #db4437)",
  // No theme variable is dark enough for white text in both light and dark themes here;
  // themes can still set these.
  tx_com_error: "var(--micboard-tx-lost-color, #757575)",
  rx_com_error: "var(--micboard-offline-color, #212121)",
  audio_peak: "var(--micboard-peak-color, #e91e63)",
  unassigned: "var(--micboard-unassigned-color, #4a4f55)",
  unknown: "var(--micboard-unassigned-color, #4a4f55)",
};

// Light backgrounds need dark text.
const DARK_TEXT = new Set(["good", "replace"]);

// Worst first, for `order: status`.
const SEVERITY = {
  rx_com_error: 0,
  critical: 1,
  audio_peak: 2,
  tx_com_error: 3,
  prev_critical: 4,
  replace: 5,
  prev_replace: 6,
  good: 7,
  prev_good: 8,
  unassigned: 9,
  unknown: 10,
};

/**
 * How a tile shows a status: background colour, text colour, label, and whether it is
 * striped (the transmitter is off and this is its last reading) or flashing (audio peak).
 */
export function statusStyle(status, palette = "theme", language = "en", labels = undefined) {
  const known = STATUSES.includes(status) ? status : "unknown";
  const band = known.startsWith("prev_") ? known.slice(5) : known;
  const colours = palette === "classic" ? CLASSIC : THEME;
  const light = DARK_TEXT.has(band) && !known.startsWith("prev_");
  return {
    status: known,
    band,
    colour: colours[band],
    text: light ? "#111" : "#fff",
    label: labels?.[known] ?? localize(`status.${known}`, language),
    striped: known.startsWith("prev_"),
    flash: known === "audio_peak",
    severity: SEVERITY[known],
  };
}

// ---------------------------------------------------------------------------------------
// Battery, meters, runtime.
// ---------------------------------------------------------------------------------------
export const BATTERY_SEGMENTS = 5;

/**
 * Five battery segments: the reported bars (0–5), else ⌈percent / 20⌉; `null` when neither
 * is known. `level` picks the colour as the status does (4–5 good, 3 replace, 0–2 critical).
 */
export function batterySegments(bars, percent) {
  let filled = null;
  if (Number.isFinite(bars)) filled = clamp(Math.round(bars), 0, BATTERY_SEGMENTS);
  else if (Number.isFinite(percent)) filled = clamp(Math.ceil(percent / 20), 0, BATTERY_SEGMENTS);
  if (filled === null) return null;
  const level = filled >= 4 ? "good" : filled === 3 ? "replace" : "critical";
  const shownPercent = Number.isFinite(percent) ? clamp(Math.round(percent), 0, 100) : null;
  return { filled, total: BATTERY_SEGMENTS, level, percent: shownPercent };
}

export const RF_RANGE = [-100, -40];
export const AUDIO_RANGE = [-60, 0];

function scale(value, [low, high]) {
  if (!Number.isFinite(value)) return null;
  return clamp((value - low) / (high - low), 0, 1);
}

/** RF level in dBm, −100…−40 → 0…1 (clamped; `null` when unknown). */
export const rfFraction = (dbm) => scale(dbm, RF_RANGE);

/** Audio level in dBFS, −60…0 → 0…1 (clamped; `null` when unknown). */
export const audioFraction = (dbfs) => scale(dbfs, AUDIO_RANGE);

/** Runtime minutes as h:mm ("—" when unknown). */
export function formatRuntime(minutes) {
  if (!Number.isFinite(minutes) || minutes < 0) return "—";
  const whole = Math.floor(minutes);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/**
 * The quality indicator: a channel quality on a 0–5 scale as "Q 4", an RF quality in percent
 * as "Q 92 %" (whichever the receiver reports; "" when neither is known).
 */
export function qualityText(quality, rfQuality) {
  if (Number.isFinite(quality)) return `Q ${quality}`;
  if (Number.isFinite(rfQuality)) return `Q ${Math.round(rfQuality)} %`;
  return "";
}

/**
 * What the tile's battery shows: the current reading, or, while the transmitter is off
 * (`prev_*`), the last reading (`lastBattery`: the integration's, or the one this page saw),
 * marked `stale`. `null`: nothing to show.
 */
export function shownBattery(channel, status = effectiveStatus(channel)) {
  const current = batterySegments(channel.batteryBars, channel.batteryPercent);
  if (current) return { ...current, runtime: channel.runtimeMinutes, stale: false };
  const last = channel.lastBattery;
  if (!String(status).startsWith("prev_") || !last) return null;
  const previous = batterySegments(last.bars, last.percent);
  return previous && { ...previous, runtime: last.runtime, stale: true };
}

// Audio meter zones, as fractions of the scale: green to −15 dBFS, yellow to −6, red above.
export const AUDIO_ZONES = [
  [0.75, "#76ff03"],
  [0.9, "#ffea00"],
  [1, "#ff1744"],
];
export const RF_COLOUR = "#4fc3f7";

/**
 * The coloured spans of a meter bar `width` pixels wide filled to `fraction` (0…1):
 * `[{x, w, colour}]`, whole pixels. The audio bar has the zones' colours, RF one colour.
 */
export function meterSpans(kind, fraction, width) {
  if (!Number.isFinite(fraction) || fraction <= 0 || width <= 0) return [];
  const end = Math.round(clamp(fraction, 0, 1) * width);
  const zones = kind === "audio" ? AUDIO_ZONES : [[1, RF_COLOUR]];
  const spans = [];
  let x = 0;
  for (const [upTo, colour] of zones) {
    const stop = Math.min(end, Math.round(upTo * width));
    if (stop > x) spans.push({ x, w: stop - x, colour });
    x = Math.max(x, stop);
    if (x >= end) break;
  }
  return spans;
}

/** Frequency in MHz with three decimals, as receivers show it. */
export function formatFrequency(mhz) {
  return Number.isFinite(mhz) ? `${mhz.toFixed(3)} MHz` : "";
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}

// ---------------------------------------------------------------------------------------
// Adapter: the websocket messages → the cards' own model. The integration's API is being
// written alongside the cards; every field name of it is read here and nowhere else.
//
// Assumed `micboard/subscribe` messages (each a websocket event):
//   {type: "snapshot", entries: [{entry_id, manufacturer, title,
//      receivers: [{api_device_id, device_id, name, model, online,
//        channels: [{index, device_id, name, status, battery_bars, battery_percent,
//          runtime_minutes, rf_level_dbm, audio_level_dbfs, quality, antenna,
//          frequency_mhz, transmitter_model, entity_ids: {status, battery, ...}}]}]}]}
//   {type: "changed", receivers: [<receiver, as above, only changed keys plus
//      api_device_id; channels only changed ones plus index>], removed: [<channel key>]}
//   {type: "meters", channels: {"<api_device_id>:<index>": {rf_level_dbm?,
//      audio_level_dbfs?, quality?, antenna?}}}      (≤ 10 Hz, only changed values)
// A channel's key is "<receiver api_device_id>:<index>", as the lifecycle events' ids.
// ---------------------------------------------------------------------------------------

// Card field ← API field (channel level). `undefined` in a message means "unchanged".
const CHANNEL_FIELDS = {
  name: "name",
  deviceId: "device_id",
  status: "status",
  batteryBars: "battery_bars",
  batteryPercent: "battery_percent",
  runtimeMinutes: "runtime_minutes",
  rf: "rf_level_dbm",
  audio: "audio_level_dbfs",
  quality: "quality",
  rfQuality: "rf_quality",
  antenna: "antenna",
  frequency: "frequency_mhz",
  txModel: "transmitter_model",
  entityIds: "entity_ids",
  areaId: "area_id",
  labels: "labels",
};
const RECEIVER_FIELDS = {
  receiverName: "name",
  receiverModel: "model",
  receiverDeviceId: "device_id",
  receiverOnline: "online",
};
const METER_FIELDS = {
  rf: "rf_level_dbm",
  audio: "audio_level_dbfs",
  quality: "quality",
  rfQuality: "rf_quality",
  antenna: "antenna",
};
// The fields a meter bar draws; a change of only these redraws the bars, nothing else.
const LEVEL_FIELDS = new Set(["rf", "audio"]);

export const channelKey = (receiverId, index) => `${receiverId}:${index}`;

function pick(source, fields) {
  const out = {};
  for (const [ours, theirs] of Object.entries(fields)) {
    if (source[theirs] !== undefined) out[ours] = source[theirs];
  }
  return out;
}

// The integration's `micboard/subscribe` messages as it sends them:
//   {type: "picture", entries: [{entry_id, manufacturer, title, device_id,
//      receivers: [{id, name, model, online, identified, device_id, entity_ids,
//        channels: [{index, name, device_id, status, transmitter, transmitter_model,
//          battery_percent, battery_bars, runtime_minutes, frequency, rf_level,
//          audio_level, audio_peak, quality, rf_quality, antenna, entity_ids}]}]}]}
//   {type: "change", receivers: [{entry_id, id, name, model, online, ...}],
//      channels: [{entry_id, receiver_id, index, <channel fields>}]}
//   {type: "meters", channels: [{entry_id, receiver_id, index, <changed meters>}]}
// `fromApi` turns them into the shape above, which the rest of the cards read.
const API_CHANNEL_NAMES = {
  rf_level: "rf_level_dbm",
  audio_level: "audio_level_dbfs",
  frequency: "frequency_mhz",
};

function renamed(values) {
  const out = {};
  for (const name in values) {
    if (name === "entry_id" || name === "receiver_id") continue;
    out[API_CHANNEL_NAMES[name] ?? name] = values[name];
  }
  return out;
}

/** The integration's message (`picture` / `change` / `meters` list) in the cards' shape. */
export function fromApi(msg) {
  if (msg.type === "picture") {
    return {
      type: "snapshot",
      entries: (msg.entries ?? []).map((entry) => ({
        ...entry,
        receivers: (entry.receivers ?? []).map((receiver) => ({
          ...receiver,
          api_device_id: receiver.id,
          channels: (receiver.channels ?? []).map(renamed),
        })),
      })),
    };
  }
  if (msg.type === "change") {
    // Receiver values touch every channel of the receiver; channel values one channel.
    const receivers = (msg.receivers ?? []).map((receiver) => ({
      ...receiver,
      api_device_id: receiver.id,
      channels: [],
    }));
    for (const channel of msg.channels ?? []) {
      receivers.push({ api_device_id: channel.receiver_id, channels: [renamed(channel)] });
    }
    return { type: "changed", receivers, chargers: msg.chargers ?? [], bays: msg.bays ?? [] };
  }
  if (msg.type === "meters" && Array.isArray(msg.channels)) {
    const channels = {};
    for (const channel of msg.channels) {
      channels[channelKey(channel.receiver_id, channel.index)] = renamed(channel);
    }
    return { type: "meters", channels };
  }
  return msg;
}

/**
 * One subscription message → `{reset, patches: [{key, ...fields}], removed: [key]}`.
 * `reset` is true for the whole picture (the card drops what it had).
 */
export function adaptBoardMessage(message) {
  const msg = fromApi(message);
  const patches = [];
  const removed = [...(msg.removed ?? [])];
  if (msg.type === "meters") {
    for (const [key, values] of Object.entries(msg.channels ?? {})) {
      patches.push({ key, ...pick(values, METER_FIELDS) });
    }
    return { reset: false, patches, removed };
  }
  const entries = msg.type === "snapshot" ? (msg.entries ?? []) : [{ receivers: msg.receivers ?? [] }];
  for (const entry of entries) {
    for (const receiver of entry.receivers ?? []) {
      const receiverId = receiver.api_device_id;
      const shared = pick(receiver, RECEIVER_FIELDS);
      if (entry.entry_id !== undefined) shared.entryId = entry.entry_id;
      if (entry.manufacturer !== undefined) shared.manufacturer = entry.manufacturer;
      const channels = receiver.channels ?? [];
      for (const channel of channels) {
        const patch = {
          key: channelKey(receiverId, channel.index),
          receiverId,
          index: channel.index,
          ...shared,
          ...pick(channel, CHANNEL_FIELDS),
        };
        // The picture's last battery reading (the integration's memory): what a tile in a
        // prev state shows when this page saw no reading before.
        const last = channel.last_battery;
        if (last) patch.lastBattery = { bars: last.bars, percent: last.percent, runtime: last.runtime_minutes };
        patches.push(patch);
      }
      // A receiver-only change (e.g. it went offline) touches every channel it has.
      if (!channels.length && Object.keys(shared).length) {
        patches.push({ receiverId, ...shared });
      }
    }
  }
  return { reset: msg.type === "snapshot", patches, removed };
}

/**
 * Apply a message to the board model (`Map key → channel`), in place. Returns the keys of
 * channels whose values changed (`changed`), split into those with a change beyond the
 * meter levels (`details`: the tile is redrawn) and those whose RF or audio level changed
 * (`levels`: the bars are redrawn), and whether the set of channels changed (`structural`:
 * needs a re-layout). Each channel keeps its last battery reading (`lastBattery`), which
 * the tile shows while the transmitter is off; a new picture brings the integration's own
 * (`last_battery`), else the one this page saw is kept.
 */
export function applyBoardMessage(channels, msg) {
  const { reset, patches, removed } = adaptBoardMessage(msg);
  const changed = new Set();
  const details = new Set();
  const levels = new Set();
  let structural = reset;
  const remembered = new Map();
  if (reset) {
    for (const [key, channel] of channels) if (channel.lastBattery) remembered.set(key, channel.lastBattery);
    channels.clear();
  }
  for (const key of removed) {
    if (channels.delete(key)) structural = true;
  }
  for (const patch of patches) {
    const targets =
      patch.key === undefined
        ? [...channels.values()].filter((c) => c.receiverId === patch.receiverId)
        : [channels.get(patch.key) ?? null];
    for (let target of targets) {
      if (target === null) {
        target = { key: patch.key };
        if (remembered.has(patch.key)) target.lastBattery = remembered.get(patch.key);
        channels.set(patch.key, target);
        structural = true;
      }
      let battery = false;
      for (const field in patch) {
        const value = patch[field];
        if (field === "key" || sameValue(target[field], value)) continue;
        target[field] = value;
        changed.add(target.key);
        if (LEVEL_FIELDS.has(field)) levels.add(target.key);
        else details.add(target.key);
        if (GROUPING_FIELDS.has(field)) structural = true;
        if (BATTERY_FIELDS.has(field)) battery = true;
      }
      if (battery && (Number.isFinite(target.batteryBars) || Number.isFinite(target.batteryPercent))) {
        target.lastBattery = { bars: target.batteryBars, percent: target.batteryPercent, runtime: target.runtimeMinutes };
      }
    }
  }
  return { changed, details, levels, structural };
}

const BATTERY_FIELDS = new Set(["batteryBars", "batteryPercent", "runtimeMinutes"]);

// Fields that move a channel between groups or positions.
const GROUPING_FIELDS = new Set(["name", "receiverName", "areaId", "labels", "deviceId"]);

function sameValue(a, b) {
  if (a === b) return true;
  if (typeof a === "object" && typeof b === "object" && a !== null && b !== null) {
    return JSON.stringify(a) === JSON.stringify(b);
  }
  return false;
}

/**
 * The status shown on a tile. The integration computes it; a receiver known offline wins
 * over a stale channel status (the change for the receiver may arrive first).
 */
export function effectiveStatus(channel) {
  if (channel.receiverOnline === false) return "rx_com_error";
  return channel.status ?? "unknown";
}

// ---------------------------------------------------------------------------------------
// Chargers. The picture's entries carry `chargers: [{id, name, model, online, identified,
// storage_mode, device_id, entity_ids, bays: [{index, device_id, state, charge_percent,
// time_to_full_minutes, health_percent, error, entity_ids}]}]`; a change carries
// `chargers: [{entry_id, id, <charger fields>}]` and `bays: [{entry_id, charger_id, index,
// <bay fields>}]`. Chargers have no meters. The board keeps them apart from the channels:
// `{chargers: Map id → charger, bays: Map key → bay}`, a bay's key "<charger id>:<index>".
// ---------------------------------------------------------------------------------------

// The battery state sensor's states, as a bay reports them.
export const BAY_STATES = [
  "charging",
  "full",
  "warm",
  "hot",
  "cold",
  "precharge",
  "storage",
  "calculating",
  "discharging",
  "updating",
  "error",
  "unknown",
  "empty",
];

// What each state means at a glance: done, in progress, a warning, a fault, nothing there,
// or not known yet.
const BAY_TONES = {
  full: "good",
  storage: "good",
  charging: "progress",
  precharge: "progress",
  discharging: "progress",
  warm: "warning",
  hot: "warning",
  cold: "warning",
  error: "critical",
  empty: "empty",
  calculating: "neutral",
  updating: "neutral",
  unknown: "neutral",
};

const CLASSIC_BAY = {
  good: CLASSIC.good,
  progress: "#1e88e5",
  warning: CLASSIC.replace,
  critical: CLASSIC.critical,
  empty: CLASSIC.unassigned,
  neutral: CLASSIC.tx_com_error,
  offline: CLASSIC.rx_com_error,
};

const THEME_BAY = {
  good: THEME.good,
  progress: "var(--info-color, #039be5)",
  warning: THEME.replace,
  critical: THEME.critical,
  empty: THEME.unassigned,
  neutral: THEME.tx_com_error,
  offline: THEME.rx_com_error,
};

/**
 * How a bay tile shows a battery state: its tone (`good`, `progress`, `warning`, `critical`,
 * `empty`, `neutral`; `offline` while the charger is unreachable), colours and label
 * (`labels`: the integration's translated state names). Empty bays are dimmed.
 */
export function bayStyle(state, { palette = "theme", language = "en", labels = undefined, online = true } = {}) {
  const known = BAY_STATES.includes(state) ? state : "unknown";
  const tone = online === false ? "offline" : BAY_TONES[known];
  const colours = palette === "classic" ? CLASSIC_BAY : THEME_BAY;
  return {
    state: known,
    tone,
    colour: colours[tone],
    text: tone === "good" || tone === "warning" ? "#111" : "#fff",
    label: tone === "offline" ? localize("board.charger_offline", language) : (labels?.[known] ?? localize(`bay.${known}`, language)),
    dim: tone === "empty",
  };
}

/** Charge in percent, whole ("" when unknown). */
export function formatCharge(percent) {
  return Number.isFinite(percent) ? `${clamp(Math.round(percent), 0, 100)} %` : "";
}

/**
 * What a bay tile shows: `{state, tone, colour, fg, dim, label, title, charge, toFull,
 * note}`. Charge and time to full (h:mm) only while the charger answers and they are
 * known; `note` is the error's name, if any (`errorLabels`: the battery error sensor's
 * states).
 */
export function bayView(bay, charger = {}, { palette, language = "en", labels, errorLabels } = {}) {
  const online = charger.online !== false;
  const style = bayStyle(bay.state, { palette, language, labels, online });
  const charge = online ? formatCharge(bay.chargePercent) : "";
  const toFull = online && Number.isFinite(bay.timeToFull) ? formatRuntime(bay.timeToFull) : "";
  // ("none" is the battery error sensor's "No error": nothing to say.)
  const faulted = online && bay.error && bay.error !== "none";
  const note = faulted ? (errorLabels?.[bay.error] ?? localize(`bay_error.${bay.error}`, language)) : "";
  const name = `${localize("board.bay", language)} ${bay.index ?? ""}`.trim();
  const health = online && Number.isFinite(bay.health) ? `${localize("board.health", language)} ${Math.round(bay.health)} %` : "";
  const title = [
    charger.name,
    name,
    style.label,
    note,
    charge,
    toFull && `${toFull} ${localize("board.to_full", language)}`,
    health,
  ].filter(Boolean).join(" · ");
  return {
    state: style.state,
    tone: style.tone,
    colour: style.colour,
    fg: style.text,
    dim: style.dim,
    name,
    label: style.label,
    charge,
    toFull,
    note,
    title,
  };
}

/**
 * A charger's line under its name: "6 full · 2 charging · 1 to check" (only the counts
 * that are not zero; "" while it is offline or has no packs).
 */
export function chargerSummary(bays, charger = {}, language = "en") {
  if (charger.online === false) return "";
  const count = { good: 0, progress: 0, attention: 0 };
  for (const bay of bays) {
    const tone = bayStyle(bay.state).tone;
    if (tone === "good") count.good += 1;
    else if (tone === "progress") count.progress += 1;
    else if (tone === "warning" || tone === "critical") count.attention += 1;
  }
  return [
    [count.good, "board.summary_full"],
    [count.progress, "board.summary_charging"],
    [count.attention, "board.summary_attention"],
  ]
    .filter(([n]) => n)
    .map(([n, key]) => `${n} ${localize(key, language)}`)
    .join(" · ");
}

export const bayKey = (chargerId, index) => `${chargerId}:${index}`;

const CHARGER_FIELDS = {
  name: "name",
  model: "model",
  online: "online",
  identified: "identified",
  storageMode: "storage_mode",
  deviceId: "device_id",
  entityIds: "entity_ids",
};
const BAY_FIELDS = {
  deviceId: "device_id",
  state: "state",
  chargePercent: "charge_percent",
  timeToFull: "time_to_full_minutes",
  health: "health_percent",
  error: "error",
  entityIds: "entity_ids",
};
// Charger fields that move it on the board (chargers are ordered by name).
const CHARGER_PLACING = new Set(["name", "model"]);

/**
 * The chargers and bays of one subscription message: `{reset, chargers: [{id, ...}],
 * bays: [{key, chargerId, index, ...}]}` (`reset`: the whole picture), or `null` for a
 * message without any (meters: the hot path does no work here).
 */
export function adaptChargerMessage(message) {
  if (message.type === "meters") return null;
  if (message.type === "picture" || message.type === "snapshot") {
    const chargers = [];
    const bays = [];
    for (const entry of message.entries ?? []) {
      for (const charger of entry.chargers ?? []) {
        chargers.push({ id: charger.id, entryId: entry.entry_id, manufacturer: entry.manufacturer, ...pick(charger, CHARGER_FIELDS) });
        for (const bay of charger.bays ?? []) {
          bays.push({ key: bayKey(charger.id, bay.index), chargerId: charger.id, index: bay.index, ...pick(bay, BAY_FIELDS) });
        }
      }
    }
    return { reset: true, chargers, bays };
  }
  if (message.type !== "change" || !(message.chargers?.length || message.bays?.length)) return null;
  return {
    reset: false,
    chargers: (message.chargers ?? []).map((charger) => ({ id: charger.id, ...pick(charger, CHARGER_FIELDS) })),
    bays: (message.bays ?? []).map((bay) => ({
      key: bayKey(bay.charger_id, bay.index),
      chargerId: bay.charger_id,
      index: bay.index,
      ...pick(bay, BAY_FIELDS),
    })),
  };
}

/** An empty charger board for `applyChargerMessage`. */
export const chargerBoard = () => ({ chargers: new Map(), bays: new Map() });

/**
 * Apply a message to the charger board, in place: `{bays, chargers, structural}`, the keys
 * of bays to redraw (a charger's change redraws its bays: going offline dims them), the ids
 * of chargers whose heading changed, and whether chargers or bays came, went or moved.
 */
export function applyChargerMessage(board, message) {
  const result = { bays: new Set(), chargers: new Set(), structural: false };
  const msg = adaptChargerMessage(message);
  if (!msg) return result;
  if (msg.reset) {
    board.chargers.clear();
    board.bays.clear();
    for (const charger of msg.chargers) board.chargers.set(charger.id, charger);
    for (const bay of msg.bays) board.bays.set(bay.key, bay);
    result.structural = true;
    return result;
  }
  for (const patch of msg.chargers) {
    const charger = board.chargers.get(patch.id);
    if (!charger) continue; // A new charger comes with a new picture.
    let changed = false;
    for (const field in patch) {
      if (sameValue(charger[field], patch[field])) continue;
      charger[field] = patch[field];
      changed = true;
      if (CHARGER_PLACING.has(field)) result.structural = true;
    }
    if (!changed) continue;
    result.chargers.add(patch.id);
    for (const bay of board.bays.values()) if (bay.chargerId === patch.id) result.bays.add(bay.key);
  }
  for (const patch of msg.bays) {
    const bay = board.bays.get(patch.key);
    if (!bay) continue;
    for (const field in patch) {
      if (sameValue(bay[field], patch[field])) continue;
      bay[field] = patch[field];
      result.bays.add(bay.key);
      result.chargers.add(bay.chargerId); // its summary
    }
  }
  return result;
}

/**
 * The chargers the card config shows, by name, each with its bays in order:
 * `[{charger, bays}]`. `show: "receivers"` shows none; `manufacturer` and `chargers` (names
 * or ids) filter as `manufacturer` and `receivers` do for channels.
 */
export function chargerGroups(board, config = {}) {
  if (config.show === "receivers") return [];
  const wanted = config.chargers?.length ? config.chargers : null;
  const bays = new Map();
  for (const bay of board.bays.values()) {
    if (!bays.has(bay.chargerId)) bays.set(bay.chargerId, []);
    bays.get(bay.chargerId).push(bay);
  }
  return [...board.chargers.values()]
    .filter(
      (charger) =>
        (!config.manufacturer || charger.manufacturer === config.manufacturer) &&
        (!wanted || wanted.includes(charger.id) || wanted.includes(charger.name)),
    )
    .sort((a, b) => collator.compare(a.name ?? a.id, b.name ?? b.id) || collator.compare(a.id, b.id))
    .map((charger) => ({ charger, bays: (bays.get(charger.id) ?? []).sort((a, b) => a.index - b.index) }));
}

// ---------------------------------------------------------------------------------------
// Grouping and ordering.
// ---------------------------------------------------------------------------------------
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

export function compareChannels(order) {
  const byReceiver = (a, b) =>
    collator.compare(a.receiverName ?? a.receiverId ?? "", b.receiverName ?? b.receiverId ?? "") ||
    collator.compare(a.receiverId ?? "", b.receiverId ?? "") ||
    (a.index ?? 0) - (b.index ?? 0);
  const byName = (a, b) => collator.compare(a.name ?? "", b.name ?? "") || byReceiver(a, b);
  if (order === "name") return byName;
  if (order === "status") {
    return (a, b) =>
      statusStyle(effectiveStatus(a)).severity - statusStyle(effectiveStatus(b)).severity || byName(a, b);
  }
  return byReceiver;
}

/**
 * Channels → `[{id, name, channels}]` as the card config asks.
 *   group_by: "receiver" (default) | "area" | "label" | "custom" | "none"
 *   order: "receiver" (default) | "name" | "status" | "custom" (as listed in `groups`)
 *   groups: [{name, channels: [channel name or key, …]}]        (group_by: custom)
 *   show_ungrouped: true — custom groups only; the rest goes to an "Other" group
 * `lookup` answers area, label and manufacturer names: {areaOf(channel) → {id, name} | null,
 * labelsOf(channel) → [{id, name}], manufacturerName(code) → name} (the card reads them
 * from `hass` and `micboard/manufacturers`; without `manufacturerName`, the code).
 */
export function groupChannels(channels, config = {}, lookup = {}, language = "en") {
  const groupBy = config.group_by ?? "receiver";
  const order = config.order ?? "receiver";
  const list = [...channels].sort(compareChannels(order === "custom" ? "receiver" : order));
  const groups = new Map();
  const add = (id, name, channel, sortKey = name, detail = "") => {
    if (!groups.has(id)) groups.set(id, { id, name, detail, sortKey, channels: [] });
    groups.get(id).channels.push(channel);
  };

  if (groupBy === "custom") {
    const placed = new Set();
    (config.groups ?? []).forEach((group, position) => {
      const wanted = (group.channels ?? []).map(String);
      const members = [];
      for (const ref of wanted) {
        for (const channel of list) {
          if ((channel.key === ref || channel.name === ref) && !members.includes(channel)) members.push(channel);
        }
      }
      const sorted = order === "custom" ? members : members.sort(compareChannels(order));
      groups.set(`custom:${position}`, { id: `custom:${position}`, name: group.name ?? "", sortKey: position, channels: sorted });
      members.forEach((channel) => placed.add(channel.key));
    });
    const rest = list.filter((channel) => !placed.has(channel.key));
    if (config.show_ungrouped !== false && rest.length) {
      groups.set("ungrouped", { id: "ungrouped", name: localize("board.ungrouped", language), sortKey: Infinity, channels: rest });
    }
    return [...groups.values()].sort((a, b) => a.sortKey - b.sortKey).map(stripSortKey);
  }

  for (const channel of list) {
    if (groupBy === "none") add("all", "", channel);
    else if (groupBy === "area") {
      const area = lookup.areaOf?.(channel) ?? null;
      if (area) add(`area:${area.id}`, area.name, channel);
      else add("area:", localize("board.no_area", language), channel, "\uffff");
    } else if (groupBy === "label") {
      const labels = lookup.labelsOf?.(channel) ?? [];
      if (!labels.length) add("label:", localize("board.no_label", language), channel, "\uffff");
      // A channel with two labels shows in both groups, as HA's label filters do.
      for (const label of labels) add(`label:${label.id}`, label.name, channel);
    } else {
      const name = channel.receiverName ?? channel.receiverId ?? "";
      // The model and manufacturer beside the receiver's name ("<model> · <manufacturer>").
      const maker = lookup.manufacturerName?.(channel.manufacturer) ?? manufacturerName(null, channel.manufacturer);
      const detail = [channel.receiverModel, maker].filter(Boolean).join(" · ");
      add(`receiver:${channel.receiverId}`, name, channel, name, detail);
    }
  }
  return [...groups.values()]
    .sort((a, b) => collator.compare(String(a.sortKey), String(b.sortKey)))
    .map(stripSortKey);
}

function stripSortKey({ sortKey, ...group }) {
  return group;
}

/**
 * Only the channels the card config shows (`manufacturer`, `receivers`, `hide_unassigned`;
 * none with `show: "chargers"`).
 */
export function filterChannels(channels, config = {}) {
  if (config.show === "chargers") return [];
  return [...channels].filter(
    (channel) =>
      (!config.manufacturer || channel.manufacturer === config.manufacturer) &&
      (!config.receivers?.length ||
        config.receivers.includes(channel.receiverId) ||
        config.receivers.includes(channel.receiverName)) &&
      !(config.hide_unassigned && effectiveStatus(channel) === "unassigned"),
  );
}

// ---------------------------------------------------------------------------------------
// Activity log, as the integration's `micboard/activity` speaks it:
//   request  {type: "micboard/activity", cursor?, event_type?: [..], service_code?: [..],
//             live?: true}           (pages of 50, newest first)
//   answer / first event  {rows: [{time (ISO), event_type, data: {...}, name, message,
//             sentence, entity_id}], next: string | null}
//   live events           {type: "append", rows: [...newer rows]}
// ---------------------------------------------------------------------------------------
export const ACTIVITY_EVENT_TYPES = [
  "micboard_device_discovered",
  "micboard_device_online",
  "micboard_device_offline",
  "micboard_device_updated",
  "micboard_device_synced",
];

export function adaptActivityRow(row) {
  return {
    id: row.id ?? `${row.time}|${row.event_type}|${row.data?.api_device_id ?? ""}`,
    time: row.time,
    eventType: row.event_type,
    manufacturer: row.service_code ?? row.data?.service_code ?? null,
    deviceId: row.device_id ?? row.data?.device_id ?? null,
    name: row.name ?? row.data?.name ?? null,
    data: row.data ?? {},
    sentence: row.sentence ?? "",
  };
}

export function adaptActivityMessage(msg) {
  return {
    rows: (msg.rows ?? []).map(adaptActivityRow),
    nextCursor: msg.next === undefined ? undefined : msg.next,
  };
}

/** The request for a page of the log. */
export function activityRequest(config = {}, { cursor, live } = {}) {
  const request = { type: "micboard/activity" };
  if (config.event_type) request.event_type = [config.event_type];
  if (config.manufacturer) request.service_code = [config.manufacturer];
  if (cursor) request.cursor = cursor;
  if (live) request.live = true;
  return request;
}

/** Merge rows into a newest-first log without duplicates. */
export function mergeActivity(existing, incoming) {
  const seen = new Set();
  return [...existing, ...incoming]
    .filter((row) => (seen.has(row.id) ? false : seen.add(row.id)))
    .sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
}

/** "micboard_device_offline" → the short event label. */
export function eventLabel(eventType, language = "en") {
  return localize(`event.${String(eventType).replace(/^micboard_/, "")}`, language);
}

// ---------------------------------------------------------------------------------------
// Card configs: defaults and the visual editors' ha-form schemas (data only).
// ---------------------------------------------------------------------------------------
export const BOARD_DEFAULTS = {
  group_by: "receiver",
  order: "receiver",
  layout: "auto",
  palette: "theme",
  tap_action: "more-info",
  show: "both",
  show_meters: true,
  hide_unassigned: false,
};

// (Pages are the integration's: 50 rows, "Load more" fetches the next.)
export const ACTIVITY_DEFAULTS = { show_filters: true };

const options = (prefix, values, language) =>
  values.map((value) => ({ value, label: localize(`${prefix}.${value}`, language) }));

const select = (name, prefix, values, language) => ({
  name,
  selector: { select: { mode: "dropdown", options: options(prefix, values, language) } },
});

// `names`: the registry's (`loadManufacturers`), `null` while unknown; the select then also
// takes a typed code. `current`: the config's value, offered whatever the registry says.
const manufacturerSelect = (names, current) => ({
  name: "manufacturer",
  selector: {
    select: { mode: "dropdown", options: manufacturerOptions(names, [current]), ...(names ? {} : { custom_value: true }) },
  },
});

/** The board card's editor; `manufacturers` and `current` as for the manufacturer select. */
export function boardEditorSchema(language = "en", manufacturers = null, current = undefined) {
  return [
    { name: "title", selector: { text: {} } },
    select("group_by", "group_by", ["receiver", "area", "label", "custom", "none"], language),
    select("order", "order", ["receiver", "name", "status", "custom"], language),
    select("show", "show", ["both", "receivers", "chargers"], language),
    select("layout", "layout", ["auto", "grid", "kiosk", "compact"], language),
    select("palette", "palette", ["theme", "classic"], language),
    select("tap_action", "tap_action", ["more-info", "device", "none"], language),
    manufacturerSelect(manufacturers, current),
    { name: "columns", selector: { number: { min: 1, max: 16, mode: "box" } } },
    { name: "show_meters", selector: { boolean: {} } },
    { name: "hide_unassigned", selector: { boolean: {} } },
  ];
}

/** The activity card's editor; `manufacturers` and `current` as for the board's. */
export function activityEditorSchema(language = "en", manufacturers = null, current = undefined) {
  return [
    { name: "title", selector: { text: {} } },
    {
      name: "event_type",
      selector: {
        select: {
          mode: "dropdown",
          options: ACTIVITY_EVENT_TYPES.map((value) => ({ value, label: eventLabel(value, language) })),
        },
      },
    },
    manufacturerSelect(manufacturers, current),
    { name: "show_filters", selector: { boolean: {} } },
  ];
}

/** ha-form's computeLabel: the editor's label for a config field. */
export const editorLabel = (name, language = "en") =>
  ({ columns: "Columns (empty: automatic)", hide_unassigned: "Hide channels without a transmitter", show_filters: "Show the filters" })[name] ??
  localize(`editor.${name}`, language);

/**
 * TV / kiosk mode: the columns and rows that fill a `width` × `height` screen with `count`
 * tiles as large as possible, tiles about `tileAspect` times as wide as tall.
 */
export function kioskGrid(count, width, height, tileAspect = 1.3, columns = undefined) {
  if (count <= 0) return { columns: 1, rows: 1 };
  if (columns) return { columns, rows: Math.ceil(count / columns) };
  let best = { columns: 1, rows: count, size: 0 };
  for (let cols = 1; cols <= count; cols += 1) {
    const rows = Math.ceil(count / cols);
    // The tile's height when width-bound or height-bound, whichever is smaller.
    const size = Math.min(width / cols / tileAspect, height / rows);
    if (size > best.size) best = { columns: cols, rows, size };
  }
  return { columns: best.columns, rows: best.rows };
}
