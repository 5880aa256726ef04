import "leaflet/dist/leaflet.css";

import L from "leaflet";
import { useEffect, useRef } from "preact/hooks";

import type { RoomView } from "../api/resources";
import { useApp } from "../app";
import { sectorShape } from "../geo";
import type { Key } from "../i18n";

const ZOOM = 16;

/** The search room's map: the last-seen point, the sectors (searched ones greyed, the
 * reader's own marked), and the helpers who share where they are. With no tile server
 * configured it draws them on a plain background. ``onPick``: the requester moves the
 * last-seen point by clicking the map. */
export function SearchMap({ room, mySector, onPick }: {
  room: RoomView; mySector: number | null; onPick?: (lat: number, lon: number) => void;
}) {
  const app = useApp();
  const element = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const layers = useRef<L.LayerGroup | null>(null);
  const pick = useRef(onPick);
  pick.current = onPick;

  useEffect(() => {
    if (!element.current) return;
    const created = L.map(element.current, { attributionControl: Boolean(app.config.tilesUrl) });
    if (app.config.tilesUrl) {
      L.tileLayer(app.config.tilesUrl, { attribution: app.config.tilesAttribution ?? "", maxZoom: 19 }).addTo(created);
    }
    created.setView([room.point.lat, room.point.lon], ZOOM);
    created.on("click", (event: L.LeafletMouseEvent) => pick.current?.(event.latlng.lat, event.latlng.lng));
    layers.current = L.layerGroup().addTo(created);
    map.current = created;
    return () => { created.remove(); map.current = null; };
  }, []);

  useEffect(() => {
    const group = layers.current;
    if (!group) return;
    group.clearLayers();
    const { lat, lon } = room.point;
    const { count, radius_m: radius, searched } = room.sectors;
    for (let i = 0; i < count; i++) {
      const done = searched.includes(i);
      const mine = i === mySector;
      L.polygon(sectorShape(lat, lon, radius, i, count), {
        color: mine ? "#b45309" : "#1d4ed8", weight: mine ? 3 : 1,
        fillColor: done ? "#6b7280" : mine ? "#f59e0b" : "#93c5fd", fillOpacity: done ? 0.45 : 0.2,
      }).bindTooltip(app.t(`sector_${i}` as Key)).addTo(group);
    }
    L.circleMarker([lat, lon], { radius: 9, color: "#b91c1c", fillColor: "#dc2626", fillOpacity: 0.9 })
      .bindTooltip(app.t("room_last_seen"), { permanent: true, direction: "top" }).addTo(group);
    for (const helper of room.helpers) {
      if (!helper.position) continue;
      L.circleMarker([helper.position.lat, helper.position.lon], { radius: 7, color: "#065f46", fillColor: "#10b981", fillOpacity: 0.9 })
        .bindTooltip(helper.name, { permanent: true, direction: "right" }).addTo(group);
    }
    map.current?.panTo([lat, lon]);
  }, [room, mySector, app.lang]);

  return <div ref={element} class="search-map" role="region" aria-label={app.t("room_map_label")} />;
}
