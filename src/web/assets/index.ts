/**
 * Every static file the dashboard serves, by URL path, with its content type. The client
 * modules import each other by these paths (see dashboard-main.ts).
 */
import { apiClientJs } from "./api-client.js";
import { dashboardMainJs } from "./dashboard-main.js";
import { domJs } from "./dom.js";
import { eventStreamJs } from "./event-stream.js";
import { faviconSvg } from "./favicon.js";
import { glyphsJs } from "./glyphs.js";
import { meshViewJs } from "./mesh-view.js";
import { nodePanelJs } from "./node-panel.js";
import { stylesCss } from "./styles.js";

export interface Asset {
  type: string;
  body: string;
}

const js = (body: string): Asset => ({ type: "text/javascript; charset=utf-8", body });

export const assets: Record<string, Asset> = {
  "/dashboard.js": js(dashboardMainJs),
  "/dashboard/api.js": js(apiClientJs),
  "/dashboard/dom.js": js(domJs),
  "/dashboard/events.js": js(eventStreamJs),
  "/dashboard/glyphs.js": js(glyphsJs),
  "/dashboard/mesh.js": js(meshViewJs),
  "/dashboard/panel.js": js(nodePanelJs),
  "/dashboard.css": { type: "text/css; charset=utf-8", body: stylesCss },
  "/favicon.svg": { type: "image/svg+xml", body: faviconSvg },
};
