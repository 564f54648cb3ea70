// The Prefer header: odata.maxpagesize=N and return=minimal|representation.
export interface Preferences {
  maxPageSize?: number;
  returnMinimal: boolean;
}

export function parsePrefer(header: string | undefined): Preferences {
  const preferences: Preferences = { returnMinimal: false };
  if (!header) return preferences;
  for (const part of header.split(',')) {
    const [name, value] = part
      .trim()
      .split('=')
      .map((s) => s.trim().toLowerCase());
    if (name === 'odata.maxpagesize' && /^\d+$/.test(value ?? '')) preferences.maxPageSize = Number(value);
    if (name === 'return' && value === 'minimal') preferences.returnMinimal = true;
  }
  return preferences;
}
