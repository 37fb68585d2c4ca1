export { compareCodePoints, sortByCodePoint } from './code-point-order.js';
export type { JsonArray, JsonFloat, JsonInt, JsonObject, JsonTree } from './json-tree.js';
export { isJsonObject } from './json-tree.js';
export {
  JsonSyntaxError,
  MAX_JSON_DEPTH,
  parseJsonBody,
  parseLosslessJson,
  toPlain,
  type ParsedJsonBody,
} from './lossless-json.js';
export { canonicalEnvelopeText, isPayloadHash, payloadHashOf, type PayloadHash } from './payload-hash.js';
export { pythonFloatRepr } from './python-float.js';
export { canonicalJson, pythonDumps } from './python-json.js';
export { pythonJsonString } from './python-string.js';
