// CSV as spreadsheets read it: RFC 4180 quoting, CRLF line ends.
export type Cell = string | number;

function cell(value: Cell): string {
  if (typeof value === 'number') return String(value);
  // A name starting with = + - @ would run as a formula when the file is opened: quote it as text.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n');
}
