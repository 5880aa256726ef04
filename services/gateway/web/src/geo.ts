// Points and shapes on the search room's map: pure, no map library (unit-tested).

const METRES_PER_DEGREE = 111_195;
const ARC_STEPS = 8;

/** A point ``metres`` away from ``lat, lon`` towards ``degrees`` (0: north, clockwise):
 * flat-earth, plenty for a few hundred metres. */
export function offset(lat: number, lon: number, metres: number, degrees: number): [number, number] {
  const angle = (degrees * Math.PI) / 180;
  return [
    lat + (metres * Math.cos(angle)) / METRES_PER_DEGREE,
    lon + (metres * Math.sin(angle)) / (METRES_PER_DEGREE * Math.cos((lat * Math.PI) / 180)),
  ];
}

/** Sector ``i`` of ``count`` around the point, as a polygon; sector 0 faces north. */
export function sectorShape(lat: number, lon: number, radiusM: number, i: number, count: number): [number, number][] {
  const width = 360 / count;
  const from = i * width - width / 2;
  const arc = Array.from({ length: ARC_STEPS + 1 }, (_, k) => offset(lat, lon, radiusM, from + (k * width) / ARC_STEPS));
  return [[lat, lon], ...arc];
}
