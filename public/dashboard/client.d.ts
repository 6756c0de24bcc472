// The types of public/dashboard/client.js, which scripts/build-web.mjs bundles from src/client.
export * from "../../src/client/index.js";
