export { parseKeyRing, seal, open, openString, needsReseal, type KeyRing, type Sealed } from './seal';
