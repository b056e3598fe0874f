import { describe, expect, it } from "vitest";
import { nextZoom, ZOOM_STEPS } from "./prefs";

describe("zoom keys", () => {
  it("step as a browser does, to 200 % in five presses, and stop at the ends", () => {
    let z = 1;
    for (let i = 0; i < 5; i++) z = nextZoom(z, 1);
    expect(z).toBe(2);
    expect(nextZoom(3, 1)).toBe(3);
    expect(nextZoom(0.5, -1)).toBe(0.5);
    expect(nextZoom(1, -1)).toBe(0.9);
    expect(nextZoom(2.5, 0)).toBe(1);
    // A factor between steps goes to the neighbouring step.
    expect(nextZoom(1.3, 1)).toBe(1.75);
    expect(nextZoom(1.3, -1)).toBe(1.25);
    expect(ZOOM_STEPS).toContain(1);
  });
});
