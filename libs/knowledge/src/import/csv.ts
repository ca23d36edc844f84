/**
 * RFC 4180 CSV: one state machine over the characters (quoted fields, doubled quotes, CRLF or LF),
 * so a hostile file costs its length and no more. Each record keeps the line it starts on, which is
 * what an import problem names.
 */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export type CsvResult = { ok: true; records: CsvRecord[] } | { ok: false; line: number; message: string };

export function parseCsv(text: string): CsvResult {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else {
          quoted = false;
          afterQuote = true;
        }
      } else {
        if (ch === '\n') line++;
        cell += ch;
      }
      continue;
    }
    if (ch === ',') {
      cells.push(cell);
      cell = '';
      afterQuote = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      afterQuote = false;
      line++;
      recordLine = line;
    } else if (ch === '"' && cell === '' && !afterQuote) quoted = true;
    else if (afterQuote) return { ok: false, line, message: `text after a closing quote` };
    else cell += ch;
  }
  if (quoted) return { ok: false, line: recordLine, message: 'a quoted field is not closed' };
  if (cell !== '' || cells.length > 0) endRecord();
  return { ok: true, records };
}
