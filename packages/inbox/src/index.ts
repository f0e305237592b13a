export * from "./store.js";
export * from "./migrations.js";
