"""Build the dashboard's offline base map, data/maps/countries.geojson, from Natural Earth's country
outlines (public domain) as the npm package world-atlas redistributes them (TopoJSON).

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/build_basemap.py package/countries-50m.json

Keeps the countries between Western Europe and East Asia (what the alliance's map shows),
simplifies the outlines (Douglas-Peucker, 0.05°), rounds coordinates to 0.1° (about 10 km) and
drops islands of fewer than 8 points, so the file stays about 200 KB.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "data" / "maps" / "countries.geojson"
# west, south, east, north: Portugal to Japan, Indonesia to the Arctic coast
BOUNDS = (-25.0, -12.0, 155.0, 75.0)
STEP = 0.1
TOLERANCE = 0.05  # degrees a simplified outline may stray from Natural Earth's (about 5 km)
MIN_POINTS = 8  # smaller islands vanish at the map's scale


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Absolute longitude/latitude points of every arc (TopoJSON arcs are quantized and delta-coded)."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def simplified(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker: the fewest points that stay within ``tolerance`` degrees of the line."""
    if len(points) < 3:
        return points
    (ax, ay), (bx, by) = points[0], points[-1]
    dx, dy = bx - ax, by - ay
    length = (dx * dx + dy * dy) ** 0.5
    far, far_index = -1.0, 0
    for index in range(1, len(points) - 1):
        px, py = points[index]
        distance = abs(dy * (px - ax) - dx * (py - ay)) / length if length else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
        if distance > far:
            far, far_index = distance, index
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplified(points[: far_index + 1], tolerance)[:-1] + simplified(points[far_index:], tolerance)


def ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    """One closed ring from arc indexes (a negative index ~i is arc i reversed)."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = simplified(arcs[index] if index >= 0 else arcs[~index][::-1], TOLERANCE)
        points.extend(arc if not points else arc[1:])
    rounded: list[list[float]] = []
    for x, y in points:
        point = [round(round(x / STEP) * STEP, 1), round(round(y / STEP) * STEP, 1)]
        if not rounded or rounded[-1] != point:
            rounded.append(point)
    return rounded


def unwrapped(polygon: list[list[list[float]]]) -> list[list[list[float]]]:
    """A polygon that crosses the 180th meridian (eastern Russia) with its western longitudes moved
    past 180°, so the map draws it in one piece instead of a band across the world."""
    longitudes = [x for ring_ in polygon for x, _ in ring_]
    if max(longitudes) - min(longitudes) <= 180:
        return polygon
    return [[[x + 360 if x < 0 else x, y] for x, y in ring_] for ring_ in polygon]


def inside(polygon: list[list[list[float]]]) -> bool:
    west, south, east, north = BOUNDS
    return any(west <= x <= east and south <= y <= north for x, y in polygon[0])


def build(source: Path) -> dict:
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry["type"] == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        shapes = [unwrapped([ring(r, arcs) for r in polygon]) for polygon in polygons]
        shapes = [shape for shape in shapes if len(shape[0]) >= MIN_POINTS and inside(shape)]
        if not shapes:
            continue
        features.append(
            {
                "type": "Feature",
                "id": geometry.get("id", ""),
                "properties": {"name": geometry.get("properties", {}).get("name", "")},
                "geometry": {"type": "MultiPolygon", "coordinates": shapes},
            }
        )
    return {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m Admin 0 countries (public domain), via world-atlas 2.0.2",
        "features": features,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("topojson", type=Path, help="world-atlas countries-50m.json")
    args = parser.parse_args()
    collection = build(args.topojson)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{OUT}: {len(collection['features'])} countries, {OUT.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
