/**
 * The new text of a reply mail, without what it quotes. Mail clients put the
 * earlier mail below the answer, introduced by an attribution line ("On Mon,
 * 1 Dec 2026 at 10:00, Shop <x@y> wrote:", which some clients wrap over two
 * lines), an Outlook separator ("-----Original Message-----", a line of
 * underscores followed by "From:"), or just as lines starting with '>'.
 * A signature after the "-- " delimiter goes too. What is left is what the
 * shopper wrote; it can be empty (a reply that only quotes).
 */

/** Lines that start the quoted earlier mail: everything from them on is cut. */
const attribution = [
  /^On\b.*\bwrote:\s*$/i,
  /^Le\b.*\ba écrit\s*:\s*$/i,
  /^Am\b.*\bschrieb\b.*:\s*$/i,
  /^在.*写道[:：]\s*$/,
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i,
  /^-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
];

/** An attribution a client wrapped: "On <date>, <name>" then "<address> wrote:" on the next line. */
const wrappedAttribution = (line: string, next: string | undefined) =>
  /^On\b/i.test(line) && next !== undefined && /\bwrote:\s*$/i.test(next);

/** Outlook's separator: a rule of underscores, then the quoted mail's "From:" header. */
const outlookSeparator = (line: string, next: string | undefined) =>
  /^_{10,}\s*$/.test(line) && next !== undefined && /^(From|De|Von|发件人)\s*[:：]/i.test(next);

export function stripQuotedReply(body: string): string {
  const lines = body.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const trimmed = line.trim();
    const next = lines[i + 1]?.trim();
    if (attribution.some((pattern) => pattern.test(trimmed))) break;
    if (wrappedAttribution(trimmed, next) || outlookSeparator(trimmed, next)) break;
    // The signature delimiter is exactly "-- " (RFC 3676); some clients drop the space.
    if (line === '-- ' || line === '--') break;
    if (trimmed.startsWith('>')) continue;
    kept.push(line.trimEnd());
  }
  return kept.join('\n').trim();
}
