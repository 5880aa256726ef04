import { useEffect, useRef, useState } from "preact/hooks";

import type { Place } from "../api/resources";
import { useApp } from "../app";

export type Chosen = { lat: number; lon: number; name: string } | null;

let serial = 0;

/** A place by its name (the posts API's gazetteer), or "use my location": never raw
 * coordinates. A combobox: arrows move through the suggestions, Enter picks one. */
export function PlacePicker({
  label, place, onPlace, optional = false, problem,
}: { label: string; place: Chosen; onPlace(place: Place | null): void; optional?: boolean; problem?: string }) {
  const app = useApp();
  const { t } = app;
  const [text, setText] = useState("");
  const [found, setFound] = useState<Place[]>([]);
  const [active, setActive] = useState(-1);
  const [locating, setLocating] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const id = useRef(`place-${++serial}`).current;

  useEffect(() => {
    if (text.trim().length < 2) return setFound([]);
    const timer = setTimeout(() => {
      app.api.places(text.trim()).then(setFound, () => setNote(t("state_unreachable")));
    }, 200);
    return () => clearTimeout(timer);
  }, [text]);

  const choose = (chosen: Place) => {
    onPlace(chosen);
    setText("");
    setFound([]);
    setActive(-1);
  };

  const locate = () => {
    if (!navigator.geolocation) return setNote(t("location_unavailable"));
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      async (position) => {
        const { latitude: lat, longitude: lon } = position.coords;
        const near = await app.api.nearestPlace(lat, lon).catch(() => null);
        onPlace({ lat, lon, name: near ? t("near_place", { place: near.name }) : t("my_location"), region: "", country: "" });
        app.live.locate(lat, lon);
        setLocating(false);
      },
      () => {
        setNote(t("location_refused"));
        setLocating(false);
      },
      { enableHighAccuracy: false, timeout: 10_000, maximumAge: 60_000 },
    );
  };

  return (
    <fieldset class="place">
      <legend>{label}</legend>
      {place && (
        <p class="chosen">
          <span>{place.name}</span>
          {optional && <button type="button" onClick={() => onPlace(null)}>{t("clear")}</button>}
        </p>
      )}
      <label for={id}>{place ? t("place_change") : t("place_search")}</label>
      <input
        id={id}
        type="text"
        role="combobox"
        aria-expanded={found.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={active >= 0 ? `${id}-${active}` : undefined}
        aria-invalid={problem ? true : undefined}
        aria-describedby={problem ? `${id}-problem` : undefined}
        autoComplete="off"
        value={text}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown") { e.preventDefault(); setActive((a) => Math.min(found.length - 1, a + 1)); }
          if (e.key === "ArrowUp") { e.preventDefault(); setActive((a) => Math.max(0, a - 1)); }
          if (e.key === "Enter" && found.length) { e.preventDefault(); choose(found[Math.max(0, active)]); }
          if (e.key === "Escape") setFound([]);
        }}
      />
      {found.length > 0 && (
        <ul id={`${id}-list`} role="listbox" class="suggestions">
          {found.map((p, i) => (
            <li id={`${id}-${i}`} role="option" aria-selected={i === active} onMouseDown={(e) => { e.preventDefault(); choose(p); }}>
              {p.name}<span class="region">{[p.region, p.country].filter(Boolean).join(", ")}</span>
            </li>
          ))}
        </ul>
      )}
      <button type="button" onClick={locate} disabled={locating}>{locating ? t("state_loading") : t("use_my_location")}</button>
      {problem && <p id={`${id}-problem`} class="field-problem">{problem}</p>}
      {note && <p class="note" role="status">{note}</p>}
    </fieldset>
  );
}
