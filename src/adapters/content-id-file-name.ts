import { createHash } from 'node:crypto';
import { contentIdSegment } from '../keys/key-location.js';

/** Longest name kept as it is: well under the 255 bytes most file systems allow a name. */
const LONGEST_NAME = 200;
/** How much of a longer name is kept before its hash (so that the folder still says what it is). */
const KEPT = 160;

/**
 * A content ID's folder name in the data folder: its key-URL segment (contentIdSegment: one
 * segment, percent-encoded, ASCII), or, when that is longer than LONGEST_NAME, its first KEPT
 * characters, `~` and the SHA-256 of the content ID (225 characters: never the name of a shorter
 * one, which is at most LONGEST_NAME). A content ID of 256 characters, or far fewer non-ASCII
 * ones (each UTF-8 byte becomes %XX), made a name the file system refused: a 500.
 */
export function contentIdFileName(contentId: string): string {
  const segment = contentIdSegment(contentId);
  if (segment.length <= LONGEST_NAME) return segment;
  return `${segment.slice(0, KEPT)}~${createHash('sha256').update(contentId, 'utf8').digest('hex')}`;
}
