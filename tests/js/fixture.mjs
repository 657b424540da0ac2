// The first `micboard/subscribe` message of a small rig, in the shape the cards assume
// (see the adapter in micboard-logic.js). Shared by the unit tests and the screenshot page.
export const SNAPSHOT = {
  type: "snapshot",
  entries: [
    {
      entry_id: "entry-shure",
      manufacturer: "shure",
      title: "Shure",
      receivers: [
        {
          api_device_id: "00:0e:dd:aa:00:01",
          device_id: "dev-rx1",
          name: "Stage Left",
          model: "ULXD4D",
          online: true,
          channels: [
            {
              index: 1, device_id: "dev-vox1", name: "Vox 1", status: "good",
              battery_bars: 5, battery_percent: null, runtime_minutes: 312,
              rf_level_dbm: -58, audio_level_dbfs: -22, quality: null, antenna: "AB",
              frequency_mhz: 518.2, transmitter_model: "ULXD2",
              entity_ids: { status: "sensor.vox_1_status", battery: "sensor.vox_1_battery" },
            },
            {
              index: 2, device_id: "dev-vox2", name: "Vox 2", status: "replace",
              battery_bars: 3, battery_percent: null, runtime_minutes: 95,
              rf_level_dbm: -71, audio_level_dbfs: -35, quality: null, antenna: "A",
              frequency_mhz: 519.4, transmitter_model: "ULXD1",
              entity_ids: { status: "sensor.vox_2_status" },
            },
          ],
        },
        {
          api_device_id: "00:0e:dd:aa:00:02",
          device_id: "dev-rx2",
          name: "Stage Right",
          model: "AD4Q",
          online: true,
          channels: [
            {
              index: 1, device_id: "dev-gtr", name: "Guitar", status: "critical",
              battery_bars: 1, battery_percent: null, runtime_minutes: 12,
              rf_level_dbm: -88, audio_level_dbfs: -8, quality: 3, antenna: "B",
              frequency_mhz: 560.125, transmitter_model: "AD1",
              entity_ids: { status: "sensor.guitar_status" },
            },
            {
              index: 2, device_id: "dev-vox10", name: "Vox 10", status: "prev_replace",
              battery_bars: null, battery_percent: null, runtime_minutes: null,
              rf_level_dbm: null, audio_level_dbfs: null, quality: null, antenna: null,
              frequency_mhz: 561.0, transmitter_model: "AD2",
              entity_ids: { status: "sensor.vox_10_status" },
            },
          ],
        },
      ],
      // Chargers as the integration's picture has them (no meters).
      chargers: [
        {
          id: "00:0e:dd:cc:00:02", name: "Packs", model: "SBC840", online: true, identified: true,
          storage_mode: false, device_id: "dev-packs", entity_ids: {},
          bays: [
            { index: 1, device_id: "dev-bay1", state: "full", charge_percent: 100, time_to_full_minutes: null,
              health_percent: 96, error: null, entity_ids: { battery_state: "sensor.bay_1_of_packs_battery_state" } },
            { index: 2, device_id: "dev-bay2", state: "charging", charge_percent: 64, time_to_full_minutes: 71,
              health_percent: 90, error: null, entity_ids: { battery_state: "sensor.bay_2_of_packs_battery_state" } },
            { index: 3, device_id: "dev-bay3", state: "warm", charge_percent: 71, time_to_full_minutes: 52,
              health_percent: 88, error: null, entity_ids: {} },
            { index: 4, device_id: "dev-bay4", state: "calculating", charge_percent: 20, time_to_full_minutes: null,
              health_percent: null, error: null, entity_ids: {} },
            { index: 5, device_id: "dev-bay5", state: "error", charge_percent: 50, time_to_full_minutes: null,
              health_percent: null, error: "communication_failure", entity_ids: {} },
            { index: 6, device_id: "dev-bay6", state: "empty", charge_percent: null, time_to_full_minutes: null,
              health_percent: null, error: null, entity_ids: {} },
          ],
        },
      ],
    },
    {
      entry_id: "entry-senn",
      manufacturer: "sennheiser",
      title: "Sennheiser",
      receivers: [
        {
          api_device_id: "senn-1",
          device_id: "dev-rx3",
          name: "EW-DX Rack",
          model: "EM 2 Dante",
          online: true,
          channels: [
            {
              index: 1, device_id: "dev-pres", name: "Presenter", status: "tx_com_error",
              battery_bars: null, battery_percent: null, runtime_minutes: null,
              rf_level_dbm: -99, audio_level_dbfs: -60, quality: 0, antenna: null,
              frequency_mhz: 606.5, transmitter_model: "SKM-S",
              entity_ids: { status: "sensor.presenter_status" },
            },
            {
              index: 2, device_id: "dev-spare", name: "Spare", status: "unassigned",
              battery_bars: null, battery_percent: 64, runtime_minutes: 240,
              rf_level_dbm: null, audio_level_dbfs: null, quality: 92, antenna: "2",
              frequency_mhz: 607.9, transmitter_model: null,
              entity_ids: { status: "sensor.spare_status" },
            },
          ],
        },
      ],
    },
  ],
};
