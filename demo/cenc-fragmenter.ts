import { box, children, find, fullBox, need, payload, readBoxes, u32, u64, versionAndFlags, type Mp4Box } from './mp4-boxes.js';
import { required } from '../src/required.js';

/**
 * Turns a single-track CENC-encrypted MP4 as ffmpeg writes it (`-encryption_scheme cenc-aes-ctr`,
 * not fragmented) into a fragmented MP4 that Media Source Extensions accept, and puts the PSSH
 * boxes from the SPEKE answer into its moov, as a packager does.
 *
 * Nothing is decrypted or encrypted here: the encrypted samples and their per-sample IVs and
 * subsample maps (ffmpeg's `senc`) are moved into one moof/mdat per fragment. This step exists
 * because Debian 12's ffmpeg 5.1 writes no `senc`/`saiz`/`saio` into fragments when asked for
 * fragmented CENC output, so its fragmented files cannot be decrypted by any player.
 */

interface Sample {
  offset: number;
  size: number;
  duration: number;
  compositionOffset: number;
  sync: boolean;
  /** This sample's `senc` entry: IV, then (when present) subsample count and map. */
  auxInfo: Buffer;
}

const SYNC_FLAGS = 0x02000000;
const NON_SYNC_FLAGS = 0x01010000;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_DURATION = 0x100;
const TRUN_SIZE = 0x200;
const TRUN_FLAGS = 0x400;
const TRUN_CTS = 0x800;
const SENC_SUBSAMPLES = 0x2;

/** Children of the stsd's single sample entry (encv: 78 bytes of visual fields; enca: 28 of audio fields). */
function sampleEntryChildren(stsd: Mp4Box): Mp4Box[] {
  const entry = readBoxes(payload(stsd).subarray(8))[0];
  if (!entry || (entry.type !== 'encv' && entry.type !== 'enca')) throw new Error('Track is not CENC-encrypted (no encv/enca sample entry)');
  return children(entry, entry.type === 'encv' ? 78 : 28);
}

/** The per-sample IV size from the track's tenc box. */
function ivSize(stsd: Mp4Box): number {
  const tenc = need(children(need(children(need(sampleEntryChildren(stsd), 'sinf')), 'schi')), 'tenc');
  return payload(tenc).readUInt8(4 + 3);
}

function expand(table: Mp4Box | undefined, count: number, read: (p: Buffer, i: number) => [number, number]): number[] {
  if (!table) return [];
  const p = payload(table);
  const out: number[] = [];
  for (let i = 0; i < p.readUInt32BE(4); i++) {
    const [n, value] = read(p, 8 + 8 * i);
    for (let k = 0; k < n && out.length < count; k++) out.push(value);
  }
  return out;
}

function readSamples(stbl: Mp4Box[]): Sample[] {
  const stsz = payload(need(stbl, 'stsz'));
  const count = stsz.readUInt32BE(8);
  const fixed = stsz.readUInt32BE(4);
  const sizes = Array.from({ length: count }, (_, i) => (fixed !== 0 ? fixed : stsz.readUInt32BE(12 + 4 * i)));
  const durations = expand(find(stbl, 'stts'), count, (p, o) => [p.readUInt32BE(o), p.readUInt32BE(o + 4)]);
  const ctts = find(stbl, 'ctts');
  const signed = ctts !== undefined && versionAndFlags(ctts).version === 1;
  const offsets = expand(ctts, count, (p, o) => [p.readUInt32BE(o), signed ? p.readInt32BE(o + 4) : p.readUInt32BE(o + 4)]);
  const stss = find(stbl, 'stss');
  const syncSet = stss ? new Set(Array.from({ length: payload(stss).readUInt32BE(4) }, (_, i) => payload(stss).readUInt32BE(8 + 4 * i))) : undefined;

  // Chunk offsets (stco or co64) and samples per chunk (stsc) give each sample's file offset.
  const co64 = find(stbl, 'co64');
  const stco = payload(co64 ?? need(stbl, 'stco'));
  const chunkOffsets = Array.from({ length: stco.readUInt32BE(4) }, (_, i) => (co64 ? Number(stco.readBigUInt64BE(8 + 8 * i)) : stco.readUInt32BE(8 + 4 * i)));
  const stsc = payload(need(stbl, 'stsc'));
  const runs = Array.from({ length: stsc.readUInt32BE(4) }, (_, i) => ({ first: stsc.readUInt32BE(8 + 12 * i), perChunk: stsc.readUInt32BE(12 + 12 * i) }));
  const sampleOffsets: number[] = [];
  chunkOffsets.forEach((chunkOffset, c) => {
    const run = runs.filter((r) => r.first <= c + 1).at(-1);
    let offset = chunkOffset;
    for (let k = 0; k < (run?.perChunk ?? 0) && sampleOffsets.length < count; k++) {
      sampleOffsets.push(offset);
      offset += required(sizes[sampleOffsets.length - 1], 'the sample size');
    }
  });

  const aux = readSenc(need(stbl, 'senc'), ivSize(need(stbl, 'stsd')));
  if (sampleOffsets.length !== count || durations.length !== count || aux.entries.length !== count) throw new Error('Inconsistent MP4 sample tables');
  return sizes.map((size, i) => ({
    offset: required(sampleOffsets[i], 'the sample offset'),
    size,
    duration: required(durations[i], 'the sample duration'),
    compositionOffset: offsets[i] ?? 0,
    sync: syncSet ? syncSet.has(i + 1) : true,
    auxInfo: required(aux.entries[i], 'the sample auxiliary information'),
  }));
}

