// Whether a service address is Dealdeck's own service, on the page's own origin, where a person
// signs in and the session cookie does the rest; anything else (the hosted CRM) is reached
// directly, with a bearer token kept in this browser.
export function isOwnService(baseUrl: string, origin = window.location.origin): boolean {
  try {
    return new URL(baseUrl, origin).origin === origin;
  } catch {
    return false;
  }
}
