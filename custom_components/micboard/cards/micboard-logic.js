// Pure logic of the Micboard cards: no DOM, no Home Assistant, so `node --test tests/js/`
// exercises it as it is shipped. The card modules only turn its results into elements.

// ---------------------------------------------------------------------------------------
// Strings. The status names come from the integration's own translations (the status
// sensor's states in translations/<language>.json), which the board card asks Home
// Assistant for (`frontend/get_translations`, `statusLabels` below); the English ones are
// also here, word for word (a unit test compares them with translations/en.json), for the
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
    "palette.theme": "Home Assistant theme",
    "palette.classic": "Classic Micboard",
    "tap_action.more-info": "Status entity",
    "tap_action.device": "Device page",
    "tap_action.none": "Nothing",
    "manufacturer.shure": "Shure",
    "manufacturer.sennheiser": "Sennheiser",
  },
};

/** The string for `key` in `language` (English when missing; the key itself as a last resort). */
export function localize(key, language = "en") {
  const table = STRINGS[language] ?? STRINGS[String(language).split("-")[0]] ?? STRINGS.en;
  return table[key] ?? STRINGS.en[key] ?? key;
}

const STATUS_RESOURCE = "component.micboard.entity.sensor.status.state.";

/**
 * The status names in the integration's translations, from the `resources` that
 * `frontend/get_translations` (category "entity", integration "micboard") answers:
 * `{good: "Good", prev_good: "Off (was good)", ...}`.
 */
export function statusLabels(resources = {}) {
  const labels = {};
  for (const [key, value] of Object.entries(resources ?? {})) {
    if (key.startsWith(STATUS_RESOURCE) && typeof value === "string" && value) {
      labels[key.slice(STATUS_RESOURCE.length)] = value;
    }
  }
  return labels;
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
 * The quality indicator: Axient Digital's channel quality (0-5) as "Q 4", Sennheiser's RF
 * quality in percent as "Q 92 %" ("" when neither is known).
 */
export function qualityText(quality, rfQuality) {
  if (Number.isFinite(quality)) return `Q ${quality}`;
  if (Number.isFinite(rfQuality)) return `Q ${Math.round(rfQuality)} %`;
  return "";
}

/**
 * What the tile's battery shows: the current reading, or, while the transmitter is off
 * (`prev_*`), the last reading the card saw before, marked `stale`. `null`: nothing to show.
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
    return { type: "changed", receivers };
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
        patches.push({
          key: channelKey(receiverId, channel.index),
          receiverId,
          index: channel.index,
          ...shared,
          ...pick(channel, CHANNEL_FIELDS),
        });
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
 * the tile shows while the transmitter is off; a new picture keeps it too.
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
 * `lookup` answers area and label names: {areaOf(channel) → {id, name} | null,
 * labelsOf(channel) → [{id, name}]} (the card reads them from `hass`).
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
      // The model and manufacturer beside the receiver's name ("ULXD4Q · Shure").
      const maker = channel.manufacturer ? localize(`manufacturer.${channel.manufacturer}`, language) : "";
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

/** Only the channels the card config shows (`manufacturer`, `receivers`, `hide_unassigned`). */
export function filterChannels(channels, config = {}) {
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

const manufacturerSelect = (language) => ({
  name: "manufacturer",
  selector: {
    select: { mode: "dropdown", options: options("manufacturer", ["shure", "sennheiser"], language) },
  },
});

export function boardEditorSchema(language = "en") {
  return [
    { name: "title", selector: { text: {} } },
    select("group_by", "group_by", ["receiver", "area", "label", "custom", "none"], language),
    select("order", "order", ["receiver", "name", "status", "custom"], language),
    select("layout", "layout", ["auto", "grid", "kiosk", "compact"], language),
    select("palette", "palette", ["theme", "classic"], language),
    select("tap_action", "tap_action", ["more-info", "device", "none"], language),
    manufacturerSelect(language),
    { name: "columns", selector: { number: { min: 1, max: 16, mode: "box" } } },
    { name: "show_meters", selector: { boolean: {} } },
    { name: "hide_unassigned", selector: { boolean: {} } },
  ];
}

export function activityEditorSchema(language = "en") {
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
    manufacturerSelect(language),
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
