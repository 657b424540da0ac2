// Unit tests of the cards' pure logic: node --test tests/js/
import { test } from "node:test";
import assert from "node:assert/strict";

import {
  STATUSES,
  activityRequest,
  adaptActivityMessage,
  applyBoardMessage,
  audioFraction,
  batterySegments,
  effectiveStatus,
  eventLabel,
  filterChannels,
  formatFrequency,
  formatRuntime,
  groupChannels,
  localize,
  mergeActivity,
  rfFraction,
  statusStyle,
} from "../../custom_components/micboard/cards/micboard-logic.js";
import { SNAPSHOT } from "./fixture.mjs";

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

test("receiver groups carry the model and manufacturer", () => {
  const groups = groupChannels(board().values(), {});
  assert.deepEqual(
    groups.map((g) => g.detail),
    ["EM 2 Dante · Sennheiser", "ULXD4D · Shure", "AD4Q · Shure"],
  );
});
