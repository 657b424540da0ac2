// Visual editors of the Micboard cards: one ha-form each (the schemas live in
// micboard-logic.js). Options ha-form cannot express well (custom `groups`, `receivers`)
// stay in the YAML editor, which the dashboard offers next to this one. The manufacturers
// offered are the integration's (`micboard/manufacturers`); without its answer the select
// takes a typed code.
const version = new URL(import.meta.url).search;
const { ACTIVITY_DEFAULTS, BOARD_DEFAULTS, activityEditorSchema, boardEditorSchema, editorLabel, loadManufacturers } =
  await import(`./micboard-logic.js${version}`);

class MicboardEditor extends HTMLElement {
  setConfig(config) {
    this._config = config;
    this._render();
  }

  set hass(hass) {
    const first = !this._hass;
    this._hass = hass;
    if (first) {
      loadManufacturers(hass).then((names) => {
        this._manufacturers = names;
        if (this._form) this._render();
      });
    }
    if (this._form) this._form.hass = hass;
    else this._render();
  }

  _render() {
    if (!this._config || !this._hass) return;
    const language = this._hass.locale?.language ?? "en";
    if (!this._form) {
      this._form = document.createElement("ha-form");
      this._form.computeLabel = (field) => editorLabel(field.name, language);
      this._form.addEventListener("value-changed", (event) => {
        const config = { ...event.detail.value };
        // Empty and default values leave the config, which keeps the YAML short.
        for (const [key, value] of Object.entries(config)) if (value === "" || value == null || this.defaults[key] === value) delete config[key];
        this._config = config;
        this.dispatchEvent(new CustomEvent("config-changed", { detail: { config }, bubbles: true, composed: true }));
      });
      this.replaceChildren(this._form);
    }
    this._form.hass = this._hass;
    this._form.schema = this.schema(language, this._manufacturers ?? null, this._config.manufacturer);
    this._form.data = { ...this.defaults, ...this._config };
  }
}

export class MicboardCardEditor extends MicboardEditor {
  schema = boardEditorSchema;
  defaults = BOARD_DEFAULTS;
}

export class MicboardActivityCardEditor extends MicboardEditor {
  schema = activityEditorSchema;
  defaults = ACTIVITY_DEFAULTS;
}
