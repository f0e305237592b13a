export * from "./appearance.js";
export { SubsetFont, loadSerifFont, SERIF_FONT_PATHS } from "./font.js";
export { decodePng, readPngFile, encodePng, embedImage, type RgbaImage } from "./image.js";
export { demoSignatureImage, demoSealImage } from "./demo-images.js";
export { DisplayedPage, MM, type Box } from "./geometry.js";
export { findAnchor, type AnchorHit } from "./anchor.js";
export { subjectNames, type SubjectNames } from "./subject.js";
export { isoVietnamTime, vietnamDateAndTime } from "./time.js";
export { findSignerBlock, isTitleLine, pageLines, signerBlockBox, type SignerBlock, type TextLine } from "./signer-block.js";
