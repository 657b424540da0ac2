// Unit tests of the cards' pure logic: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  MANUFACTURERS_REQUEST,
  STATUSES,
  activityRequest,
  adaptActivityMessage,
  adaptManufacturers,
  applyBoardMessage,
  audioFraction,
  batterySegments,
  effectiveStatus,
  eventLabel,
  filterChannels,
  formatFrequency,
  formatRuntime,
  groupChannels,
  loadManufacturers,
  localize,
  manufacturerName,
  manufacturerOptions,
  mergeActivity,
  rfFraction,
  shownBattery as shownBatteryOf,
  statusStyle,
} from "../../custom_components/micboard/cards/micboard-logic.js";
import { SNAPSHOT } from "./fixture.mjs";

// What `micboard/manufacturers` answers (the integration's registry).
const REGISTRY = {
  manufacturers: [
    { code: "shure", name: "Shure" },
    { code: "sennheiser", name: "Sennheiser" },
  ],
};

test("every status has a colour and an English label in both palettes", () => {
  for (const status of STATUSES) {
    for (const palette of ["theme", "classic"]) {
      const style = statusStyle(status, palette);
      assert.ok(style.colour, `${status} ${palette}`);
      assert.notEqual(style.label, `status.${status}`);
    }
  }
  assert.equal(statusStyle("good", "classic").colour, "#3ddc53");
  assert.match(statusStyle("good").colour, /^var\(--success-color/);
  assert.match(statusStyle("critical").colour, /--error-color/);
  assert.equal(statusStyle("replace").label, "Replace battery");
  assert.equal(statusStyle("tx_com_error").label, "Transmitter lost");
  assert.equal(statusStyle("rx_com_error").label, "Receiver offline");
});

test("prev states are striped in their band's colour; audio peak flashes", () => {
  const prev = statusStyle("prev_critical", "classic");
  assert.equal(prev.striped, true);
  assert.equal(prev.colour, statusStyle("critical", "classic").colour);
  assert.equal(prev.label, "Off (was critical)");
  assert.equal(statusStyle("critical").striped, false);
  assert.equal(statusStyle("audio_peak").flash, true);
  assert.equal(statusStyle("good").flash, false);
});

test("unknown statuses are shown as unknown, not as good", () => {
  const style = statusStyle("banana");
  assert.equal(style.status, "unknown");
  assert.equal(style.label, "Unknown");
  assert.equal(statusStyle(undefined).status, "unknown");
});

test("severity orders the worst first", () => {
  const order = ["good", "critical", "rx_com_error", "replace"].sort(
    (a, b) => statusStyle(a).severity - statusStyle(b).severity,
  );
  assert.deepEqual(order, ["rx_com_error", "critical", "replace", "good"]);
});

test("battery segments come from bars, else from ⌈percent / 20⌉", () => {
  assert.deepEqual(batterySegments(5, null), { filled: 5, total: 5, level: "good", percent: null });
  assert.equal(batterySegments(3, null).level, "replace");
  assert.equal(batterySegments(2, null).level, "critical");
  assert.equal(batterySegments(0, null).filled, 0);
  assert.equal(batterySegments(null, 81).filled, 5);
  assert.equal(batterySegments(null, 80).filled, 4);
  assert.equal(batterySegments(null, 41).filled, 3);
  assert.equal(batterySegments(null, 1).filled, 1);
  assert.equal(batterySegments(null, 0).filled, 0);
  assert.equal(batterySegments(null, 100).filled, 5);
  // Bars win when both are reported; the percent is still shown.
  assert.deepEqual(batterySegments(4, 57), { filled: 4, total: 5, level: "good", percent: 57 });
  assert.equal(batterySegments(null, null), null);
  assert.equal(batterySegments(undefined, undefined), null);
  assert.equal(batterySegments(9, null).filled, 5);
  assert.equal(batterySegments(null, 130).percent, 100);
});

test("RF meter: −100…−40 dBm → 0…1, clamped", () => {
  assert.equal(rfFraction(-100), 0);
  assert.equal(rfFraction(-40), 1);
  assert.equal(rfFraction(-70), 0.5);
  assert.equal(rfFraction(-120), 0);
  assert.equal(rfFraction(-10), 1);
  assert.equal(rfFraction(null), null);
  assert.equal(rfFraction(Number.NaN), null);
});

test("audio meter: −60…0 dBFS → 0…1, clamped", () => {
  assert.equal(audioFraction(-60), 0);
  assert.equal(audioFraction(0), 1);
  assert.equal(audioFraction(-15), 0.75);
  assert.equal(audioFraction(-90), 0);
  assert.equal(audioFraction(6), 1);
  assert.equal(audioFraction(undefined), null);
});

test("runtime is h:mm", () => {
  assert.equal(formatRuntime(0), "0:00");
  assert.equal(formatRuntime(5), "0:05");
  assert.equal(formatRuntime(65), "1:05");
  assert.equal(formatRuntime(600), "10:00");
  assert.equal(formatRuntime(119.9), "1:59");
  assert.equal(formatRuntime(null), "—");
  assert.equal(formatRuntime(-1), "—");
  assert.equal(formatFrequency(518.2), "518.200 MHz");
  assert.equal(formatFrequency(null), "");
});

test("strings fall back to English, then to the key", () => {
  assert.equal(localize("status.good", "de"), "Good");
  assert.equal(localize("status.good", "en-GB"), "Good");
  assert.equal(localize("no.such.key"), "no.such.key");
  assert.equal(eventLabel("micboard_device_offline"), "Offline");
});

function board() {
  const channels = new Map();
  applyBoardMessage(channels, structuredClone(SNAPSHOT));
  return channels;
}

test("the snapshot becomes one channel per key with receiver fields", () => {
  const channels = board();
  assert.equal(channels.size, 6);
  const vox = channels.get("00:0e:dd:aa:00:01:1");
  assert.equal(vox.name, "Vox 1");
  assert.equal(vox.receiverName, "Stage Left");
  assert.equal(vox.manufacturer, "shure");
  assert.equal(vox.batteryBars, 5);
  assert.equal(vox.entityIds.status, "sensor.vox_1_status");
});

test("a change touches only changed values; meters only meters", () => {
  const channels = board();
  let result = applyBoardMessage(channels, {
    type: "meters",
    channels: { "00:0e:dd:aa:00:01:1": { rf_level_dbm: -55, audio_level_dbfs: -20 } },
  });
  assert.deepEqual([...result.changed], ["00:0e:dd:aa:00:01:1"]);
  assert.equal(result.structural, false);
  assert.equal(channels.get("00:0e:dd:aa:00:01:1").rf, -55);
  // The same values again change nothing.
  result = applyBoardMessage(channels, {
    type: "meters",
    channels: { "00:0e:dd:aa:00:01:1": { rf_level_dbm: -55 } },
  });
  assert.equal(result.changed.size, 0);
  result = applyBoardMessage(channels, {
    type: "changed",
    receivers: [{ api_device_id: "00:0e:dd:aa:00:01", channels: [{ index: 2, status: "critical" }] }],
  });
  assert.deepEqual([...result.changed], ["00:0e:dd:aa:00:01:2"]);
  assert.equal(channels.get("00:0e:dd:aa:00:01:2").status, "critical");
  assert.equal(channels.get("00:0e:dd:aa:00:01:2").name, "Vox 2");
});

test("a receiver going offline marks all its channels", () => {
  const channels = board();
  const result = applyBoardMessage(channels, {
    type: "changed",
    receivers: [{ api_device_id: "00:0e:dd:aa:00:01", online: false }],
  });
  assert.equal(result.changed.size, 2);
  assert.equal(effectiveStatus(channels.get("00:0e:dd:aa:00:01:1")), "rx_com_error");
  assert.equal(effectiveStatus(channels.get("00:0e:dd:aa:00:02:1")), "critical");
});

test("renames and removals are structural", () => {
  const channels = board();
  let result = applyBoardMessage(channels, {
    type: "changed",
    receivers: [{ api_device_id: "senn-1", channels: [{ index: 1, name: "Lead" }] }],
  });
  assert.equal(result.structural, true);
  result = applyBoardMessage(channels, { type: "changed", removed: ["senn-1:2"] });
  assert.equal(result.structural, true);
  assert.equal(channels.has("senn-1:2"), false);
});

test("group by receiver, channels in index order, receivers by name", () => {
  const groups = groupChannels(board().values(), {});
  assert.deepEqual(
    groups.map((g) => g.name),
    ["EW-DX Rack", "Stage Left", "Stage Right"],
  );
  assert.deepEqual(
    groups[1].channels.map((c) => c.name),
    ["Vox 1", "Vox 2"],
  );
});

test("group by area and label via the lookup", () => {
  const areas = { "dev-vox1": { id: "stage", name: "Stage" }, "dev-vox2": { id: "stage", name: "Stage" } };
  const labels = { "dev-vox1": [{ id: "band", name: "Band" }, { id: "lead", name: "Lead" }] };
  const lookup = {
    areaOf: (c) => areas[c.deviceId] ?? null,
    labelsOf: (c) => labels[c.deviceId] ?? [],
  };
  const byArea = groupChannels(board().values(), { group_by: "area" }, lookup);
  assert.deepEqual(byArea.map((g) => [g.name, g.channels.length]), [["Stage", 2], ["No area", 4]]);
  const byLabel = groupChannels(board().values(), { group_by: "label" }, lookup);
  assert.deepEqual(byLabel.map((g) => [g.name, g.channels.length]), [["Band", 1], ["Lead", 1], ["No label", 5]]);
});

test("custom groups keep their order; the rest goes to Other unless hidden", () => {
  const config = {
    group_by: "custom",
    order: "custom",
    groups: [
      { name: "Band", channels: ["Guitar", "Vox 2"] },
      { name: "Host", channels: ["senn-1:1"] },
    ],
  };
  const groups = groupChannels(board().values(), config);
  assert.deepEqual(groups.map((g) => g.name), ["Band", "Host", "Other"]);
  assert.deepEqual(groups[0].channels.map((c) => c.name), ["Guitar", "Vox 2"]);
  assert.equal(groups[2].channels.length, 3);
  const hidden = groupChannels(board().values(), { ...config, show_ungrouped: false });
  assert.deepEqual(hidden.map((g) => g.name), ["Band", "Host"]);
  const sorted = groupChannels(board().values(), { ...config, order: "name" });
  assert.deepEqual(sorted[0].channels.map((c) => c.name), ["Guitar", "Vox 2"]);
});

test("order by name (natural) and by status, worst first", () => {
  const [all] = groupChannels(board().values(), { group_by: "none", order: "name" });
  assert.deepEqual(all.channels.map((c) => c.name), ["Guitar", "Presenter", "Spare", "Vox 1", "Vox 2", "Vox 10"]);
  const [worst] = groupChannels(board().values(), { group_by: "none", order: "status" });
  assert.deepEqual(worst.channels.map((c) => c.status), [
    "critical",
    "tx_com_error",
    "replace",
    "prev_replace",
    "good",
    "unassigned",
  ]);
});

test("filters by manufacturer, receiver and unassigned", () => {
  const channels = [...board().values()];
  assert.equal(filterChannels(channels, { manufacturer: "sennheiser" }).length, 2);
  assert.equal(filterChannels(channels, { receivers: ["Stage Left"] }).length, 2);
  assert.equal(filterChannels(channels, { hide_unassigned: true }).length, 5);
});

test("activity: request, adapter and merge", () => {
  // The integration's command: pages of 50, filters as lists.
  assert.deepEqual(activityRequest({}), { type: "micboard/activity" });
  assert.deepEqual(
    activityRequest({ event_type: "micboard_device_offline", manufacturer: "shure" }, { cursor: "c1", live: true }),
    {
      type: "micboard/activity",
      event_type: ["micboard_device_offline"],
      service_code: ["shure"],
      cursor: "c1",
      live: true,
    },
  );
  const first = adaptActivityMessage({
    rows: [
      { time: "2026-12-01T10:00:00Z", event_type: "micboard_device_offline", service_code: "shure", data: { name: "Stage Left", api_device_id: "a" }, sentence: "Stage Left went offline" },
    ],
    next: "c2",
  });
  assert.equal(first.nextCursor, "c2");
  assert.equal(first.rows[0].manufacturer, "shure");
  assert.equal(first.rows[0].name, "Stage Left");
  const live = adaptActivityMessage({
    rows: [{ time: "2026-12-01T10:01:00Z", event_type: "micboard_device_online", data: { service_code: "shure" }, sentence: "came online" }],
  });
  assert.equal(live.nextCursor, undefined);
  const merged = mergeActivity(first.rows, [...live.rows, ...first.rows]);
  assert.deepEqual(merged.map((r) => r.eventType), ["micboard_device_online", "micboard_device_offline"]);
});

test("editor schemas: every field and option has an English label", async () => {
  const { boardEditorSchema, activityEditorSchema, editorLabel, BOARD_DEFAULTS } = await import(
    "../../custom_components/micboard/cards/micboard-logic.js"
  );
  for (const field of [...boardEditorSchema(), ...activityEditorSchema()]) {
    assert.doesNotMatch(editorLabel(field.name), /^editor\./, field.name);
    for (const option of field.selector.select?.options ?? []) {
      assert.doesNotMatch(option.label, /^[a-z_]+\.[a-z_-]+$/, option.value);
    }
  }
  for (const [name, value] of Object.entries(BOARD_DEFAULTS)) {
    const field = boardEditorSchema().find((f) => f.name === name);
    assert.ok(field, name);
    if (field.selector.select) assert.ok(field.selector.select.options.some((o) => o.value === value), name);
  }
});

test("kiosk grid fills the screen with the largest tiles", async () => {
  const { kioskGrid } = await import("../../custom_components/micboard/cards/micboard-logic.js");
  assert.deepEqual(kioskGrid(6, 1920, 1080), { columns: 3, rows: 2 });
  assert.deepEqual(kioskGrid(16, 1920, 1080), { columns: 4, rows: 4 });
  assert.deepEqual(kioskGrid(24, 1920, 1080), { columns: 6, rows: 4 });
  assert.deepEqual(kioskGrid(1, 1920, 1080), { columns: 1, rows: 1 });
  assert.deepEqual(kioskGrid(4, 1080, 1920), { columns: 1, rows: 4 });
  assert.deepEqual(kioskGrid(0, 1920, 1080), { columns: 1, rows: 1 });
  assert.deepEqual(kioskGrid(10, 1920, 1080, 1.3, 4), { columns: 4, rows: 3 });
});

test("the integration's own messages are read: picture, change and meters", async () => {
  const { adaptBoardMessage: adapt, applyBoardMessage: apply } = await import(
    "../../custom_components/micboard/cards/micboard-logic.js"
  );
  const picture = {
    type: "picture",
    entries: [
      {
        entry_id: "e1",
        manufacturer: "sennheiser",
        title: "Sennheiser",
        receivers: [
          {
            id: "00:1b:66:00:00:01",
            name: "Theatre",
            model: "EW-DX EM 4 Dante",
            online: true,
            device_id: "d1",
            channels: [
              { index: 1, name: "LEAD", status: "good", battery_percent: 80, rf_level: -58,
                audio_level: -20, frequency: 518.2, rf_quality: 90, quality: null },
            ],
          },
        ],
      },
    ],
  };
  const first = adapt(picture);
  assert.equal(first.reset, true);
  assert.equal(first.patches[0].key, "00:1b:66:00:00:01:1");
  assert.equal(first.patches[0].rf, -58);
  assert.equal(first.patches[0].audio, -20);
  assert.equal(first.patches[0].frequency, 518.2);
  // Sennheiser's RF quality is a percentage, not Axient's 0-5 channel quality.
  assert.equal(first.patches[0].quality, null);
  assert.equal(first.patches[0].rfQuality, 90);
  assert.equal(first.patches[0].receiverName, "Theatre");

  const board = new Map();
  apply(board, picture);
  let result = apply(board, {
    type: "meters",
    channels: [{ entry_id: "e1", receiver_id: "00:1b:66:00:00:01", index: 1, rf_level: -70 }],
  });
  assert.deepEqual([...result.changed], ["00:1b:66:00:00:01:1"]);
  assert.equal(board.get("00:1b:66:00:00:01:1").rf, -70);
  result = apply(board, {
    type: "change",
    receivers: [{ entry_id: "e1", id: "00:1b:66:00:00:01", online: false }],
    channels: [],
  });
  assert.equal(board.get("00:1b:66:00:00:01:1").receiverOnline, false);
  result = apply(board, {
    type: "change",
    receivers: [],
    channels: [{ entry_id: "e1", receiver_id: "00:1b:66:00:00:01", index: 1, status: "prev_good" }],
  });
  assert.equal(board.get("00:1b:66:00:00:01:1").status, "prev_good");
});

test("the English status names are the integration's own (translations/en.json)", async () => {
  const { readFile } = await import("node:fs/promises");
  const strings = JSON.parse(
    await readFile(new URL("../../custom_components/micboard/translations/en.json", import.meta.url), "utf8"),
  );
  const states = strings.entity.sensor.status.state;
  assert.deepEqual(Object.keys(states).sort(), [...STATUSES].sort());
  for (const [status, name] of Object.entries(states)) assert.equal(localize(`status.${status}`), name, status);
});

test("status names from Home Assistant's translations win over the card's own", async () => {
  const { statusLabels } = await import("../../custom_components/micboard/cards/micboard-logic.js");
  const labels = statusLabels({
    "component.micboard.entity.sensor.status.state.good": "Gut",
    "component.micboard.entity.sensor.status.state.prev_good": "Aus (war gut)",
    "component.micboard.entity.sensor.battery.name": "Batterie",
    "component.other.entity.sensor.status.state.good": "no",
  });
  assert.deepEqual(labels, { good: "Gut", prev_good: "Aus (war gut)" });
  assert.equal(statusStyle("good", "theme", "de", labels).label, "Gut");
  // Missing ones fall back to the card's table.
  assert.equal(statusStyle("critical", "theme", "de", labels).label, "Critical battery");
  assert.deepEqual(statusLabels(undefined), {});
});

test("quality: Axient's 0-5 as Q n, Sennheiser's percentage as Q n %", async () => {
  const { qualityText } = await import("../../custom_components/micboard/cards/micboard-logic.js");
  assert.equal(qualityText(4, null), "Q 4");
  assert.equal(qualityText(0, null), "Q 0");
  assert.equal(qualityText(null, 91.6), "Q 92 %");
  assert.equal(qualityText(null, null), "");
  assert.equal(qualityText(undefined, undefined), "");
});

test("meter spans: RF one colour, audio green / yellow / red zones, whole pixels", async () => {
  const { meterSpans, RF_COLOUR, AUDIO_ZONES } = await import(
    "../../custom_components/micboard/cards/micboard-logic.js"
  );
  assert.deepEqual(meterSpans("rf", 0.5, 100), [{ x: 0, w: 50, colour: RF_COLOUR }]);
  assert.deepEqual(meterSpans("rf", 0, 100), []);
  assert.deepEqual(meterSpans("rf", null, 100), []);
  assert.deepEqual(meterSpans("rf", 0.5, 0), []);
  assert.deepEqual(meterSpans("audio", 0.5, 100), [{ x: 0, w: 50, colour: AUDIO_ZONES[0][1] }]);
  assert.deepEqual(meterSpans("audio", 0.8, 100), [
    { x: 0, w: 75, colour: AUDIO_ZONES[0][1] },
    { x: 75, w: 5, colour: AUDIO_ZONES[1][1] },
  ]);
  const full = meterSpans("audio", 1.2, 200);
  assert.deepEqual(full.map((span) => [span.x, span.w]), [[0, 150], [150, 30], [180, 20]]);
  // −15 dBFS is the end of green, −6 dBFS the end of yellow.
  assert.equal(audioFraction(-15), AUDIO_ZONES[0][0]);
  assert.equal(Math.round(audioFraction(-6) * 100) / 100, AUDIO_ZONES[1][0]);
});

test("a tick's level changes are told apart from the tile's other values", () => {
  const channels = board();
  let result = applyBoardMessage(channels, {
    type: "meters",
    channels: { "00:0e:dd:aa:00:01:1": { rf_level_dbm: -50, audio_level_dbfs: -21 } },
  });
  assert.deepEqual([...result.levels], ["00:0e:dd:aa:00:01:1"]);
  assert.equal(result.details.size, 0);
  result = applyBoardMessage(channels, {
    type: "meters",
    channels: { "00:0e:dd:aa:00:02:1": { quality: 5, audio_level_dbfs: -9 } },
  });
  assert.deepEqual([...result.levels], ["00:0e:dd:aa:00:02:1"]);
  assert.deepEqual([...result.details], ["00:0e:dd:aa:00:02:1"]);
  result = applyBoardMessage(channels, {
    type: "changed",
    receivers: [{ api_device_id: "00:0e:dd:aa:00:01", channels: [{ index: 2, status: "good" }] }],
  });
  assert.deepEqual([...result.details], ["00:0e:dd:aa:00:01:2"]);
  assert.equal(result.levels.size, 0);
});

test("while the transmitter is off, the tile shows its last battery reading", async () => {
  const { shownBattery } = await import("../../custom_components/micboard/cards/micboard-logic.js");
  const channels = board();
  const key = "00:0e:dd:aa:00:01:2";
  assert.deepEqual(shownBattery(channels.get(key)), {
    filled: 3, total: 5, level: "replace", percent: null, runtime: 95, stale: false,
  });
  // Switched off: the integration sends no battery any more, and a prev status.
  applyBoardMessage(channels, {
    type: "changed",
    receivers: [{
      api_device_id: "00:0e:dd:aa:00:01",
      channels: [{ index: 2, status: "prev_replace", battery_bars: null, battery_percent: null, runtime_minutes: null }],
    }],
  });
  const off = channels.get(key);
  assert.equal(off.batteryBars, null);
  assert.deepEqual(shownBattery(off), { filled: 3, total: 5, level: "replace", percent: null, runtime: 95, stale: true });
  // Gone for good (transmitter lost): nothing.
  applyBoardMessage(channels, {
    type: "changed",
    receivers: [{ api_device_id: "00:0e:dd:aa:00:01", channels: [{ index: 2, status: "tx_com_error" }] }],
  });
  assert.equal(shownBattery(channels.get(key)), null);
  // A new picture (the page reconnected) keeps the memory.
  applyBoardMessage(channels, {
    type: "changed",
    receivers: [{ api_device_id: "00:0e:dd:aa:00:01", channels: [{ index: 2, status: "prev_replace" }] }],
  });
  const picture = structuredClone(SNAPSHOT);
  Object.assign(picture.entries[0].receivers[0].channels[1], {
    status: "prev_replace", battery_bars: null, runtime_minutes: null,
  });
  applyBoardMessage(channels, picture);
  assert.equal(shownBattery(channels.get(key)).stale, true);
  // A channel never seen with a battery shows none.
  assert.equal(shownBattery({ status: "prev_good" }), null);
});

test("receiver groups carry the model and manufacturer, named by the registry", () => {
  const names = adaptManufacturers(REGISTRY);
  const groups = groupChannels(board().values(), {}, { manufacturerName: (code) => manufacturerName(names, code) });
  assert.deepEqual(
    groups.map((g) => g.detail),
    ["EM 2 Dante · Sennheiser", "ULXD4D · Shure", "AD4Q · Shure"],
  );
  // Without the registry's names, the codes.
  assert.deepEqual(
    groupChannels(board().values(), {}).map((g) => g.detail),
    ["EM 2 Dante · sennheiser", "ULXD4D · shure", "AD4Q · shure"],
  );
});

// ---------------------------------------------------------------------------------------
// Chargers.
// ---------------------------------------------------------------------------------------
const CHARGER_PICTURE = {
  type: "picture",
  entries: [
    {
      entry_id: "e-shure",
      manufacturer: "shure",
      title: "Shure",
      receivers: [],
      chargers: [
        {
          id: "00:0e:dd:cc:00:02", name: "Packs", model: "SBC840", online: true, identified: true,
          storage_mode: false, device_id: "dev-packs", entity_ids: { connectivity: "binary_sensor.packs_connectivity" },
          bays: [
            { index: 2, device_id: "dev-b2", state: "charging", charge_percent: 62, time_to_full_minutes: 83,
              health_percent: 97, error: null, entity_ids: { battery_state: "sensor.bay_2_of_packs_battery_state" } },
            { index: 1, device_id: "dev-b1", state: "full", charge_percent: 100, time_to_full_minutes: null,
              health_percent: 84, error: null, entity_ids: { battery_state: "sensor.bay_1_of_packs_battery_state" } },
            { index: 3, device_id: "dev-b3", state: "error", charge_percent: 50, time_to_full_minutes: null,
              health_percent: null, error: "communication_failure", entity_ids: {} },
            { index: 4, device_id: "dev-b4", state: "empty", charge_percent: null, time_to_full_minutes: null,
              health_percent: null, error: null, entity_ids: {} },
          ],
        },
        {
          id: "10.0.0.9:2202", name: "Docks", model: "SBC220", online: true, device_id: "dev-docks", entity_ids: {},
          bays: [{ index: 1, device_id: "dev-d1", state: "warm", charge_percent: 71, time_to_full_minutes: 5, entity_ids: {} }],
        },
      ],
    },
    { entry_id: "e-senn", manufacturer: "sennheiser", title: "Sennheiser", receivers: [], chargers: [] },
  ],
};

async function chargerLogic() {
  return import("../../custom_components/micboard/cards/micboard-logic.js");
}

test("bay colours: full good, charging in progress, warm/hot/cold warning, error critical, empty dim", async () => {
  const { BAY_STATES, bayStyle } = await chargerLogic();
  const tones = Object.fromEntries(BAY_STATES.map((state) => [state, bayStyle(state).tone]));
  assert.deepEqual(tones, {
    charging: "progress", full: "good", warm: "warning", hot: "warning", cold: "warning",
    precharge: "progress", storage: "good", calculating: "neutral", discharging: "progress",
    updating: "neutral", error: "critical", unknown: "neutral", empty: "empty",
  });
  for (const state of BAY_STATES) {
    for (const palette of ["theme", "classic"]) {
      const style = bayStyle(state, { palette });
      assert.ok(style.colour, `${state} ${palette}`);
      assert.doesNotMatch(style.label, /^bay\./, state);
      assert.equal(style.dim, state === "empty", state);
    }
  }
  // The same colours as the channels' statuses: good is good, error is critical.
  assert.equal(bayStyle("full", { palette: "classic" }).colour, statusStyle("good", "classic").colour);
  assert.equal(bayStyle("error", { palette: "classic" }).colour, statusStyle("critical", "classic").colour);
  assert.equal(bayStyle("hot", { palette: "classic" }).colour, statusStyle("replace", "classic").colour);
  assert.match(bayStyle("full").colour, /--success-color/);
  assert.match(bayStyle("charging").colour, /--info-color/);
  assert.match(bayStyle("cold").colour, /--warning-color/);
  assert.match(bayStyle("error").colour, /--error-color/);
  assert.equal(bayStyle("full").text, "#111");
  assert.equal(bayStyle("charging").text, "#fff");
  // Unknown words are unknown, never good; an offline charger's bays look like an offline receiver.
  assert.equal(bayStyle("banana").state, "unknown");
  assert.equal(bayStyle("banana").tone, "neutral");
  const offline = bayStyle("full", { palette: "classic", online: false });
  assert.equal(offline.tone, "offline");
  assert.equal(offline.colour, statusStyle("rx_com_error", "classic").colour);
  assert.equal(offline.label, "Charger offline");
});

test("the bay names are the integration's own (translations/en.json), translations win", async () => {
  const { BAY_STATES, bayStyle, bayView, sensorStateLabels } = await chargerLogic();
  const { readFile } = await import("node:fs/promises");
  const strings = JSON.parse(
    await readFile(new URL("../../custom_components/micboard/translations/en.json", import.meta.url), "utf8"),
  );
  const states = strings.entity.sensor.battery_state.state;
  assert.deepEqual(Object.keys(states).sort(), [...BAY_STATES].sort());
  for (const [state, name] of Object.entries(states)) assert.equal(localize(`bay.${state}`), name, state);
  for (const [error, name] of Object.entries(strings.entity.sensor.battery_error.state)) {
    assert.equal(localize(`bay_error.${error}`), name, error);
  }
  const resources = {
    "component.micboard.entity.sensor.battery_state.state.full": "Voll",
    "component.micboard.entity.sensor.battery_error.state.charge_failed": "Laden fehlgeschlagen",
    "component.micboard.entity.sensor.status.state.good": "Gut",
  };
  const labels = sensorStateLabels(resources, "battery_state");
  assert.deepEqual(labels, { full: "Voll" });
  assert.equal(bayStyle("full", { labels }).label, "Voll");
  assert.equal(bayStyle("charging", { labels }).label, "Charging");
  const errorLabels = sensorStateLabels(resources, "battery_error");
  assert.equal(bayView({ index: 1, state: "error", error: "charge_failed" }, {}, { errorLabels }).note, "Laden fehlgeschlagen");
});

test("a bay tile: charge %, time to full as h:mm, the error's name, nothing while offline", async () => {
  const { bayView, formatCharge } = await chargerLogic();
  assert.equal(formatCharge(62), "62 %");
  assert.equal(formatCharge(99.6), "100 %");
  assert.equal(formatCharge(140), "100 %");
  assert.equal(formatCharge(null), "");
  assert.equal(formatCharge(undefined), "");
  const charging = bayView({ index: 2, state: "charging", chargePercent: 62, timeToFull: 83, health: 97 }, { name: "Packs" });
  assert.deepEqual(
    [charging.name, charging.charge, charging.toFull, charging.label, charging.note, charging.tone],
    ["Bay 2", "62 %", "1:23", "Charging", "", "progress"],
  );
  assert.equal(charging.title, "Packs · Bay 2 · Charging · 62 % · 1:23 to full · health 97 %");
  assert.equal(bayView({ index: 1, state: "charging", timeToFull: 5 }).toFull, "0:05");
  assert.equal(bayView({ index: 1, state: "charging", timeToFull: 600 }).toFull, "10:00");
  const full = bayView({ index: 1, state: "full", chargePercent: 100, timeToFull: null });
  assert.deepEqual([full.charge, full.toFull, full.label], ["100 %", "", "Fully charged"]);
  const faulted = bayView({ index: 7, state: "error", chargePercent: 50, error: "communication_failure" });
  assert.deepEqual([faulted.tone, faulted.label, faulted.note], ["critical", "Error", "Communication failure"]);
  assert.equal(bayView({ index: 1, state: "charging", error: "none" }).note, "");
  const empty = bayView({ index: 6, state: "empty", chargePercent: null });
  assert.deepEqual([empty.charge, empty.label, empty.dim], ["", "Empty", true]);
  const offline = bayView({ index: 2, state: "charging", chargePercent: 62, timeToFull: 83, error: "other" }, { online: false });
  assert.deepEqual([offline.charge, offline.toFull, offline.note, offline.label, offline.tone], ["", "", "", "Charger offline", "offline"]);
  assert.equal(bayView({ index: 1, state: "full" }, {}, { palette: "classic" }).colour, "#3ddc53");
});

test("chargers: the picture, their changes, and none of it from meter ticks", async () => {
  const { applyChargerMessage, adaptChargerMessage, chargerBoard, chargerGroups, chargerSummary } = await chargerLogic();
  const board = chargerBoard();
  let result = applyChargerMessage(board, structuredClone(CHARGER_PICTURE));
  assert.equal(result.structural, true);
  assert.deepEqual([...board.chargers.keys()], ["00:0e:dd:cc:00:02", "10.0.0.9:2202"]);
  const bay2 = board.bays.get("00:0e:dd:cc:00:02:2");
  assert.deepEqual(
    [bay2.chargerId, bay2.index, bay2.state, bay2.chargePercent, bay2.timeToFull, bay2.health, bay2.deviceId],
    ["00:0e:dd:cc:00:02", 2, "charging", 62, 83, 97, "dev-b2"],
  );
  assert.equal(bay2.entityIds.battery_state, "sensor.bay_2_of_packs_battery_state");
  const packs = board.chargers.get("00:0e:dd:cc:00:02");
  assert.deepEqual([packs.name, packs.model, packs.online, packs.manufacturer, packs.entryId], ["Packs", "SBC840", true, "shure", "e-shure"]);

  // Meter ticks and changes without chargers do nothing here.
  assert.equal(adaptChargerMessage({ type: "meters", channels: [] }), null);
  assert.equal(adaptChargerMessage({ type: "change", receivers: [], channels: [] }), null);
  result = applyChargerMessage(board, { type: "meters", channels: [] });
  assert.deepEqual([result.bays.size, result.chargers.size, result.structural], [0, 0, false]);

  // A pack put in: that bay and its charger's summary.
  result = applyChargerMessage(board, {
    type: "change", receivers: [], channels: [], chargers: [],
    bays: [{ entry_id: "e-shure", charger_id: "00:0e:dd:cc:00:02", index: 4, state: "charging", charge_percent: 50 }],
  });
  assert.deepEqual([...result.bays], ["00:0e:dd:cc:00:02:4"]);
  assert.deepEqual([...result.chargers], ["00:0e:dd:cc:00:02"]);
  assert.equal(result.structural, false);
  assert.equal(board.bays.get("00:0e:dd:cc:00:02:4").state, "charging");
  // The same values again: nothing.
  result = applyChargerMessage(board, {
    type: "change", receivers: [], channels: [],
    bays: [{ entry_id: "e-shure", charger_id: "00:0e:dd:cc:00:02", index: 4, state: "charging", charge_percent: 50 }],
  });
  assert.equal(result.bays.size, 0);
  // The charger goes offline: all its bays are redrawn; a rename moves it.
  result = applyChargerMessage(board, {
    type: "change", receivers: [], channels: [], bays: [],
    chargers: [{ entry_id: "e-shure", id: "00:0e:dd:cc:00:02", online: false }],
  });
  assert.equal(result.bays.size, 4);
  assert.equal(result.structural, false);
  assert.equal(packs.online, false);
  result = applyChargerMessage(board, {
    type: "change", receivers: [], channels: [], bays: [], chargers: [{ id: "00:0e:dd:cc:00:02", name: "A packs" }],
  });
  assert.equal(result.structural, true);
  // Unknown chargers and bays wait for the picture that brings them.
  result = applyChargerMessage(board, {
    type: "change", chargers: [{ id: "nope", online: true }], bays: [{ charger_id: "nope", index: 1, state: "full" }],
  });
  assert.deepEqual([result.bays.size, result.chargers.size, result.structural], [0, 0, false]);

  // Ordered by name, bays in order; filters.
  const groups = chargerGroups(board, {});
  assert.deepEqual(groups.map((g) => g.charger.name), ["A packs", "Docks"]);
  assert.deepEqual(groups[0].bays.map((b) => b.index), [1, 2, 3, 4]);
  assert.deepEqual(chargerGroups(board, { show: "receivers" }), []);
  assert.equal(chargerGroups(board, { show: "chargers" }).length, 2);
  assert.deepEqual(chargerGroups(board, { manufacturer: "sennheiser" }), []);
  assert.deepEqual(chargerGroups(board, { chargers: ["Docks"] }).map((g) => g.charger.id), ["10.0.0.9:2202"]);
  assert.deepEqual(chargerGroups(board, { chargers: ["00:0e:dd:cc:00:02"] }).map((g) => g.charger.name), ["A packs"]);
  assert.deepEqual(filterChannels(board.bays.values(), { show: "chargers" }), []);

  // The heading's summary: what the crew asks before doors.
  packs.online = true;
  assert.equal(chargerSummary(groups[0].bays, packs), "1 full · 2 charging · 1 to check");
  assert.equal(chargerSummary(groups[1].bays, groups[1].charger), "1 to check");
  assert.equal(chargerSummary(groups[0].bays, { online: false }), "");
  assert.equal(chargerSummary([], {}), "");

  // A new picture replaces the chargers.
  result = applyChargerMessage(board, { type: "picture", entries: [] });
  assert.deepEqual([board.chargers.size, board.bays.size, result.structural], [0, 0, true]);
});

test("a page opened while a transmitter is off shows the integration's last battery", () => {
  const picture = {
    type: "picture",
    entries: [{
      entry_id: "e1", manufacturer: "shure", title: "Shure",
      receivers: [{
        id: "rx", name: "Stage L", model: "ULXD4D", online: true, device_id: "d",
        channels: [
          { index: 1, name: "Vocal 1", status: "prev_replace", battery_bars: null, battery_percent: null,
            runtime_minutes: null, last_battery: { bars: 3, percent: 55, runtime_minutes: 95 } },
          { index: 2, name: "Vocal 2", status: "unassigned", last_battery: null },
        ],
      }],
    }],
  };
  const channels = new Map();
  applyBoardMessage(channels, structuredClone(picture));
  assert.deepEqual(shownBatteryOf(channels.get("rx:1")), { filled: 3, total: 5, level: "replace", percent: 55, runtime: 95, stale: true });
  assert.equal(shownBatteryOf(channels.get("rx:2")), null);
  // The integration's memory wins over the page's on a new picture.
  channels.get("rx:1").lastBattery = { bars: 5, percent: 100, runtime: 400 };
  applyBoardMessage(channels, structuredClone(picture));
  assert.equal(shownBatteryOf(channels.get("rx:1")).percent, 55);
  // The transmitter back on: the current reading.
  applyBoardMessage(channels, {
    type: "change", receivers: [],
    channels: [{ entry_id: "e1", receiver_id: "rx", index: 1, status: "good", battery_bars: 5, battery_percent: 100, runtime_minutes: 480 }],
  });
  assert.deepEqual(shownBatteryOf(channels.get("rx:1")), { filled: 5, total: 5, level: "good", percent: 100, runtime: 480, stale: false });
});

// ---------------------------------------------------------------------------------------
// Manufacturers: from the integration's registry, the codes in the data without it.
// ---------------------------------------------------------------------------------------
test("manufacturers: the registry's names and order; other codes seen after them", () => {
  const names = adaptManufacturers(REGISTRY);
  assert.deepEqual([...names], [["shure", "Shure"], ["sennheiser", "Sennheiser"]]);
  assert.equal(manufacturerName(names, "sennheiser"), "Sennheiser");
  // A code the registry does not know (an entry of a newer integration), and no registry.
  assert.equal(manufacturerName(names, "acme"), "acme");
  assert.equal(manufacturerName(null, "shure"), "shure");
  assert.equal(manufacturerName(names, null), "");
  assert.deepEqual(manufacturerOptions(names, ["sennheiser", "", undefined, "acme", "acme"]), [
    { value: "shure", label: "Shure" },
    { value: "sennheiser", label: "Sennheiser" },
    { value: "acme", label: "acme" },
  ]);
  // No registry: only what was seen, each by its code.
  assert.deepEqual(manufacturerOptions(null, ["sennheiser", "shure"]), [
    { value: "sennheiser", label: "sennheiser" },
    { value: "shure", label: "shure" },
  ]);
  assert.deepEqual(manufacturerOptions(null), []);
  // Anything else than a list of manufacturers is no answer; a nameless one is named by its code.
  assert.equal(adaptManufacturers(null), null);
  assert.equal(adaptManufacturers({ result: [] }), null);
  assert.deepEqual([...adaptManufacturers({ manufacturers: [{ code: "x" }, { name: "no code" }, null] })], [["x", "x"]]);
});

test("manufacturers: asked once per connection; a failure resolves null and is asked again", async () => {
  const connection = {};
  const calls = [];
  let fail = true;
  const hass = {
    connection,
    callWS: async (message) => {
      calls.push(message);
      if (fail) throw Object.assign(new Error("Unknown command."), { code: "unknown_command" });
      return REGISTRY;
    },
  };
  assert.equal(await loadManufacturers(hass), null);
  fail = false;
  // Two cards at once share one request.
  const [first, second] = await Promise.all([loadManufacturers(hass), loadManufacturers({ ...hass })]);
  assert.equal(first, second);
  assert.deepEqual([...first.keys()], ["shure", "sennheiser"]);
  assert.equal(await loadManufacturers(hass), first);
  assert.deepEqual(calls, [MANUFACTURERS_REQUEST, MANUFACTURERS_REQUEST]);
  // A call that throws at once, and no hass at all, are no answer either.
  assert.equal(await loadManufacturers({ connection: {}, callWS: () => { throw new Error("closed"); } }), null);
  assert.equal(await loadManufacturers(undefined), null);
});

test("editor schemas offer the registry's manufacturers; without it a typed code", async () => {
  const { boardEditorSchema, activityEditorSchema } = await import("../../custom_components/micboard/cards/micboard-logic.js");
  const names = adaptManufacturers(REGISTRY);
  for (const schema of [boardEditorSchema, activityEditorSchema]) {
    const select = (...args) => schema("en", ...args).find((f) => f.name === "manufacturer").selector.select;
    assert.deepEqual(select(names), { mode: "dropdown", options: manufacturerOptions(names) });
    // The configured value stays offered, known to the registry or not.
    assert.deepEqual(select(names, "acme").options.at(-1), { value: "acme", label: "acme" });
    assert.deepEqual(select(null, "shure"), { mode: "dropdown", options: [{ value: "shure", label: "shure" }], custom_value: true });
    assert.deepEqual(select(), { mode: "dropdown", options: [], custom_value: true });
  }
});