/** The entries of a senc box, each as its raw bytes. */
function readSenc(senc: Mp4Box, ivBytes: number): { flags: number; entries: Buffer[] } {
  const { flags } = versionAndFlags(senc);
  const p = payload(senc);
  const entries: Buffer[] = [];
  let offset = 8;
  for (let i = 0; i < p.readUInt32BE(4); i++) {
    const start = offset;
    offset += ivBytes;
    if (flags & SENC_SUBSAMPLES) offset += 2 + 6 * p.readUInt16BE(offset);
    entries.push(p.subarray(start, offset));
  }
  return { flags, entries };
}

/** Samples grouped into fragments of at least `minDuration` ticks, each starting at a sync sample. */
function fragments(samples: Sample[], minDuration: number): Sample[][] {
  const groups: Sample[][] = [];
  let current: Sample[] = [];
  let duration = 0;
  for (const sample of samples) {
    if (current.length > 0 && sample.sync && duration >= minDuration) {
      groups.push(current);
      current = [];
      duration = 0;
    }
    current.push(sample);
    duration += sample.duration;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

function fragment(input: Buffer, trackId: number, sequence: number, baseTime: number, samples: Sample[], sencFlags: number, hasCts: boolean): Buffer {
  const trunFlags = TRUN_DATA_OFFSET | TRUN_DURATION | TRUN_SIZE | TRUN_FLAGS | (hasCts ? TRUN_CTS : 0);
  const rows = samples.map((s) => {
    const row = u32(s.duration, s.size, s.sync ? SYNC_FLAGS : NON_SYNC_FLAGS, 0);
    if (hasCts) row.writeInt32BE(s.compositionOffset, 12);
    return hasCts ? row : row.subarray(0, 12);
  });
  const sizes = Buffer.from(samples.map((s) => s.auxInfo.length));
  const mfhd = fullBox('mfhd', 0, 0, u32(sequence));
  const trun = (dataOffset: number) => {
    const head = u32(samples.length, 0);
    head.writeInt32BE(dataOffset, 4);
    return fullBox('trun', hasCts ? 1 : 0, trunFlags, head, ...rows);
  };
  const tfhd = fullBox('tfhd', 0, TFHD_DEFAULT_BASE_IS_MOOF, u32(trackId));
  const tfdt = fullBox('tfdt', 1, 0, u64(baseTime));
  const saiz = fullBox('saiz', 0, 0, Buffer.from([0]), u32(samples.length), sizes);
  const saio = (offset: number) => fullBox('saio', 0, 0, u32(1, offset));
  const senc = fullBox('senc', 0, sencFlags, u32(samples.length), ...samples.map((s) => s.auxInfo));
  // Offsets count from the start of the moof (tfhd default-base-is-moof); box sizes do not depend on them.
  const sencStart = 8 + mfhd.length + 8 + tfhd.length + tfdt.length + trun(0).length + saiz.length + saio(0).length;
  const moofSize = sencStart + senc.length;
  const moof = box('moof', mfhd, box('traf', tfhd, tfdt, trun(moofSize + 8), saiz, saio(sencStart + 16), senc));
  return Buffer.concat([moof, box('mdat', ...samples.map((s) => input.subarray(s.offset, s.offset + s.size)))]);
}

/** The MSE codec string of a single-track MP4 as ffmpeg writes it: `avc1.PPCCLL` from avcC, or AAC-LC. */
export function trackCodec(input: Buffer): string {
  const trak = children(need(children(need(readBoxes(input), 'moov')), 'trak'));
  const stbl = children(need(children(need(children(need(trak, 'mdia')), 'minf')), 'stbl'));
  const entry = readBoxes(payload(need(stbl, 'stsd')).subarray(8))[0];
  if (entry?.type === 'enca' || entry?.type === 'mp4a') return 'mp4a.40.2';
  const avcC = entry && (entry.type === 'encv' || entry.type === 'avc1') ? find(children(entry, 78), 'avcC') : undefined;
  if (!avcC) throw new Error('Only H.264 video and AAC audio are supported');
  return `avc1.${payload(avcC).subarray(1, 4).toString('hex')}`;
}

/**
 * The fragmented MP4 (init segment, then fragments of about `fragmentSeconds` starting at sync
 * samples) for one CENC-encrypted track, with the given PSSH boxes in its moov.
 */
export function fragmentCencMp4(input: Buffer, psshBoxes: Buffer[] = [], fragmentSeconds = 1): Buffer {
  const top = readBoxes(input);
  const moov = children(need(top, 'moov'));
  const traks = moov.filter((b) => b.type === 'trak');
  if (traks.length !== 1) throw new Error('Expected exactly one track');
  const trak = children(required(traks[0], 'the track'));
  const tkhd = need(trak, 'tkhd');
  const trackId = payload(tkhd).readUInt32BE(versionAndFlags(tkhd).version === 1 ? 20 : 12);
  const mdia = children(need(trak, 'mdia'));
  const mdhd = need(mdia, 'mdhd');
  const timescale = payload(mdhd).readUInt32BE(versionAndFlags(mdhd).version === 1 ? 20 : 12);
  const minf = children(need(mdia, 'minf'));
  const stbl = children(need(minf, 'stbl'));
  const samples = readSamples(stbl);
  const sencFlags = versionAndFlags(need(stbl, 'senc')).flags;
  const hasCts = samples.some((s) => s.compositionOffset !== 0);

  const emptyStbl = box(
    'stbl',
    need(stbl, 'stsd').bytes,
    fullBox('stts', 0, 0, u32(0)),
    fullBox('stsc', 0, 0, u32(0)),
    fullBox('stsz', 0, 0, u32(0, 0)),
    fullBox('stco', 0, 0, u32(0)),
  );
  const mediaHeader = minf.find((b) => b.type === 'vmhd' || b.type === 'smhd');
  if (!mediaHeader) throw new Error('Track is neither video nor audio');
  const edts = find(trak, 'edts');
  const newTrak = box(
    'trak',
    tkhd.bytes,
    ...(edts ? [edts.bytes] : []),
    box('mdia', mdhd.bytes, need(mdia, 'hdlr').bytes, box('minf', mediaHeader.bytes, need(minf, 'dinf').bytes, emptyStbl)),
  );
  const mvex = box('mvex', fullBox('trex', 0, 0, u32(trackId, 1, 0, 0, 0)));
  const init = Buffer.concat([need(top, 'ftyp').bytes, box('moov', need(moov, 'mvhd').bytes, newTrak, mvex, ...psshBoxes)]);

  const parts: Buffer[] = [init];
  let baseTime = 0;
  fragments(samples, fragmentSeconds * timescale).forEach((group, i) => {
    parts.push(fragment(input, trackId, i + 1, baseTime, group, sencFlags, hasCts));
    baseTime += group.reduce((sum, s) => sum + s.duration, 0);
  });
  return Buffer.concat(parts);
}
