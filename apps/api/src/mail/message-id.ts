/** What the outgoing side shares with intake, in one place: the Message-ID we mint, the loop header, the body marker. */
export { LOOP_HEADER, ourMessageId } from './classify';
export { bodyMarker } from './parse';
