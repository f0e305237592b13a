/** The first catalogue's module, kept for its importers: everything lives in ./messages now. */
export { pickLang, translator, type Lang, type MessageKey, type Translate } from "./messages/index.js";
