/** Strong ETags over the text an answer says (SHA-1, in quotes), for pages cached per isolate. */
export async function strongEtag(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-1", new TextEncoder().encode(text));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `"${hex}"`;
}
