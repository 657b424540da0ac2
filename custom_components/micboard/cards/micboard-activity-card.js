// `micboard-activity-card`: the Micboard activity log, newest first, filtered by event type
// and manufacturer, 50 rows a page (a cursor fetches the next), new rows arriving live.
const version = new URL(import.meta.url).search;
const {
  ACTIVITY_DEFAULTS,
  ACTIVITY_EVENT_TYPES,
  activityRequest,
  adaptActivityMessage,
  eventLabel,
  loadManufacturers,
  localize,
  manufacturerOptions,
  mergeActivity,
} = await import(`./micboard-logic.js${version}`);

const STYLE = `
:host { display: block; }
ha-card { display: block; padding: 12px 0 8px; }
.head { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; padding: 0 16px 8px; }
.title { font-size: 1.25rem; font-weight: 500; flex: 1 1 auto; color: var(--primary-text-color); }
.live { font-size: 0.75rem; color: var(--success-color, #43a047); text-transform: uppercase; letter-spacing: 0.06em; }
select { font: inherit; color: var(--primary-text-color); background: var(--card-background-color);
  border: 1px solid var(--divider-color); border-radius: 6px; padding: 4px 6px; }
ul { list-style: none; margin: 0; padding: 0; }
li { display: grid; grid-template-columns: 4.2em 6.5em 1fr; gap: 8px; align-items: baseline; padding: 6px 16px;
  border-top: 1px solid var(--divider-color); color: var(--primary-text-color); }
li[data-device] { cursor: pointer; }
li[data-device]:hover { background: var(--secondary-background-color); }
time { color: var(--secondary-text-color); font-variant-numeric: tabular-nums; font-size: 0.9em; }
.chip { font-size: 0.75rem; font-weight: 600; text-transform: uppercase; border-radius: 10px; padding: 1px 8px;
  text-align: center; color: #fff; background: var(--chip, var(--secondary-text-color)); }
.chip.device_online { --chip: var(--success-color, #43a047); }
.chip.device_offline { --chip: var(--error-color, #db4437); }
.chip.device_updated { --chip: var(--info-color, #039be5); }
.chip.device_discovered { --chip: var(--primary-color, #03a9f4); }
.chip.device_synced { --chip: var(--disabled-color, #9e9e9e); }
.empty, .error { padding: 12px 16px; color: var(--secondary-text-color); }
.more { display: block; margin: 8px auto 0; font: inherit; color: var(--primary-color); background: none;
  border: 1px solid var(--primary-color); border-radius: 6px; padding: 4px 14px; cursor: pointer; }
`;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class MicboardActivityCard extends HTMLElement {
  static getConfigElement() {
    return document.createElement("micboard-activity-card-editor");
  }

  static getStubConfig() {
    return {};
  }

  constructor() {
    super();
    this._rows = [];
    this._cursor = null;
    this.attachShadow({ mode: "open" });
  }

  setConfig(config) {
    if (!config || typeof config !== "object") throw new Error("Invalid configuration");
    this._config = { ...ACTIVITY_DEFAULTS, ...config };
    // The card config sets the initial filters; the selects in the card change them.
    this._filters = { event_type: this._config.event_type ?? "", manufacturer: this._config.manufacturer ?? "" };
    this._resubscribe();
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first) {
      // The manufacturer filter offers the integration's manufacturers, by name (until they
      // are known, or if the integration does not say, the codes in the rows).
      loadManufacturers(hass).then((names) => {
        this._manufacturers = names;
        this._render();
      });
      this._resubscribe();
    }
  }

  get _language() {
    return this._hass?.locale?.language ?? "en";
  }

  connectedCallback() {
    if (this._hass && !this._unsubscribe) this._resubscribe();
  }

  disconnectedCallback() {
    this._stop();
  }

  _stop() {
    this._unsubscribe?.then((unsubscribe) => unsubscribe()).catch(() => {});
    this._unsubscribe = undefined;
  }

  _query() {
    return { ...this._config, ...this._filters };
  }

  _resubscribe() {
    this._stop();
    this._rows = [];
    this._cursor = null;
    this._error = undefined;
    this._loaded = false;
    this._render();
    if (!this._hass?.connection || !this._config || !this.isConnected) return;
    const generation = (this._generation = (this._generation ?? 0) + 1);
    this._unsubscribe = this._hass.connection.subscribeMessage(
      (msg) => generation === this._generation && this.handleMessage(msg),
      activityRequest(this._query(), { live: true }),
    );
    this._unsubscribe.catch((err) => {
      this._error = err?.code === "unknown_command" ? localize("board.not_loaded", this._language) : (err?.message ?? String(err));
      this._render();
    });
  }

  /** A message of the live subscription: the first page (with its cursor), then new rows. */
  handleMessage(msg) {
    const { rows, nextCursor } = adaptActivityMessage(msg);
    if (!this._loaded) {
      this._loaded = true;
      this._cursor = nextCursor ?? null;
    }
    this._rows = mergeActivity(this._rows, rows);
    this._render();
  }

  async _loadMore() {
    if (!this._cursor || this._loading) return;
    this._loading = true;
    const generation = this._generation;
    try {
      const answer = await this._hass.callWS(activityRequest(this._query(), { cursor: this._cursor }));
      if (generation !== this._generation) return;
      const { rows, nextCursor } = adaptActivityMessage(answer);
      this._rows = mergeActivity(this._rows, rows);
      this._cursor = nextCursor ?? null;
    } catch (err) {
      this._error = err?.message ?? String(err);
    } finally {
      this._loading = false;
      this._render();
    }
  }

  _formatTime(iso) {
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return "";
    const today = new Date().toDateString() === date.toDateString();
    const options = today ? { hour: "2-digit", minute: "2-digit" } : { month: "short", day: "numeric" };
    return new Intl.DateTimeFormat(this._language, options).format(date);
  }

  // `choices`: [{value, label}].
  _select(name, choices, allLabel) {
    const select = element("select");
    select.setAttribute("aria-label", allLabel);
    select.append(new Option(allLabel, ""));
    for (const { value, label } of choices) select.append(new Option(label, value));
    select.value = this._filters[name];
    select.addEventListener("change", () => {
      this._filters = { ...this._filters, [name]: select.value };
      this._resubscribe();
    });
    return select;
  }

  _render() {
    if (!this._config) return;
    const language = this._language;
    const style = element("style");
    style.textContent = STYLE;
    const card = element("ha-card");
    const head = element("div", "head");
    head.append(element("div", "title", this._config.title ?? localize("activity.title", language)));
    if (this._loaded && !this._error) head.append(element("span", "live", localize("activity.live", language)));
    if (this._config.show_filters) {
      head.append(
        this._select(
          "event_type",
          ACTIVITY_EVENT_TYPES.map((type) => ({ value: type, label: eventLabel(type, language) })),
          localize("activity.all_events", language),
        ),
        this._select(
          "manufacturer",
          manufacturerOptions(this._manufacturers, [this._filters.manufacturer, ...this._rows.map((row) => row.manufacturer)]),
          localize("activity.all_manufacturers", language),
        ),
      );
    }
    card.append(head);
    if (this._error) card.append(element("div", "error", this._error));
    else if (this._loaded && !this._rows.length) card.append(element("div", "empty", localize("activity.empty", language)));
    const list = element("ul");
    for (const row of this._rows) {
      const item = element("li");
      const time = element("time", "", this._formatTime(row.time));
      time.dateTime = row.time ?? "";
      time.title = row.time ? new Date(row.time).toLocaleString(language) : "";
      const type = String(row.eventType).replace(/^micboard_/, "");
      item.dataset.eventType = row.eventType;
      if (row.manufacturer) item.dataset.manufacturer = row.manufacturer;
      item.append(time, element("span", `chip ${type}`, eventLabel(row.eventType, language)), element("span", "sentence", row.sentence));
      if (row.deviceId) {
        item.dataset.device = row.deviceId;
        item.addEventListener("click", () => {
          history.pushState(null, "", `/config/devices/device/${row.deviceId}`);
          window.dispatchEvent(new CustomEvent("location-changed", { detail: { replace: false } }));
        });
      }
      list.append(item);
    }
    card.append(list);
    if (this._cursor) {
      const more = element("button", "more", localize("activity.load_more", language));
      more.disabled = Boolean(this._loading);
      more.addEventListener("click", () => this._loadMore());
      card.append(more);
    }
    this.shadowRoot.replaceChildren(style, card);
  }

  getCardSize() {
    return 2 + Math.min(this._rows.length, 10);
  }
}
