import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A minimal ZIP writer (PKWARE APPNOTE 6.3): stored or deflated entries, UTF-8 names, no ZIP64.
 * It hands back byte chunks to send as they are made, so a large archive never sits in memory
 * at once; only the small central directory is kept until the end.
 */

const LOCAL_HEADER = 0x04034b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const VERSION = 20;
const UTF8_NAMES = 1 << 11;
const STORED = 0;
const DEFLATED = 8;
const MAX_32 = 0xffffffff;
export const ZIP_MAX_ENTRIES = 0xffff;

interface CentralEntry {
  name: Buffer;
  method: number;
  time: number;
  date: number;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
}

/** MS-DOS date and time (local fields, two-second resolution) of a date. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.max(date.getUTCFullYear(), 1980);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

export class ZipTooLargeError extends Error {}

export class ZipWriter {
  private readonly entries: CentralEntry[] = [];
  private offset = 0;

  /** The chunks for one file. `compress: false` suits already-compressed data such as PDFs. */
  add(fileName: string, data: Buffer, modified: Date, options: { compress?: boolean } = {}): Buffer[] {
    if (this.entries.length >= ZIP_MAX_ENTRIES) throw new ZipTooLargeError('too many files for a ZIP without ZIP64');
    const name = Buffer.from(fileName.replace(/\\/g, '/').replace(/^\/+/, ''), 'utf8');
    const method = options.compress ? DEFLATED : STORED;
    const body = method === DEFLATED ? deflateRawSync(data) : data;
    const { time, date } = dosDateTime(modified);
    const entry: CentralEntry = { name, method, time, date, crc: crc32(data) >>> 0, compressedSize: body.length, size: data.length, offset: this.offset };
    if (entry.offset + 30 + name.length + body.length > MAX_32) throw new ZipTooLargeError('archive larger than 4 GB');

    const header = Buffer.alloc(30);
    header.writeUInt32LE(LOCAL_HEADER, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(UTF8_NAMES, 6);
    header.writeUInt16LE(method, 8);
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt32LE(entry.crc, 14);
    header.writeUInt32LE(entry.compressedSize, 18);
    header.writeUInt32LE(entry.size, 22);
    header.writeUInt16LE(name.length, 26);
    header.writeUInt16LE(0, 28);
    this.entries.push(entry);
    this.offset += header.length + name.length + body.length;
    return [header, name, body];
  }

  /** The central directory and its end record: the archive's last bytes. */
  finish(): Buffer {
    const parts: Buffer[] = [];
    let size = 0;
    for (const entry of this.entries) {
      const header = Buffer.alloc(46);
      header.writeUInt32LE(CENTRAL_HEADER, 0);
      header.writeUInt16LE(VERSION, 4);
      header.writeUInt16LE(VERSION, 6);
      header.writeUInt16LE(UTF8_NAMES, 8);
      header.writeUInt16LE(entry.method, 10);
      header.writeUInt16LE(entry.time, 12);
      header.writeUInt16LE(entry.date, 14);
      header.writeUInt32LE(entry.crc, 16);
      header.writeUInt32LE(entry.compressedSize, 20);
      header.writeUInt32LE(entry.size, 24);
      header.writeUInt16LE(entry.name.length, 28);
      // Extra field, comment, disk number, internal attributes: none / zero.
      header.writeUInt32LE(0, 38);
      header.writeUInt32LE(entry.offset, 42);
      parts.push(header, entry.name);
      size += header.length + entry.name.length;
    }
    const end = Buffer.alloc(22);
    end.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
    end.writeUInt16LE(this.entries.length, 8);
    end.writeUInt16LE(this.entries.length, 10);
    end.writeUInt32LE(size, 12);
    end.writeUInt32LE(this.offset, 16);
    parts.push(end);
    return Buffer.concat(parts);
  }
}
