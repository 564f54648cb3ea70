// Hands a CSV to the browser as a file download (no server round trip: the numbers are here).
export function downloadCsv(fileName: string, csv: string) {
  // The byte order mark makes spreadsheet programs read the file as UTF-8 (names with accents).
  const url = URL.createObjectURL(new Blob(['\ufeff', csv], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
