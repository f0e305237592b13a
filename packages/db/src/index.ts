export { sql, type Kysely, type RawBuilder } from "kysely";
export * from "./database.js";
export * from "./location.js";
export * from "./migrations.js";
export * from "./open.js";
